/**
 * Inputs beyond the Ferret files: netCDF-4/HDF5 with packed int16, a fill value, a valid range, a noleap calendar
 * and a depth axis; and two netCDF-3 parts of one float64 series concatenated along time. The inputs are made by
 * test/fixtures/gen/make-fixtures.py; every value follows a formula recomputed here.
 */
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { isoFromInstant } from '../../src/gen/cf-time';
import { generateCube } from '../../src/gen/generate';
import { parseRecipe } from '../../src/gen/recipe';
import { FIXTURES, openCube, temporaryFolder } from './helpers';

const folder = temporaryFolder();
afterAll(() => folder.remove());

const build = (yaml: string) =>
  generateCube({ recipe: parseRecipe(yaml, undefined, FIXTURES), outputDir: folder.path });

describe('netCDF-4/HDF5 input', () => {
  it('decodes packed int16 (scale, offset, fill, valid range), flips and rotates, converts noleap', async () => {
    const result = await build(`
name: packed
inputs: [packed-nc4.nc]
variables:
  sst:
    source: sst_packed
    attrs: {standard_name: sea_water_temperature}
compressor: {id: zlib, level: 6}
overviews: 1
timeseries: true
metadata: {title: packed}
`);
    expect(result.dims).toEqual({ time: 3, depth: 2, lat: 6, lon: 8 });
    const cube = await openCube(result.path);
    const sst = await cube.read('sst');
    expect(Array.from((await cube.read('lat')).data)).toEqual([62.5, 37.5, 12.5, -12.5, -37.5, -62.5]);
    expect(Array.from((await cube.read('lon')).data)).toEqual([-180, -135, -90, -45, 0, 45, 90, 135]);
    expect(Array.from((await cube.read('depth')).data)).toEqual([5, 50]);
    expect(Array.from((await cube.read('time')).data, isoFromInstant)).toEqual([
      '2000-01-01T00:00:00Z',
      '2000-03-01T00:00:00Z',
      '2001-01-01T00:00:00Z'
    ]);
    const scale = Math.fround(0.01);
    let checked = 0;
    for (let t = 0; t < 3; t++) {
      for (let d = 0; d < 2; d++) {
        for (let i = 0; i < 6; i++) {
          for (let j = 0; j < 8; j++) {
            const sourceLat = 5 - i;
            const sourceLon = (j + 4) % 8;
            const raw = t * 1000 + d * 100 + sourceLat * 10 + sourceLon - 1500;
            const actual = sst.data[((t * 2 + d) * 6 + i) * 8 + j];
            // The fixture sets [0,0,0,0] to the fill value and [1,1,5,7] to 3500, outside the valid range.
            const fill = t === 0 && d === 0 && sourceLat === 0 && sourceLon === 0;
            const outside = t === 1 && d === 1 && sourceLat === 5 && sourceLon === 7;
            const masked = fill || outside;
            if (masked) {
              expect(actual).toBeNaN();
            } else {
              expect(actual).toBe(Math.fround(raw * scale + 20));
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(288);
    expect(sst.attrs).toMatchObject({
      units: 'degC',
      long_name: 'packed test temperature',
      standard_name: 'sea_water_temperature'
    });
    expect(sst.attrs).not.toHaveProperty('scale_factor');
    expect(cube.zarray('sst').compressor).toEqual({ id: 'zlib', level: 6 });
    const provenance = cube.attrs.esdl_provenance;
    expect(provenance.sources[0].format).toBe('netCDF4/HDF5');
    const notes = provenance.accuracy.map(
      (entry: { variable: string; note: string }) => `${entry.variable}: ${entry.note}`
    );
    expect(notes.join('\n')).toMatch(/sst: fill value -32768 remapped to NaN in 1 cells/);
    expect(notes.join('\n')).toMatch(/sst: 1 values outside the valid range \[-3000, 3000\] set to NaN/);
    expect(notes.join('\n')).toMatch(/sst: packed int16 unpacked \(× 0.01 \+ 20\) to float32/);
    expect(notes.join('\n')).toMatch(/time: noleap calendar converted to proleptic_gregorian/);
    expect(provenance.steps.join('\n')).toMatch(/renamed sst_packed to sst/);
    const level = await openCube(join(result.path, 'overviews/1'));
    expect((await level.read('sst')).shape).toEqual([3, 2, 3, 4]);
  });
});

describe('several inputs concatenated along time', () => {
  const parts = `
name: joined
inputs: [part2.nc, part1.nc]
variables:
  t2m: {source: T2M}
metadata: {title: joined}
`;

  it('orders the files by time, decodes missing_value, and notes the float64 → float32 rounding', async () => {
    const result = await build(parts);
    const cube = await openCube(result.path);
    expect(Array.from((await cube.read('time')).data, isoFromInstant)).toEqual([
      '1990-01-01T00:00:00Z',
      '1990-01-01T06:00:00Z',
      '1990-01-01T12:00:00Z',
      '1990-01-01T18:00:00Z'
    ]);
    const t2m = await cube.read('t2m');
    const hours = [0, 6, 12, 18];
    hours.forEach((hour, t) => {
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          const expected =
            t % 2 === 0 && i === 0 && j === 0 ? NaN : Math.fround(273.15 + hour + i * 0.1 + j * 0.01 + 1e-9);
          expect(t2m.data[(t * 4 + i) * 4 + j]).toEqual(expected);
        }
      }
    });
    const { steps, accuracy } = cube.attrs.esdl_provenance;
    expect(steps.join('\n')).toMatch(/concatenated 2 inputs along time/);
    expect(steps.join('\n')).not.toMatch(/flipped|normalised longitudes/);
    expect(accuracy).toContainEqual({
      variable: 't2m',
      note: expect.stringMatching(/^float64 → float32 \(about 7 significant digits\); largest change seen \d/)
    });
    expect(accuracy).toContainEqual({
      variable: 't2m',
      note: expect.stringMatching(/fill value -999 remapped to NaN in 2 cells/)
    });
    expect(cube.attrs.history).toMatch(/concatenated 2 inputs/);
  });

  it('keeps float64 when the recipe asks, without a rounding note', async () => {
    const result = await build(
      parts.replace('name: joined', 'name: joined64').replace('{source: T2M}', '{source: T2M, dtype: float64}')
    );
    const cube = await openCube(result.path);
    expect(cube.zarray('t2m').dtype).toBe('<f8');
    expect((await cube.read('t2m')).data[1]).toBe(273.15 + 0.01 + 1e-9);
    expect(cube.attrs.esdl_provenance.accuracy.map((entry: { note: string }) => entry.note).join()).not.toMatch(
      /float32/
    );
  });

  it('bit-rounds when asked and records it', async () => {
    const result = await build(
      parts.replace('name: joined', 'name: rounded').replace('{source: T2M}', '{source: T2M, keepbits: 7}')
    );
    const cube = await openCube(result.path);
    const t2m = await cube.read('t2m');
    const bits = new Uint32Array(new Float32Array(Array.from(t2m.data).filter(v => !Number.isNaN(v))).buffer);
    expect(bits.every(b => (b & 0xffff) === 0)).toBe(true);
    expect(cube.attrs.esdl_provenance.accuracy).toContainEqual({
      variable: 't2m',
      note: expect.stringMatching(/bit rounding to 7 mantissa bits; largest change/)
    });
  });
});

describe('a variable stored as (time, plev, lon, lat)', () => {
  it('is written as (time, level, lat, lon), the pressure axis kept as level, julian dates converted', async () => {
    const result = await build(`
name: transposed
inputs: [transposed.nc]
variables: {wind: {}}
metadata: {title: transposed}
`);
    expect(result.dims).toEqual({ time: 2, level: 2, lat: 3, lon: 4 });
    const cube = await openCube(result.path);
    const wind = await cube.read('wind');
    expect(wind.attrs._ARRAY_DIMENSIONS).toEqual(['time', 'level', 'lat', 'lon']);
    expect(Array.from((await cube.read('lat')).data)).toEqual([30, 0, -30]);
    expect(Array.from((await cube.read('lon')).data)).toEqual([-180, -90, 0, 90]);
    const level = await cube.read('level');
    expect(Array.from(level.data)).toEqual([850, 500]);
    expect(level.attrs).toMatchObject({ units: 'hPa', positive: 'down', axis: 'Z' });
    expect(Array.from((await cube.read('time')).data, isoFromInstant)).toEqual([
      '1900-01-13T00:00:00Z',
      '1900-02-13T00:00:00Z'
    ]);
    const sourceLon = [2, 3, 0, 1];
    const expected: number[] = [];
    for (let t = 0; t < 2; t++) {
      for (let p = 0; p < 2; p++) {
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 4; j++) {
            expected.push(t * 1000 + p * 100 + sourceLon[j] * 10 + (2 - i));
          }
        }
      }
    }
    expect(Array.from(wind.data)).toEqual(expected);
    expect(cube.attrs.esdl_provenance.steps.join('\n')).toMatch(/julian calendar converted to proleptic_gregorian/);
  });
});
