import { IXcubeDataset } from '@esdl-lab/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStep, toEntry } from '../src/entry';
import {
  CatalogQuery,
  ICatalogFilters,
  NO_FILTERS,
  bboxIntersects,
  comparator,
  groupEntries,
  matcher,
  queryTerms,
  toRows
} from '../src/search';
import { generateDatasets } from './generate';

const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'xcube');
const xcube = (version: string): IXcubeDataset[] =>
  JSON.parse(readFileSync(join(FIXTURES, version, 'datasets-details.json'), 'utf-8')).datasets;
const coads: IXcubeDataset = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'coads-contract.json'), 'utf-8'));

const entries = [
  ...xcube('v1.7.1').map(d => toEntry('xcube', 'Real xcube 1.7.1', d)),
  toEntry('demo', 'ESDL demo cubes', coads)
];
const filters = (patch: Partial<ICatalogFilters>): ICatalogFilters => ({ ...NO_FILTERS, ...patch });
const titles = (list: { title: string }[]) => list.map(e => e.title);

describe('catalogue entries', () => {
  it('normalises xcube datasets: time extent and step, variables, box', () => {
    const demo = entries[0];
    expect(demo.key).toBe('xcube/demo');
    expect(demo.timeStart).toBe('2024-01-01T12:00:00Z');
    expect(demo.timeEnd).toBe('2024-01-10T12:00:00Z');
    expect(demo.timeStep).toBe('1 day');
    expect(demo.variables.map(v => [v.name, v.units, v.longName])).toEqual([
      ['chl', 'mg m-3', 'Chlorophyll (synthetic)'],
      ['sst', 'degC', 'Sea surface temperature (synthetic)']
    ]);
    expect(demo.bbox).toEqual([-180, -90, 180, 90]);
    const sns = entries[1];
    expect(sns.timeCount).toBe(5);
    expect(sns.timeStep).toBe('irregular, ~2 days');
    const climatology = entries[2];
    expect(climatology.timeStep).toBe('1 month');
    expect(climatology.timeStart?.startsWith('0001-01')).toBe(true);
    expect(Number.isNaN(climatology.timeStartMs)).toBe(false);
  });

  it('describes time steps in words', () => {
    const hours = [0, 3, 6, 9].map(h => h * 3_600_000);
    expect(describeStep(hours)).toBe('3 hours');
    const years = [2000, 2001, 2002].map(y => Date.UTC(y, 0, 1));
    expect(describeStep(years)).toBe('1 year');
    expect(describeStep([0])).toBeNull();
  });
});

