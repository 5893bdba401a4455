/**
 * ZarrCubeData against a real Zarr v2 directory store written here (time 3 × lat 12 × lon 16, chunks 1 × 2 × 2,
 * overview levels 1 and 2, a time-series copy), read by zarrita through a fetch stub that serves the store's
 * bytes from disk as the cube server does (404 for a missing key), one request after the other.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cubeFaces, IFace, ISelection } from '../src/geometry';

const served: { root: string; keys: string[] } = { root: '', keys: [] };
// one answer at a time, in the order asked, as over a busy link: what is asked for first comes first
let line: Promise<unknown> = Promise.resolve();

vi.mock('@esdl-lab/core', () => {
  class EsdlApiError extends Error {
    constructor(
      message: string,
      readonly status: number
    ) {
      super(message);
    }
  }
  return {
    EsdlApiError,
    fetchAPI: (endPoint: string): Promise<Response> => {
      const match = /^cubes\/[^/]+\/s3\/datasets\/([^/]+)\.zarr\/(.+)$/.exec(endPoint);
      const key = match ? `${decodeURIComponent(match[1])}/${match[2]}` : endPoint;
      served.keys.push(key);
      if (key.startsWith('vanished/')) {
        return Promise.reject(new EsdlApiError("Dataset 'vanished' is unavailable", 503));
      }
      const answer = line
        .then(() => new Promise(resolve => setImmediate(resolve)))
        .then(() => {
          try {
            return new Response(readFileSync(join(served.root, key.replace(/^([^/]+)/, '$1.zarr'))));
          } catch {
            throw new EsdlApiError(`${endPoint}: not found`, 404);
          }
        });
      line = answer.catch(() => undefined);
      return answer;
    }
  };
});

const { ZarrCubeData } = await import('../src/source');

const SHAPE = [3, 12, 16];
const CHUNKS = [1, 2, 2];

/** The value stored at level `k` for cell (t, y, x) of that level: distinct per level, so tests see its source. */
const value = (k: number, t: number, y: number, x: number): number => k * 100000 + t * 10000 + y * 100 + x;

/** Writes a Zarr v2 store (uncompressed chunks, consolidated metadata) with the given groups of `V`. */
function writeStore(path: string, groups: { path: string; shape: number[]; chunks: number[]; level: number }[]): void {
  const metadata: Record<string, unknown> = {};
  const put = (key: string, json: unknown): void => {
    metadata[key] = json;
    mkdirSync(join(path, key, '..'), { recursive: true });
    writeFileSync(join(path, key), JSON.stringify(json));
  };
  const levels = groups.filter(g => g.level > 0);
  put('.zgroup', { zarr_format: 2 });
  put('.zattrs', {
    title: 'test cube',
    ...(levels.length
      ? {
          esdl_overviews: levels.map(g => ({
            level: g.level,
            path: g.path,
            factor: 2 ** g.level,
            shape: { lat: g.shape[1], lon: g.shape[2] }
          }))
        }
      : {}),
    ...(groups.some(g => g.path === 'timeseries') ? { esdl_timeseries: 'timeseries' } : {})
  });
  for (const group of groups) {
    const prefix = group.path ? `${group.path}/` : '';
    if (group.path) {
      put(`${prefix}.zgroup`, { zarr_format: 2 });
    }
    put(`${prefix}V/.zarray`, {
      zarr_format: 2,
      shape: group.shape,
      chunks: group.chunks,
      dtype: '<f4',
      compressor: null,
      fill_value: 'NaN',
      filters: null,
      order: 'C',
      dimension_separator: '.'
    });
    put(`${prefix}V/.zattrs`, { _ARRAY_DIMENSIONS: ['time', 'lat', 'lon'], units: 'K' });
    const counts = group.shape.map((n, d) => Math.ceil(n / group.chunks[d]));
    for (let ct = 0; ct < counts[0]; ct++) {
      for (let cy = 0; cy < counts[1]; cy++) {
        for (let cx = 0; cx < counts[2]; cx++) {
          const [nt, ny, nx] = group.chunks;
          const data = new Float32Array(nt * ny * nx).fill(NaN);
          for (let t = 0; t < nt; t++) {
            for (let y = 0; y < ny; y++) {
              for (let x = 0; x < nx; x++) {
                const [gt, gy, gx] = [ct * nt + t, cy * ny + y, cx * nx + x];
                if (gt < group.shape[0] && gy < group.shape[1] && gx < group.shape[2]) {
                  data[(t * ny + y) * nx + x] = value(group.level, gt, gy, gx);
                }
              }
            }
          }
          writeFileSync(join(path, `${prefix}V`, `${ct}.${cy}.${cx}`), new Uint8Array(data.buffer));
        }
      }
    }
  }
  writeFileSync(join(path, '.zmetadata'), JSON.stringify({ metadata, zarr_consolidated_format: 1 }));
}

