import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { previewKind } from '../src/model/artifacts';
import { parseCsv, sniffDelimiter } from '../src/model/csv';
import { experimentFilter } from '../src/model/experiments';
import { FIXTURES } from './fixtures';

describe('artifact previews', () => {
  it('parse the recorded CSV artifact as a table', () => {
    const table = parseCsv(readFileSync(join(FIXTURES, 'get-artifact-csv.json.body'), 'utf-8'));
    expect(table.header).toEqual(['lead_h', 'acc']);
    expect(table.rows).toHaveLength(8);
    expect(table.rows[7]).toEqual(['42', '0.530']);
    expect(table.truncated).toBe(false);
  });

  it('parse quotes, CRLF, tabs, and stop after maxRows', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\r\n').rows).toEqual([['x, y', 'say "hi"']]);
    expect(sniffDelimiter('a\tb\tc\n1\t2\t3')).toBe('\t');
    const big = 'n\n' + Array.from({ length: 50 }, (_, i) => i).join('\n');
    const cut = parseCsv(big, { maxRows: 10 });
    expect(cut.rows).toHaveLength(10);
    expect(cut.truncated).toBe(true);
  });

  it('pick a preview by file name', () => {
    expect(previewKind('plots/loss.png')).toBe('image');
    expect(previewKind('plots/skill.csv')).toBe('table');
    expect(previewKind('reports/summary.json')).toBe('json');
    expect(previewKind('config.yaml')).toBe('text');
    expect(previewKind('model/MLmodel')).toBe('text');
    expect(previewKind('model.pkl')).toBe('none');
  });
});

describe('experiment search', () => {
  it('matches words in names, escaping MLflow wildcards and quotes', () => {
    expect(experimentFilter('  ')).toBe('');
    expect(experimentFilter('era5')).toBe("name ILIKE '%era5%'");
    expect(experimentFilter("50%_o'k")).toBe("name ILIKE '%50\\%\\_o\\'k%'");
  });

  it('passes a filter expression as it is', () => {
    expect(experimentFilter("tags.team = 'ocean'")).toBe("tags.team = 'ocean'");
    expect(experimentFilter("name LIKE '%down%'")).toBe("name LIKE '%down%'");
  });
});
