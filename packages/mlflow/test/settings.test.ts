import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_COLUMNS, DEFAULT_SETTINGS, readSettings } from '../src/settings';

const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schema', 'mlflow.json'), 'utf-8'));

describe('settings', () => {
  it('agree with schema/mlflow.json', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    for (const [key, property] of Object.entries<any>(schema.properties)) {
      expect(property.default, key).toEqual((DEFAULT_SETTINGS as any)[key]);
      expect(property.description.length, key).toBeGreaterThan(40);
    }
    expect(schema.properties.columns.items.enum).toEqual([...BUILTIN_COLUMNS]);
  });

  it('fall back to defaults for what is missing or malformed', () => {
    expect(readSettings({})).toEqual(DEFAULT_SETTINGS);
    const read = readSettings({
      columns: ['name', 'bogus', 'user'],
      pageSize: 'x',
      autoRefresh: true,
      mlflowUiUrl: ' u '
    });
    expect(read.columns).toEqual(['name', 'user']);
    expect(read.pageSize).toBe(100);
    expect(read.autoRefresh).toBe(true);
    expect(read.mlflowUiUrl).toBe('u');
  });
});
