/**
 * Round trips on Debian's ferret-datasets: each cube is built from the real file, read back with zarrita and
 * compared value by value with the source as netcdfjs reads it, after CF decoding, the longitude rotation and the
 * latitude flip.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeTime, isoFromInstant } from '../../src/gen/cf-time';
import { generateCube } from '../../src/gen/generate';
import { FERRET_DATA, PACKAGE_ROOT, openCube, temporaryFolder } from './helpers';

const folder = temporaryFolder();
afterAll(() => folder.remove());

const build = (name: string) =>
  generateCube({ recipe: join(PACKAGE_ROOT, 'recipes', `${name}.yaml`), outputDir: folder.path });

/** The source as netcdfjs reads it: coordinates and one (lat, lon) plane per outer index, raw values. */
function readSource(file: string) {
  const reader = new NetCDFReader(readFileSync(join(FERRET_DATA, file)));
  return {
    reader,
    numbers: (name: string) => (reader.getDataVariable(name) as number[]).flat() as number[],
    attribute: (variable: string, name: string) =>
      (reader.variables.find(v => v.name === variable)!.attributes as { name: string; value: unknown }[]).find(
        a => a.name === name
      )?.value
  };
}

/**
 * Checks a cube variable against the source, cell by cell, locating each output cell in the source by its
 * coordinates (so the rotation and the flip are checked, not assumed).
 */
async function compareWithSource(
  cube: string,
  variable: string,
  file: string,
  axes: { lon: string; lat: string },
  planes: number
) {
  const source = readSource(file);
  const values = source.numbers(variable);
  const fill = source.attribute(variable, '_FillValue') as number;
  const srcLat = source.numbers(axes.lat);
  const srcLon = source.numbers(axes.lon);
  const opened = await openCube(cube);
  const array = await opened.read(variable);
  const lat = (await opened.read('lat')).data;
  const lon = (await opened.read('lon')).data;
  expect(array.shape.slice(-2)).toEqual([srcLat.length, srcLon.length]);
  expect(Array.from(lat).every((v, i) => i === 0 || v < lat[i - 1])).toBe(true);
  expect(Array.from(lon).every((v, i) => i === 0 || v > lon[i - 1])).toBe(true);
  expect(lon[0]).toBeGreaterThanOrEqual(-180);
  expect(lon[lon.length - 1]).toBeLessThan(180);
  const latIndex = Array.from(lat, v => srcLat.indexOf(v));
  const lonIndex = Array.from(lon, v => srcLon.findIndex(s => Math.abs((((s - v) % 360) + 360) % 360) < 1e-9));
  expect(latIndex.every(i => i >= 0) && lonIndex.every(i => i >= 0)).toBe(true);
  const planeSize = srcLat.length * srcLon.length;
  let compared = 0;
  let missing = 0;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < lat.length; i++) {
      for (let j = 0; j < lon.length; j++) {
        const raw = values[p * planeSize + latIndex[i] * srcLon.length + lonIndex[j]];
        const actual = array.data[p * planeSize + i * lon.length + j];
        const ok = raw === fill ? Number.isNaN(actual) : actual === raw;
        if (!ok) {
          expect.fail(`${variable}[${p}, ${i}, ${j}] is ${actual}, the source has ${raw} (fill ${fill})`);
        }
        missing += raw === fill ? 1 : 0;
        compared++;
      }
    }
  }
  return { array, compared, missing, attrs: opened.attrs };
}