function selection(
  ranges: ISelection['ranges'] = [
    { start: 0, end: 3 },
    { start: 0, end: 12 },
    { start: 0, end: 16 }
  ]
): ISelection {
  return { shown: [0, 1, 2], fixed: [0, 0, 0], ranges };
}

const face = (sel: ISelection, axis: number, side: 'start' | 'end' = 'start'): IFace =>
  cubeFaces(sel.ranges).find(f => f.axis === axis && f.side === side)!;

/** The expected values of a face of `sel` read from level `k` and blown up to level 0 (nearest neighbour). */
function expected(sel: ISelection, f: IFace, k: number): number[] {
  const [u, v] = [sel.ranges[f.u], sel.ranges[f.v]];
  const out: number[] = [];
  for (let j = v.start; j < v.end; j++) {
    for (let i = u.start; i < u.end; i++) {
      const cell = [0, 0, 0];
      cell[f.axis] = f.index;
      cell[f.u] = i;
      cell[f.v] = j;
      const [t, y, x] = cell;
      out.push(value(k, t, Math.floor(y / 2 ** k), Math.floor(x / 2 ** k)));
    }
  }
  return out;
}

beforeAll(() => {
  served.root = mkdtempSync(join(tmpdir(), 'cube3d-source-'));
  const level = (k: number) => ({
    path: `overviews/${k}`,
    shape: [3, Math.ceil(12 / 2 ** k), Math.ceil(16 / 2 ** k)],
    chunks: CHUNKS,
    level: k
  });
  const root = { path: '', shape: SHAPE, chunks: CHUNKS, level: 0 };
  writeStore(join(served.root, 'pyramid.zarr'), [root, level(1), level(2)]);
  writeStore(join(served.root, 'flat.zarr'), [root]);
  writeStore(join(served.root, 'both.zarr'), [
    root,
    level(1),
    level(2),
    { path: 'timeseries', shape: SHAPE, chunks: [3, 12, 1], level: 0 }
  ]);
});

afterAll(() => rmSync(served.root, { recursive: true, force: true }));

