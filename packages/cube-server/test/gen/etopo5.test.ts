/**
 * ETOPO5 (4320x2161 float32, the largest demo input): level 0 equals the source, and the overview levels have the
 * advertised shapes and hold the block means. Takes a few seconds more than the other cube tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateCube } from '../../src/gen/generate';
import { FERRET_DATA, PACKAGE_ROOT, openCube, temporaryFolder } from './helpers';

const folder = temporaryFolder();
afterAll(() => folder.remove());

describe('ETOPO5 relief with overview levels', () => {
  let path: string;
  beforeAll(async () => {
    path = (await generateCube({ recipe: join(PACKAGE_ROOT, 'recipes', 'etopo5.yaml'), outputDir: folder.path })).path;
  });

  it('stores ROSE north-to-south on a regular 1/12° grid from -180, values equal to the source', async () => {
    const cube = await openCube(path);
    const rose = await cube.read('ROSE');
    const lat = (await cube.read('lat')).data;
    const lon = (await cube.read('lon')).data;
    expect(rose.shape).toEqual([2161, 4320]);
    expect([lat[0], lat[2160], lon[0]]).toEqual([90, -90, -180]);
    expect(lon[4319]).toBeCloseTo(180 - 1 / 12, 10);
    expect(Math.max(...Array.from(lon.subarray(1), (v, i) => Math.abs(v - lon[i] - 1 / 12)))).toBeLessThan(1e-9);
    const reader = new NetCDFReader(readFileSync(join(FERRET_DATA, 'etopo5.cdf')));
    const source = reader.getDataVariable('ROSE') as number[];
    let mismatches = 0;
    for (let i = 0; i < 2161; i++) {
      const sourceRow = (2160 - i) * 4320;
      for (let j = 0; j < 4320; j++) {
        if (rose.data[i * 4320 + j] !== source[sourceRow + ((j + 2160) % 4320)]) {
          mismatches++;
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(cube.zarray('ROSE').chunks).toEqual([512, 512]);
  });

  it('lists 4 overview levels, each half the previous, holding the means of 2x2 blocks', async () => {
    const cube = await openCube(path);
    expect(cube.attrs.esdl_overviews).toEqual([
      { level: 1, path: 'overviews/1', factor: 2, shape: { lat: 1081, lon: 2160 } },
      { level: 2, path: 'overviews/2', factor: 4, shape: { lat: 541, lon: 1080 } },
      { level: 3, path: 'overviews/3', factor: 8, shape: { lat: 271, lon: 540 } },
      { level: 4, path: 'overviews/4', factor: 16, shape: { lat: 136, lon: 270 } }
    ]);
    let above = await cube.read('ROSE');
    let aboveLon = (await cube.read('lon')).data;
    for (const { path: levelPath, shape } of cube.attrs.esdl_overviews) {
      const level = await openCube(join(path, levelPath));
      const rose = await level.read('ROSE');
      const lon = (await level.read('lon')).data;
      expect(rose.shape).toEqual([shape.lat, shape.lon]);
      expect(level.zarray('ROSE').chunks).toEqual([Math.min(512, shape.lat), Math.min(512, shape.lon)]);
      expect(lon[1] - lon[0]).toBeCloseTo(2 * (aboveLon[1] - aboveLon[0]), 9);
      expect(lon[0]).toBeCloseTo((aboveLon[0] + aboveLon[1]) / 2, 9);
      const [aboveLat, aboveWidth] = above.shape;
      let mismatches = 0;
      for (let i = 0; i < shape.lat; i++) {
        for (let j = 0; j < shape.lon; j++) {
          const rows = [2 * i, 2 * i + 1].filter(r => r < aboveLat);
          const cells = rows.flatMap(r => [above.data[r * aboveWidth + 2 * j], above.data[r * aboveWidth + 2 * j + 1]]);
          const mean = Math.fround(cells.reduce((a, b) => a + b, 0) / cells.length);
          if (rose.data[i * shape.lon + j] !== mean) {
            mismatches++;
          }
        }
      }
      expect(mismatches).toBe(0);
      above = rose;
      aboveLon = lon;
    }
    const coarsest = await (await openCube(join(path, 'overviews/4'))).read('ROSE');
    const mean = (data: ArrayLike<number>) => Array.from(data).reduce((a, b) => a + b, 0) / data.length;
    // Interior rows only: the odd last row of each level averages fewer source rows.
    const full = await cube.read('ROSE');
    expect(mean(coarsest.data.subarray(0, 135 * 270))).toBeCloseTo(mean(full.data.subarray(0, 135 * 16 * 4320)), 1);
  });

  it('records the snapped longitudes and the resampling of the overviews as accuracy notes', async () => {
    const { attrs } = await openCube(path);
    const notes = attrs.esdl_provenance.accuracy.map((entry: { note: string }) => entry.note).join('\n');
    expect(notes).toMatch(/ETOPO05_X snapped to a regular 0.083333333° grid from 0; largest shift 0.0033\d°/);
    expect(notes).toMatch(/overview levels 1..4 hold block means/);
  });
});
