import { describe, expect, it } from 'vitest';

import { findAxes, planLatitude, planLongitude, regularise } from '../../src/gen/axes';
import type { SourceFile } from '../../src/gen/source';

const range = (start: number, step: number, n: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => start + i * step);

describe('longitude normalisation', () => {
  it('rotates 21..379 (COADS) to -179..179 ascending', () => {
    const plan = planLongitude(range(21, 2, 180), 'COADSX');
    expect(plan.values[0]).toBe(-179);
    expect(plan.values[179]).toBe(179);
    expect(plan.sourceIndex[0]).toBe(80); // 21 + 2*80 = 181 → -179
    expect(plan.steps[0]).toMatch(/from 21..379 to -179..179 \(rotated by 80 columns\)/);
  });

  it('rotates 20.5..379.5 (Levitus) and keeps every column', () => {
    const plan = planLongitude(range(20.5, 1, 360), 'XAXLEVITR');
    expect(plan.values.length).toBe(360);
    expect(plan.values[0]).toBe(-179.5);
    expect(plan.values[359]).toBe(179.5);
    expect(plan.values.every((v, i) => i === 0 || v > plan.values[i - 1])).toBe(true);
  });

  it('drops the repeated column of a 0..360 axis and reverses a descending one', () => {
    const cyclic = planLongitude(range(0, 90, 5), 'x');
    expect(Array.from(cyclic.values)).toEqual([-180, -90, 0, 90]);
    expect(cyclic.steps[0]).toMatch(/dropped 1 longitude column/);
    const descending = planLongitude(Float64Array.of(90, 0, -90), 'x');
    expect(Array.from(descending.values)).toEqual([-90, 0, 90]);
    expect(Array.from(descending.sourceIndex)).toEqual([2, 1, 0]);
  });

  it('leaves -180..180 axes alone', () => {
    const plan = planLongitude(Float64Array.of(-135, -45, 45, 135), 'X');
    expect(plan.steps).toEqual([]);
    expect(Array.from(plan.sourceIndex)).toEqual([0, 1, 2, 3]);
  });

  it('refuses axes that are not monotonic or span more than 360°', () => {
    expect(() => planLongitude(Float64Array.of(0, 10, 5), 'x')).toThrow(/not monotonic/);
    expect(() => planLongitude(Float64Array.of(0, 200, 400), 'x')).toThrow(/more than 360/);
  });
});

describe('latitude order', () => {
  it('flips south-to-north axes to north-to-south and says so', () => {
    const plan = planLatitude(range(-89, 2, 90), 'COADSY');
    expect(plan.values[0]).toBe(89);
    expect(plan.sourceIndex[0]).toBe(89);
    expect(plan.steps[0]).toMatch(/flipped latitudes of COADSY \(-89..89\) to north-to-south order \(89..-89\)/);
  });

  it('keeps north-to-south axes and refuses values beyond the poles', () => {
    expect(planLatitude(Float64Array.of(45, 15, -15), 'Y').steps).toEqual([]);
    expect(() => planLatitude(Float64Array.of(0, 95), 'Y')).toThrow(/outside -90..90/);
  });
});

describe('regular grids', () => {
  it('snaps the ETOPO5 longitudes (0.08333411° steps) onto 1/12°', () => {
    const source = range(0, 0.08333411, 4320);
    const { values, note } = regularise(source, 'ETOPO05_X', true);
    expect(values[4319]).toBeCloseTo(359 + 11 / 12, 10);
    expect(note).toMatch(/ETOPO05_X snapped to a regular 0.083333333° grid from 0; largest shift 0.0033\d°/);
  });

  it('refuses an axis that is not nearly regular', () => {
    expect(() => regularise(Float64Array.of(0, 1, 3, 4), 'x', false)).toThrow(/not a regular axis/);
  });
});

describe('axis roles', () => {
  const coordinate = (name: string, attrs: Record<string, string>) => ({
    name,
    dims: [name],
    shape: [2],
    dtype: 'float64' as const,
    attrs: new Map(Object.entries(attrs).map(([key, value]) => [key, { value, dtype: 'char' as const }]))
  });
  const file = (extra: Record<string, number>): SourceFile => ({
    path: 'f.nc',
    format: 'netCDF3',
    dims: new Map([['t', 2], ['la', 2], ['lo', 2], ['lev', 2], ['p', 2], ...Object.entries(extra)]),
    variables: new Map([
      ['t', coordinate('t', { units: 'days since 2000-01-01' })],
      ['la', coordinate('la', { units: 'degrees_north' })],
      ['lo', coordinate('lo', { units: 'degrees_E' })],
      ['lev', coordinate('lev', { units: 'METERS', positive: 'down' })],
      ['p', coordinate('p', { units: 'hPa', axis: 'Z' })]
    ]),
    attrs: new Map(),
    read: () => new Float64Array(2),
    close: () => undefined
  });
  const variable = (dims: string[]) => ({
    name: 'v',
    dims,
    shape: dims.map(() => 2),
    dtype: 'float32' as const,
    attrs: new Map()
  });

  it('recognises time, depth, pressure levels, lat and lon by their attributes; squeezes size-1 extras', () => {
    expect(findAxes(file({ one: 1 }), variable(['t', 'one', 'lev', 'la', 'lo']), {})).toEqual({
      dims: { time: 't', depth: 'lev', lat: 'la', lon: 'lo' },
      squeezed: ['one']
    });
    expect(findAxes(file({}), variable(['p', 'la', 'lo']), {}).dims.level).toBe('p');
  });

  it('names a dimension it cannot place, and takes roles from the recipe', () => {
    expect(() => findAxes(file({ band: 3 }), variable(['band', 'la', 'lo']), {})).toThrow(
      /f.nc: variable v has the dimension band, which is not a time, depth, latitude or longitude axis/
    );
    expect(findAxes(file({ band: 3 }), variable(['band', 'la', 'lo']), { time: 'band' }).dims.time).toBe('band');
  });
});