describe('ZarrCubeData with overview levels', () => {
  it('reads the levels of a variable from the consolidated metadata, none for a cube without', async () => {
    const pyramid = await ZarrCubeData.open('test', 'pyramid', 'V');
    expect(pyramid.levels).toEqual([
      { level: 1, path: 'overviews/1', factor: 2 },
      { level: 2, path: 'overviews/2', factor: 4 }
    ]);
    expect((await ZarrCubeData.open('test', 'flat', 'V')).levels).toEqual([]);
  });

  it('shows a face from a coarse level first, blown up to its size, then the exact values', async () => {
    const data = await ZarrCubeData.open('test', 'pyramid', 'V');
    data.facePixels = 64; // 4 cells a side are enough: level 1 (8 × 6) is the coarsest with them
    const sel = selection();
    const front = face(sel, 0);
    const events: string[] = [];
    const values = await data.loadFace(front, sel, coarse => {
      events.push('coarse');
      expect(coarse.length).toBe(16 * 12);
      expect(Array.from(coarse)).toEqual(expected(sel, front, 1));
    });
    events.push('full');
    expect(events).toEqual(['coarse', 'full']);
    expect(Array.from(values)).toEqual(expected(sel, front, 0));
    // 12 chunks of level 1, then the 48 of the full face
    expect(data.fetched.chunks).toBe(60);
    expect(served.keys.filter(k => k.startsWith('pyramid/overviews/1/V/')).length).toBe(12);

    data.facePixels = 32; // 2 cells a side: level 2 (4 × 3, 4 chunks)
    const back = face(sel, 0, 'end');
    let coarseBack: number[] = [];
    await data.loadFace(back, sel, coarse => (coarseBack = Array.from(coarse)));
    expect(coarseBack).toEqual(expected(sel, back, 2));
  });

  it('maps a part of the grid onto the level cells that cover it', async () => {
    const data = await ZarrCubeData.open('test', 'pyramid', 'V');
    data.facePixels = 64;
    const sel = selection([
      { start: 1, end: 3 },
      { start: 3, end: 11 },
      { start: 5, end: 14 }
    ]);
    const front = face(sel, 0);
    let coarse: number[] = [];
    const values = await data.loadFace(front, sel, c => (coarse = Array.from(c)));
    expect(coarse).toEqual(expected(sel, front, 1));
    expect(Array.from(values)).toEqual(expected(sel, front, 0));
  });

  it('gives no coarse picture when it would not save bytes, when the face is cached, or without levels', async () => {
    const data = await ZarrCubeData.open('test', 'pyramid', 'V');
    const sel = selection();
    const front = face(sel, 0);
    const onCoarse = vi.fn();
    // 512 pixels want all 16 × 12 cells: no level has them
    await data.loadFace(front, sel, onCoarse);
    data.facePixels = 64;
    await data.loadFace(front, sel, onCoarse); // cached now: answers at once
    expect(onCoarse).not.toHaveBeenCalled();

    const flat = await ZarrCubeData.open('test', 'flat', 'V');
    flat.facePixels = 64;
    const values = await flat.loadFace(front, sel, onCoarse);
    expect(onCoarse).not.toHaveBeenCalled();
    expect(Array.from(values)).toEqual(expected(sel, front, 0));
    expect(flat.fetched.chunks).toBe(48);
  });

  it('reads a time × lat face from the time-series copy, which comes in one chunk: no first picture', async () => {
    const data = await ZarrCubeData.open('test', 'both', 'V');
    data.facePixels = 64;
    const sel = selection();
    const side = face(sel, 2); // lon index 0: time (u) × lat (v)
    const first = served.keys.length;
    const onCoarse = vi.fn();
    const values = await data.loadFace(side, sel, onCoarse);
    // one chunk of 3 times × 12 lats × 1 lon (36 cells) rather than 18 root chunks of 2 × 2 (72 cells)
    expect(served.keys.slice(first).filter(k => k.includes('/V/'))).toEqual(['both/timeseries/V/0.0.0']);
    expect(onCoarse).not.toHaveBeenCalled();
    expect(Array.from(values)).toEqual(expected(sel, side, 0));
  });

  it('gives a time × lat face a first picture from a level where that reads half the bytes', async () => {
    const data = await ZarrCubeData.open('test', 'pyramid', 'V');
    data.facePixels = 64; // 4 cells a side: level 1 (3 times × 6 lats) reads 9 chunks, the full face 18
    const sel = selection();
    const side = face(sel, 2, 'end'); // lon index 15
    const first = served.keys.length;
    let coarse: number[] = [];
    const values = await data.loadFace(side, sel, c => (coarse = Array.from(c)));
    const keys = served.keys.slice(first);
    expect(keys.filter(k => k.startsWith('pyramid/overviews/1/V/')).sort()).toEqual(
      ['0.0.3', '0.1.3', '0.2.3', '1.0.3', '1.1.3', '1.2.3', '2.0.3', '2.1.3', '2.2.3'].map(
        c => `pyramid/overviews/1/V/${c}`
      )
    );
    expect(keys.filter(k => k.startsWith('pyramid/V/')).length).toBe(18);
    expect(coarse).toEqual(expected(sel, side, 1));
    expect(Array.from(values)).toEqual(expected(sel, side, 0));
  });

  it('asks for the first pictures of faces loaded together before any of their full chunks', async () => {
    const data = await ZarrCubeData.open('test', 'pyramid', 'V');
    data.facePixels = 64;
    const sel = selection();
    const faces = [face(sel, 0), face(sel, 1, 'end'), face(sel, 2, 'end')];
    const first = served.keys.length;
    const coarse: number[] = [];
    await Promise.all(faces.map((f, i) => data.loadFace(f, sel, () => coarse.push(i))));
    const keys = served.keys.slice(first).filter(k => k.includes('/V/'));
    const lastLevel = keys.findLastIndex(k => k.includes('/overviews/'));
    const firstFull = keys.findIndex(k => k.startsWith('pyramid/V/'));
    expect(coarse.sort()).toEqual([0, 1, 2]);
    expect(lastLevel).toBeLessThan(firstFull);
  });

  it('keeps the chunk cache within its bound with the levels read through it', async () => {
    const chunkBytes = 2 * 2 * 4;
    const data = await ZarrCubeData.open('test', 'pyramid', 'V', 5 * chunkBytes);
    data.facePixels = 64;
    const sel = selection();
    const cache = (data as unknown as { source: { cache: { bytes: number; maxBytes: number } } }).source.cache;
    for (const f of cubeFaces(sel.ranges)) {
      let coarse: number[] = [];
      const values = await data.loadFace(f, sel, c => (coarse = Array.from(c)));
      expect(Array.from(values)).toEqual(expected(sel, f, 0));
      // the coarsest level with 4 cells a side: 1 for lon × lat (8 × 6) and time × lat (3 × 6), 2 for lon × time
      expect(coarse).toEqual(expected(sel, f, [1, 2, 1][f.axis]));
      expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    }
  });

  it('says which dataset is gone when its store answers 404', async () => {
    await expect(ZarrCubeData.open('test', 'missing', 'V')).rejects.toThrow(
      'Dataset "missing" of cube server "test" is gone from the cube server (404)'
    );
  });

  it('says what to do when the cube server answers that a store vanished (503)', async () => {
    await expect(ZarrCubeData.open('test', 'vanished', 'V')).rejects.toThrow(
      /Dataset "vanished" of cube server "test" is unavailable on the cube server \(503: Dataset 'vanished' is unavailable\)\. .*open it again from the catalogue/
    );
  });
});
