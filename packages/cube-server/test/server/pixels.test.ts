/**
 * Our tiles of the rebuilt `demo` cube against the PNGs a real xcube 1.7.1 server drew (parameters in
 * ../fixtures/xcube/README.md). They differ by a few levels where pixels fall near cell edges: xcube takes
 * the cell whose centre is the nearest one west/north of a pixel (half a cell off), we take the cell that holds
 * the pixel centre, and at level 0 xcube draws from a half-resolution copy of the cube.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveColormap } from '../../src/server/colormaps/colormaps';
import { Cube, Values } from '../../src/server/cube';
import { ByteLru } from '../../src/server/lru';
import { decodePng } from '../../src/server/png';
import { renderTile } from '../../src/server/render';
import { labelIndex } from '../../src/server/selection';
import { DirectoryStore } from '../../src/server/stores';
import { demoCube } from './support/demo-cube';

let cube: Cube;

beforeAll(async () => {
  cube = await Cube.open('demo', new DirectoryStore(demoCube()), new ByteLru<Values>(64 << 20, v => v.byteLength));
}, 60_000);

const USER_CMAP = JSON.stringify({
  name: 'bwr',
  type: 'continuous',
  colors: [
    [0, 'blue'],
    [20, 'white'],
    [35, 'red']
  ]
});

const CASES: [
  string,
  'EPSG:3857' | 'CRS84',
  [number, number, number],
  string,
  number,
  number,
  'lin' | 'log',
  number
][] = [
  ['tile-demo-sst-z0-y0-x0-3857.png', 'EPSG:3857', [0, 0, 0], 'plasma', 0, 35, 'lin', 6],
  ['tile-demo-sst-z1-y0-x1-crs84.png', 'CRS84', [1, 0, 1], 'plasma', 0, 35, 'lin', 4],
  ['tile-demo-sst-log-reversed.png', 'EPSG:3857', [0, 0, 0], 'viridis_r', 1, 35, 'log', 4],
  ['tile-demo-sst-usercmap.png', 'EPSG:3857', [0, 0, 0], USER_CMAP, 0, 35, 'lin', 10]
];

describe("tiles of the demo cube against xcube's", () => {
  for (const [file, crs, [z, y, x], cmap, vmin, vmax, norm, tolerance] of CASES) {
    it(`${file} matches within ${tolerance} levels per channel`, async () => {
      const time = labelIndex(cube.dimensions.get('time')!, '2024-01-03T12:00:00Z');
      const png = await renderTile(
        cube,
        'sst',
        [time],
        { crs, z, y, x, size: 256 },
        { colormap: resolveColormap(cmap), vmin, vmax, norm }
      );
      const ours = decodePng(png);
      const theirs = decodePng(readFileSync(path.join(__dirname, '../fixtures/xcube', file)));
      expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < ours.data.length; i++) {
        const d = Math.abs(ours.data[i] - theirs.data[i]);
        worst = Math.max(worst, d);
        sum += d;
      }
      expect(worst).toBeLessThanOrEqual(tolerance);
      expect(sum / ours.data.length).toBeLessThan(1);
    });
  }
});