describe('COADS climatology', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build('coads');
  });

  it('keeps all 7 variables of the 12 months, values equal to the source', async () => {
    expect(result.variables).toEqual(['SST', 'AIRT', 'SPEH', 'WSPD', 'UWND', 'VWND', 'SLP']);
    expect(result.dims).toEqual({ time: 12, lat: 90, lon: 180 });
    for (const variable of result.variables) {
      const { compared, missing, array } = await compareWithSource(
        result.path,
        variable,
        'coads_climatology.cdf',
        { lon: 'COADSX', lat: 'COADSY' },
        12
      );
      expect(compared).toBe(12 * 90 * 180);
      expect(missing).toBeGreaterThan(80000); // land and the sparse southern ocean
      expect(array.attrs._ARRAY_DIMENSIONS).toEqual(['time', 'lat', 'lon']);
    }
  });

  it('decodes hour since 0000-01-01 as proleptic Gregorian: the first step is mid-January', async () => {
    const cube = await openCube(result.path);
    const time = await cube.read('time');
    expect(time.attrs).toMatchObject({ units: 'seconds since 1970-01-01T00:00:00', calendar: 'proleptic_gregorian' });
    const instants = Array.from(time.data, isoFromInstant);
    expect(instants[0]).toBe('0000-01-16T06:00:00Z');
    expect(instants.map(s => s.slice(5, 7))).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '07',
      '08',
      '09',
      '10',
      '11',
      '12'
    ]);
    const source = readSource('coads_climatology.cdf');
    const expected = decodeTime(
      source.numbers('TIME'),
      'hour since 0000-01-01 00:00:00',
      undefined,
      'proleptic_gregorian'
    );
    expect(Array.from(time.data)).toEqual(Array.from(expected.instants));
    expect(cube.attrs.time_coverage_start).toBe('0000-01-16T06:00:00Z');
  });

  it('writes tile chunks with blosc lz4 + shuffle (numeric), actually compressed, and a time-series copy', async () => {
    const cube = await openCube(result.path);
    const zarray = cube.zarray('SST');
    expect(zarray).toMatchObject({
      chunks: [1, 90, 180],
      compressor: { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1 },
      dtype: '<f4',
      fill_value: 'NaN',
      filters: null,
      order: 'C',
      zarr_format: 2
    });
    const chunk = readFileSync(join(result.path, 'SST', '0.0.0'));
    expect(chunk[3]).toBe(4); // blosc typesize
    expect(chunk[2] & 0x01).toBe(1); // byte shuffle applied
    expect(chunk[2] & 0x02).toBe(0); // not stored raw
    const stored = readdirSync(join(result.path, 'SST'))
      .filter(name => !name.startsWith('.'))
      .reduce((sum, name) => sum + statSync(join(result.path, 'SST', name)).size, 0);
    expect(stored).toBeLessThan(0.6 * 12 * 90 * 180 * 4);
    expect(cube.attrs.esdl_timeseries).toBe('timeseries');
    expect(cube.zarray('timeseries/SST').chunks).toEqual([12, 64, 64]);
    const series = await (await openCube(join(result.path, 'timeseries'))).read('SST');
    const tiles = await cube.read('SST');
    expect(series.data).toEqual(tiles.data);
  });

  it('consolidates the metadata of every group at the root and in each sub-group', () => {
    const root = JSON.parse(readFileSync(join(result.path, '.zmetadata'), 'utf8'));
    expect(root.zarr_consolidated_format).toBe(1);
    expect(Object.keys(root.metadata)).toEqual(
      expect.arrayContaining([
        '.zgroup',
        '.zattrs',
        'SST/.zarray',
        'SST/.zattrs',
        'time/.zarray',
        'timeseries/SST/.zarray'
      ])
    );
    const sub = JSON.parse(readFileSync(join(result.path, 'timeseries', '.zmetadata'), 'utf8'));
    expect(Object.keys(sub.metadata)).toEqual(expect.arrayContaining(['.zgroup', 'SST/.zarray', 'lat/.zarray']));
    expect(readFileSync(join(result.path, '.zmetadata')).every(byte => byte < 0x80)).toBe(true);
  });

  it('records provenance: sources with checksums, the recipe, the steps, the accuracy losses, the metadata', async () => {
    const { attrs } = await openCube(result.path);
    const file = join(FERRET_DATA, 'coads_climatology.cdf');
    const provenance = attrs.esdl_provenance;
    expect(provenance).toMatchObject({
      tool: 'esdl-cube-gen',
      sources: [
        {
          path: file,
          bytes: statSync(file).size,
          sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
          format: 'netCDF3'
        }
      ]
    });
    expect(provenance.recipe.name).toBe('coads');
    expect(provenance.recipe_sha256).toMatch(/^[0-9a-f]{64}$/);
    const steps = provenance.steps.join('\n');
    expect(steps).toMatch(/normalised longitudes of COADSX from 21..379 to -179..179/);
    expect(steps).toMatch(/flipped latitudes of COADSY \(-89..89\) to north-to-south order/);
    expect(steps).toMatch(/SST, AIRT, SPEH, WSPD, UWND, VWND, SLP: fill value -1e\+34/);
    expect(provenance.accuracy).toContainEqual({
      variable: 'SST',
      note: expect.stringMatching(/fill value -1e\+34 remapped to NaN in \d+ cells/)
    });
    expect(attrs.history.split('\n').length).toBeGreaterThan(provenance.steps.length);
    expect(attrs).toMatchObject({
      Conventions: 'CF-1.8',
      title: expect.stringMatching(/COADS/),
      license: expect.any(String)
    });
    expect(attrs.esdl_known_limitations.length).toBeGreaterThan(0);
  });
});

describe('Levitus climatology', () => {
  it('keeps TEMP and SALT with 20 depth levels (Z axis renamed depth, in m)', async () => {
    const result = await build('levitus');
    expect(result.dims).toEqual({ depth: 20, lat: 180, lon: 360 });
    for (const variable of ['TEMP', 'SALT']) {
      const { compared } = await compareWithSource(
        result.path,
        variable,
        'levitus_climatology.cdf',
        { lon: 'XAXLEVITR', lat: 'YAXLEVITR' },
        20
      );
      expect(compared).toBe(20 * 180 * 360);
    }
    const depth = await (await openCube(result.path)).read('depth');
    expect(Array.from(depth.data)).toEqual(readSource('levitus_climatology.cdf').numbers('ZAXLEVITR'));
    expect(depth.attrs).toMatchObject({ units: 'm', positive: 'down', standard_name: 'depth' });
  });
});

describe('monthly navy winds', () => {
  it('keeps the 132 months 1982-1992 of UWND and VWND (a file without missing values)', async () => {
    const result = await build('navy_winds');
    expect(result.dims).toEqual({ time: 132, lat: 73, lon: 144 });
    for (const variable of ['UWND', 'VWND']) {
      const { missing } = await compareWithSource(
        result.path,
        variable,
        'monthly_navy_winds.cdf',
        { lon: 'FNOCX', lat: 'FNOCY' },
        132
      );
      expect(missing).toBe(0);
    }
    const time = Array.from((await (await openCube(result.path)).read('time')).data, isoFromInstant);
    expect(time[0]).toBe('1982-01-16T20:00:00Z');
    expect(time[131].slice(0, 7)).toBe('1992-12');
    expect(new Set(time.map(t => t.slice(0, 7))).size).toBe(132);
  });
});
