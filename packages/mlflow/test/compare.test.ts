import { describe, expect, it } from 'vitest';
import { compareRuns, differencesOnly, metricKeys, paramKeys, valueAxis } from '../src/model/compare';
import { fixture } from './fixtures';

const runs = fixture('runs-search-p1').runs;

describe('comparing runs', () => {
  it('lists every attribute, param, metric and user tag, and which differ', () => {
    const rows = compareRuns(runs);
    const row = (section: string, key: string) => rows.find(r => r.section === section && r.key === key)!;
    expect(row('attributes', 'Name').values).toEqual(['unet-lr0.003', 'unet-lr0.003', 'unet-lr0.003']);
    expect(row('attributes', 'Name').differs).toBe(false);
    expect(row('attributes', 'Experiment').values).toEqual(['3', '1', '2']);
    expect(row('params', 'lr').differs).toBe(false);
    expect(row('metrics', 'val_loss').differs).toBe(true);
    expect(rows.some(r => r.key.startsWith('mlflow.'))).toBe(false);
  });

  it('shows differences only on request', () => {
    const only = differencesOnly(compareRuns(runs));
    expect(only.every(r => r.differs)).toBe(true);
    expect(only.map(r => r.key)).toContain('val_loss');
    expect(only.map(r => r.key)).not.toContain('lr');
    expect(only.map(r => r.key)).not.toContain('Run ID');
  });

  it('makes axes of numeric and categorical params and of metrics', () => {
    const all = [...fixture('runs-search-order-by-param').runs];
    const lr = valueAxis(all, 'lr', 'param');
    expect(lr.kind).toBe('number');
    expect(lr.values).toEqual([0.003, 0.001, 0.001, 0.0003, 0.0001]);
    const arch = valueAxis(all, 'arch', 'param');
    expect(arch.kind).toBe('category');
    expect(arch.categories).toEqual(['fno', 'unet', 'vit']);
    expect(arch.values[0]).toBe(1);
    const loss = valueAxis(all, 'val_loss', 'metric');
    expect(loss.values.filter(v => v !== null)).toHaveLength(4);
    expect(paramKeys(all)[0]).toBe('arch');
    expect(metricKeys(all)[0]).toBe('train_loss');
  });
});