describe('search and filters', () => {
  it('finds COADS SST by its long name, and by standard name and units', () => {
    const match = (query: string) => titles(entries.filter(matcher(filters({ query }))));
    expect(match('sea surface')).toContain('COADS monthly climatology');
    expect(match('sea_surface_temperature')).toEqual(['COADS monthly climatology']);
    expect(match('"deg c"')).toEqual(['COADS monthly climatology']);
    expect(match('Chlorophyll')).toEqual([
      'Synthetic demo cube',
      'xcube demo cube (SNS, from xcube repo examples/serve/demo)'
    ]);
    expect(match('climatology ocean')).toEqual(['COADS monthly climatology']);
    expect(match('nothing-like-this')).toEqual([]);
    expect(queryTerms(' Sea  "surface temp" ')).toEqual(['sea', 'surface temp']);
  });

  it('filters by variable, server, time range and box', () => {
    const run = (patch: Partial<ICatalogFilters>) => titles(entries.filter(matcher(filters(patch))));
    expect(run({ variable: 'SST' })).toEqual(['Synthetic demo cube', 'COADS monthly climatology']);
    expect(run({ servers: ['demo'] })).toEqual(['COADS monthly climatology']);
    expect(run({ timeFrom: '2017-01-20', timeTo: '2017-02-01' })).toEqual([
      'xcube demo cube (SNS, from xcube repo examples/serve/demo)'
    ]);
    expect(run({ timeFrom: '2024-01-10' })).toEqual(['Synthetic demo cube']);
    expect(run({ timeTo: '0002-01-01' })).toEqual(['COADS monthly climatology']);
    // a box in the North Sea holds the SNS cube and the global ones, but not one in the Pacific
    expect(run({ bbox: [1, 51, 2, 52] })).toHaveLength(3);
    expect(run({ bbox: [1, 51, 2, 52], variable: 'conc_chl' })).toEqual([
      'xcube demo cube (SNS, from xcube repo examples/serve/demo)'
    ]);
  });

  it('intersects boxes across the antimeridian', () => {
    expect(bboxIntersects([150, -40, -120, 40], [170, 0, 175, 5])).toBe(true);
    expect(bboxIntersects([150, -40, -120, 40], [-125, 0, -121, 5])).toBe(true);
    expect(bboxIntersects([150, -40, -120, 40], [0, 0, 10, 5])).toBe(false);
    expect(bboxIntersects([0, 0, 10, 10], [10, 10, 20, 20])).toBe(true);
    expect(bboxIntersects([0, 0, 10, 10], [0, 11, 10, 20])).toBe(false);
  });

  it('sorts by title, by time extent and by recent use', () => {
    expect(titles([...entries].sort(comparator('title')))).toEqual([
      'COADS monthly climatology',
      'Synthetic demo cube',
      'xcube demo cube (SNS, from xcube repo examples/serve/demo)'
    ]);
    expect(titles([...entries].sort(comparator('time')))[0]).toBe('Synthetic demo cube');
    expect(titles([...entries].sort(comparator('time')))[2]).toBe('COADS monthly climatology');
    const used = new Map([
      ['xcube/sns', 2000],
      ['demo/coads', 1000]
    ]);
    expect(titles([...entries].sort(comparator('recent', used)))).toEqual([
      'xcube demo cube (SNS, from xcube repo examples/serve/demo)',
      'COADS monthly climatology',
      'Synthetic demo cube'
    ]);
  });

  it('groups by server and by group, with headings only when there is more than one group', () => {
    const byServer = groupEntries(entries, 'server');
    expect(byServer.map(g => [g.title, g.entries.length])).toEqual([
      ['ESDL demo cubes', 1],
      ['Real xcube 1.7.1', 2]
    ]);
    const byGroup = groupEntries(entries, 'group');
    expect(byGroup.map(g => g.title)).toEqual(['Climatologies', 'Other datasets']);
    const rows = toRows(byGroup);
    expect(rows.map(r => r.kind)).toEqual(['group', 'entry', 'group', 'entry', 'entry']);
    expect(toRows(byGroup, new Set([byGroup[1].key])).map(r => r.kind)).toEqual(['group', 'entry', 'group']);
    expect(toRows(groupEntries(entries, 'none')).every(r => r.kind === 'entry')).toBe(true);
  });
});

describe('a catalogue of 10,000 datasets', () => {
  const many = generateDatasets(10_000).map((d, i) => toEntry(i % 2 ? 'a' : 'b', i % 2 ? 'Server A' : 'Server B', d));

  it('searches as a user types, each longer query within the last matches', () => {
    const query = new CatalogQuery();
    query.setEntries(many);
    const typed = 'sea surface';
    let previous = many.length;
    for (let i = 1; i <= typed.length; i++) {
      const result = query.run(filters({ query: typed.slice(0, i) }), 'title');
      expect(result.length).toBeLessThanOrEqual(previous);
      previous = result.length;
    }
    const expected = many.filter(matcher(filters({ query: typed })));
    expect(previous).toBe(expected.length);
    expect(previous).toBeGreaterThan(100);
    // deleting characters widens the search again
    expect(query.run(filters({ query: 'sea' }), 'title').length).toBe(
      many.filter(matcher(filters({ query: 'sea' }))).length
    );
  });

  it('keeps results sorted, filtered and grouped', () => {
    const query = new CatalogQuery();
    query.setEntries(many);
    const result = query.run(filters({ query: 'europe', variable: 'sm', timeFrom: '2000-01-01' }), 'time');
    expect(result.length).toBeGreaterThan(0);
    for (let i = 1; i < result.length; i++) {
      expect(result[i - 1].timeEndMs).toBeGreaterThanOrEqual(result[i].timeEndMs);
    }
    expect(result.every(e => e.variables.some(v => v.name === 'sm') && e.timeEndMs >= Date.UTC(2000, 0, 1))).toBe(true);
    const groups = groupEntries(result, 'group');
    expect(groups.reduce((n, g) => n + g.entries.length, 0)).toBe(result.length);
    const byTitle = query.run(NO_FILTERS, 'title');
    expect(byTitle).toHaveLength(10_000);
    expect(byTitle[0].sortTitle <= byTitle[1].sortTitle).toBe(true);
  });
});
