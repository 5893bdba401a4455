/**
 * Real clients against a real server process: Debian's xarray + zarr open cubes through the S3 API and find
 * the values of their source; GDAL's WMTS driver reads tiles through the capabilities.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../src/server/png';
import { demoCube } from '../test/server/support/demo-cube';
import { DEMO_CUBES, ServerProcess, hasDemoCube, python, startServerProcess } from './support/server-process';

const COADS_SOURCE = '/usr/share/ferret-vis/data/coads_climatology.cdf';

let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cube-clients-'));
  const config = path.join(dir, 'cubes.yaml');
  const coads = hasDemoCube('coads') ? `  - Identifier: coads\n    Path: ${path.join(DEMO_CUBES, 'coads.zarr')}\n` : '';
  writeFileSync(config, `Datasets:\n  - Identifier: demo\n    Path: ${demoCube()}\n${coads}`);
  server = await startServerProcess(config, ['--workers', '2']);
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

function xarray(mode: string, url: string, reference: string): any {
  try {
    return JSON.parse(
      execFileSync(python(), [path.join(__dirname, 'support/xarray_check.py'), mode, url, reference], {
        encoding: 'utf8',
        timeout: 120_000
      })
    );
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`xarray check failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

describe('xarray and zarr-python', () => {
  it('open an xarray-written cube over HTTP with every value equal to the store', () => {
    const result = xarray('store', `${server.url}/s3/datasets/demo.zarr`, demoCube());
    expect(result.problems).toEqual([]);
    expect(result.variables).toEqual(['chl', 'sst']);
    expect(result.time[0]).toMatch(/^2024-01-01T12:00/);
  });

  it.runIf(hasDemoCube('coads'))("open cube-gen's COADS cube with the values of Ferret's netCDF source", () => {
    const result = xarray('coads', `${server.url}/s3/datasets/coads.zarr`, COADS_SOURCE);
    expect(result.problems).toEqual([]);
    expect(result.variables).toEqual(['AIRT', 'SLP', 'SPEH', 'SST', 'UWND', 'VWND', 'WSPD']);
    expect(result.valid_values).toBeGreaterThan(100_000);
    expect(result.months).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe('GDAL', () => {
  // GDAL caches WMTS tiles in ./gdalwmscache unless told otherwise
  const gdal = () => ({
    encoding: 'utf8' as const,
    cwd: dir,
    env: { ...process.env, GDAL_DEFAULT_WMS_CACHE_PATH: path.join(dir, 'gdal-cache') }
  });

  it('reads tiles of a layer through the WMTS capabilities', () => {
    const source = `WMTS:${server.url}/wmts/1.0.0/WMTSCapabilities.xml,layer=demo.sst`;
    const info = execFileSync('gdalinfo', [source], { ...gdal(), timeout: 60_000 });
    expect(info).toMatch(/Driver: WMTS/);
    expect(info).toMatch(/Size is \d+, \d+/);
    const out = path.join(dir, 'sst.png');
    execFileSync('gdal_translate', ['-q', '-of', 'PNG', '-oo', 'ZOOM_LEVEL=1', source, out], {
      ...gdal(),
      timeout: 120_000
    });
    const image = decodePng(readFileSync(out));
    expect([image.width, image.height]).toEqual([1024, 512]);
    // the sea surface is warm at the equator and cold towards the poles: the image is not blank
    const distinct = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4 * 97) {
      distinct.add((image.data[i] << 16) | (image.data[i + 1] << 8) | image.data[i + 2]);
    }
    expect(distinct.size).toBeGreaterThan(20);
    const mercator = execFileSync(
      'gdalinfo',
      [`WMTS:${server.url}/wmts/1.0.0/WorldWebMercatorQuad/WMTSCapabilities.xml,layer=demo.chl`],
      { ...gdal(), timeout: 60_000 }
    );
    expect(mercator).toMatch(/Pseudo-Mercator|3857/);
  });
});
