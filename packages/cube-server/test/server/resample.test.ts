import { afterAll, describe, expect, it } from 'vitest';
import { Cube, Values, cellIndex } from '../../src/server/cube';
import { ByteLru } from '../../src/server/lru';
import { chooseLevel, gatherCells, pixelCells } from '../../src/server/render';
import { DirectoryStore } from '../../src/server/stores';
import { tilePixelCoords } from '../../src/server/tile-grid';
import { centres, lonCube, removeTestStores } from './support/zarr-store';

afterAll(removeTestStores);

const cache = () => new ByteLru<Values>(64 << 20, v => v.byteLength);

async function open(dir: string): Promise<Cube> {
  return Cube.open('test', new DirectoryStore(dir), cache());
}

/** The longitude a pixel shows, by the nearest-cell rule, for a cube whose values are cell longitudes. */
async function tileLons(cube: Cube, crs: 'CRS84' | 'EPSG:3857', z: number, y: number, x: number) {
  const { lons, lats } = tilePixelCoords(crs, z, y, x, 256);
  const { cols, rows } = pixelCells(cube.levels[0].grid, lons, lats);
  const values = await gatherCells(cube, cube.array('v')!, [0], cols, rows);
  return { lons, values };
}

function wrap(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

describe('resampling onto tiles', () => {
  it('finds cells of regular axes in either order, and nothing outside them', async () => {
    const cube = await open(await lonCube(centres(-179.5, 1, 360), centres(89.5, -1, 180)));
    const { lat, lon } = cube.levels[0].grid;
    expect(lat.ascending).toBe(false);
    expect(lon.global).toBe(true);
    expect(cellIndex(lat, 89.9)).toBe(0);
    expect(cellIndex(lat, -89.9)).toBe(179);
    expect(cellIndex(lat, 0.2)).toBe(89);
    expect(cellIndex(lon, -179.9)).toBe(0);
    expect(cellIndex(lon, 179.9)).toBe(359);
    // a global axis wraps: 190°E is -170°
    expect(cellIndex(lon, 190.2)).toBe(cellIndex(lon, -169.8));
    const north = await open(await lonCube(centres(0.5, 1, 10), centres(0.5, 1, 10)));
    expect(north.levels[0].grid.lat.ascending).toBe(true);
    expect(cellIndex(north.levels[0].grid.lat, 9.5)).toBe(9);
    expect(cellIndex(north.levels[0].grid.lat, -0.5)).toBe(-1);
    expect(cellIndex(north.levels[0].grid.lon, 12)).toBe(-1);
  });

  it('draws across the dateline from a -180..180 cube', async () => {
    const cube = await open(await lonCube(centres(-179.5, 1, 360), centres(89.5, -1, 180), { chunks: [1, 90, 90] }));
    // CRS84 level 1, column 0 starts at -180 and column 3 ends at 180: the edges of the cube
    for (const x of [0, 3]) {
      const { lons, values } = await tileLons(cube, 'CRS84', 1, 0, x);
      for (let i = 0; i < 256; i++) {
        expect(Math.abs(values[i] - lons[i])).toBeLessThanOrEqual(0.5 + 1e-9);
      }
    }
  });

  it('draws from a 21..379 cube (COADS-style longitudes) and a 0..360 cube', async () => {
    for (const lons of [centres(21, 2, 180), centres(0.5, 1, 360)]) {
      const cube = await open(await lonCube(lons, centres(89, -2, 90)));
      const step = lons[1] - lons[0];
      for (const [z, y, x] of [
        [0, 0, 0],
        [1, 0, 0],
        [2, 1, 1],
        [2, 1, 3]
      ]) {
        const { lons: pixelLons, values } = await tileLons(cube, 'EPSG:3857', z, y, x);
        for (let i = 0; i < 256; i++) {
          // the value is the cell's own longitude (as stored, e.g. 191) for the pixel at -169…
          expect(Math.abs(wrap(values[i] - pixelLons[i]))).toBeLessThanOrEqual(step / 2 + 1e-9);
        }
      }
    }
  });

  it('leaves pixels outside a regional cube empty', async () => {
    const cube = await open(await lonCube(centres(0.125, 0.25, 40), centres(50.125, 0.25, 20)));
    const { lons, lats } = tilePixelCoords('CRS84', 2, 0, 4, 256);
    const { cols, rows } = pixelCells(cube.levels[0].grid, lons, lats);
    const values = await gatherCells(cube, cube.array('v')!, [0], cols, rows);
    let inside = 0;
    values.forEach((v, i) => {
      const lon = lons[i % 256];
      const lat = lats[Math.floor(i / 256)];
      const expected = lon >= 0 && lon <= 10 && lat >= 50 && lat <= 55;
      if (!Number.isNaN(v)) {
        inside++;
        expect(expected).toBe(true);
      }
    });
    expect(inside).toBeGreaterThan(0);
  });

  it('chooses the coarsest overview level that still resolves a tile pixel', () => {
    const level = (factor: number, n: number) => ({
      index: 0,
      factor,
      prefix: factor === 1 ? '' : `overviews/${factor}/`,
      grid: {
        lat: {
          name: 'lat',
          centres: new Float64Array(1),
          edges: Float64Array.from([90, -90]),
          ascending: false,
          isLon: false,
          global: false
        },
        lon: {
          name: 'lon',
          centres: new Float64Array(n),
          edges: Float64Array.from([-180, 180]),
          ascending: true,
          isLon: true,
          global: true
        }
      }
    });
    const levels = [level(1, 4320), level(2, 2160), level(4, 1080), level(8, 540)];
    expect(chooseLevel(levels, { crs: 'EPSG:3857', z: 0, y: 0, x: 0, size: 256 }).factor).toBe(8);
    // level 2: 0.35° pixels, so 1/3° cells (factor 4) but not 2/3° ones
    expect(chooseLevel(levels, { crs: 'EPSG:3857', z: 2, y: 0, x: 0, size: 256 }).factor).toBe(4);
    expect(chooseLevel(levels, { crs: 'EPSG:3857', z: 3, y: 0, x: 0, size: 256 }).factor).toBe(2);
    expect(chooseLevel(levels, { crs: 'EPSG:3857', z: 5, y: 0, x: 0, size: 256 }).factor).toBe(1);
    expect(chooseLevel(levels, { crs: 'EPSG:3857', z: 2, y: 0, x: 0, size: 512 }).factor).toBe(2);
    expect(chooseLevel(levels, { crs: 'CRS84', z: 2, y: 0, x: 0, size: 256 }).factor).toBe(2);
  });
});
