/**
 * Writes small Zarr v2 directory stores for tests (consolidated metadata, C-order chunks, optional
 * compressor), so that tests read real stores through the real DirectoryStore.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compress } from '../../../src/common/codecs';
import type { CodecConfig } from '../../../src/common/zarr-v2';

export interface TestArray {
  dims: string[];
  dtype: string;
  shape: number[];
  chunks?: number[];
  data: ArrayLike<number> | ArrayLike<bigint>;
  attrs?: Record<string, unknown>;
  fill_value?: number | string | null;
  compressor?: CodecConfig | null;
}

type Typed = { new (n: number): { [i: number]: number | bigint; buffer: ArrayBufferLike } };

const CTORS: Record<string, Typed> = {
  '<f4': Float32Array as unknown as Typed,
  '<f8': Float64Array as unknown as Typed,
  '<i2': Int16Array as unknown as Typed,
  '<u1': Uint8Array as unknown as Typed,
  '<i4': Int32Array as unknown as Typed,
  '<i8': BigInt64Array as unknown as Typed
};

const made: string[] = [];

/** Removes the temporary folders of the stores written so far (call it in afterAll). */
export function removeTestStores(): void {
  for (const dir of made.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a store into a new temporary folder (or `dir`) and returns its path. */
export async function writeStore(
  arrays: Record<string, TestArray>,
  attrs: Record<string, unknown> = {},
  dir?: string
): Promise<string> {
  let root = dir;
  if (!root) {
    const folder = mkdtempSync(path.join(tmpdir(), 'cube-test-'));
    made.push(folder);
    root = path.join(folder, 'cube.zarr');
  }
  mkdirSync(root, { recursive: true });
  const metadata: Record<string, unknown> = { '.zgroup': { zarr_format: 2 }, '.zattrs': attrs };
  for (const [name, array] of Object.entries(arrays)) {
    const chunks = array.chunks ?? array.shape;
    const zarray = {
      zarr_format: 2,
      shape: array.shape,
      chunks,
      dtype: array.dtype,
      compressor: array.compressor ?? null,
      fill_value: array.fill_value === undefined ? null : array.fill_value,
      order: 'C',
      filters: null
    };
    const zattrs = { _ARRAY_DIMENSIONS: array.dims, ...(array.attrs ?? {}) };
    metadata[`${name}/.zarray`] = zarray;
    metadata[`${name}/.zattrs`] = zattrs;
    const dirOf = path.join(root, name);
    mkdirSync(dirOf, { recursive: true });
    writeFileSync(path.join(dirOf, '.zarray'), JSON.stringify(zarray));
    writeFileSync(path.join(dirOf, '.zattrs'), JSON.stringify(zattrs));
    const ctor = CTORS[array.dtype];
    const grid = array.shape.map((s, i) => Math.ceil(s / chunks[i]));
    const total = grid.reduce((a, b) => a * b, 1);
    const chunkSize = chunks.reduce((a, b) => a * b, 1);
    for (let c = 0; c < total; c++) {
      const index: number[] = [];
      let rest = c;
      for (let d = grid.length - 1; d >= 0; d--) {
        index.unshift(rest % grid[d]);
        rest = Math.floor(rest / grid[d]);
      }
      const out = new ctor(chunkSize);
      for (let k = 0; k < chunkSize; k++) {
        // position inside the chunk → position in the array (C order); outside the array: fill
        let offset = 0;
        let inside = true;
        let r = k;
        const local: number[] = [];
        for (let d = chunks.length - 1; d >= 0; d--) {
          local.unshift(r % chunks[d]);
          r = Math.floor(r / chunks[d]);
        }
        for (let d = 0; d < chunks.length; d++) {
          const g = index[d] * chunks[d] + local[d];
          if (g >= array.shape[d]) {
            inside = false;
          }
          offset = offset * array.shape[d] + g;
        }
        if (inside) {
          out[k] = array.data[offset] as never;
        }
      }
      const bytes = await compress(new Uint8Array(out.buffer as ArrayBuffer), array.compressor ?? null);
      writeFileSync(path.join(dirOf, index.length ? index.join('.') : '0'), bytes);
    }
  }
  writeFileSync(path.join(root, '.zgroup'), JSON.stringify({ zarr_format: 2 }));
  writeFileSync(path.join(root, '.zattrs'), JSON.stringify(attrs));
  writeFileSync(path.join(root, '.zmetadata'), JSON.stringify({ zarr_consolidated_format: 1, metadata }));
  return root;
}

/** Centres of `n` regular cells from `start` with `step`. */
export function centres(start: number, step: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** A global lat/lon cube whose variable `v` holds each cell's longitude centre (time, lat, lon). */
export async function lonCube(
  lons: number[],
  lats: number[],
  options: { chunks?: number[]; times?: number } = {}
): Promise<string> {
  const times = options.times ?? 1;
  const data = new Float32Array(times * lats.length * lons.length);
  for (let t = 0; t < times; t++) {
    for (let r = 0; r < lats.length; r++) {
      for (let c = 0; c < lons.length; c++) {
        data[(t * lats.length + r) * lons.length + c] = lons[c];
      }
    }
  }
  return writeStore({
    time: {
      dims: ['time'],
      dtype: '<f8',
      shape: [times],
      data: centres(0, 1, times),
      attrs: { units: 'days since 2000-01-01', calendar: 'proleptic_gregorian' }
    },
    lat: { dims: ['lat'], dtype: '<f8', shape: [lats.length], data: lats, attrs: { units: 'degrees_north' } },
    lon: { dims: ['lon'], dtype: '<f8', shape: [lons.length], data: lons, attrs: { units: 'degrees_east' } },
    v: {
      dims: ['time', 'lat', 'lon'],
      dtype: '<f4',
      shape: [times, lats.length, lons.length],
      chunks: options.chunks ?? [1, lats.length, lons.length],
      data,
      fill_value: 'NaN',
      compressor: { id: 'zlib', level: 1 }
    }
  });
}
