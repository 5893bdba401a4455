/**
 * Writes a Zarr v2 directory store chunk by chunk: `.zgroup`, `.zarray`, `.zattrs` (with xarray's
 * `_ARRAY_DIMENSIONS`), C-order little-endian chunks named "i.j.k", and consolidated metadata (`.zmetadata`) at
 * the root and in every sub-group, so that each group also opens as a store of its own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { chunkGrid, chunkKey, encodeFillValue } from '../common/zarr-v2';
import type { ZarrArrayMeta } from '../common/zarr-v2';
import type { ChunkCodec } from './chunk-codec';
import { product } from './source';

export type FloatArray = Float32Array | Float64Array;

export interface ArraySpec {
  /** Path of the array inside the store, e.g. "SST" or "overviews/1/SST". */
  path: string;
  shape: number[];
  chunks: number[];
  dtype: 'float32' | 'float64';
  dims: string[];
  attrs: Record<string, unknown>;
  codec: ChunkCodec;
  /** NaN for data variables; null for coordinates, which have no missing values. */
  fillValue: number | null;
}

const ZARR_DTYPES = { float32: '<f4', float64: '<f8' } as const;

export class ZarrWriter {
  /** Every metadata document written, by its key relative to the store root. */
  private readonly metadata = new Map<string, unknown>();
  private readonly groups = new Set<string>();
  private readonly folders = new Set<string>();
  private lastTurn = performance.now();
  bytes = 0;
  files = 0;

  constructor(
    readonly root: string,
    private readonly signal?: AbortSignal
  ) {
    if (endianness() !== 'LE') {
      throw new Error('cube-gen writes little-endian chunks from memory and needs a little-endian machine');
    }
  }

  async group(path: string, attrs: Record<string, unknown>): Promise<void> {
    this.groups.add(path);
    await this.writeJson(join(path, '.zgroup'), { zarr_format: 2 });
    await this.writeJson(join(path, '.zattrs'), attrs);
  }

  /** Replaces a group's attributes (the root's are complete only at the end). */
  async groupAttrs(path: string, attrs: Record<string, unknown>): Promise<void> {
    await this.writeJson(join(path, '.zattrs'), attrs);
  }

  async array(spec: ArraySpec): Promise<void> {
    const meta: ZarrArrayMeta = {
      chunks: spec.chunks,
      compressor: spec.codec.config,
      dimension_separator: '.',
      dtype: ZARR_DTYPES[spec.dtype],
      fill_value: encodeFillValue(spec.fillValue),
      filters: null,
      order: 'C',
      shape: spec.shape,
      zarr_format: 2
    };
    await this.writeJson(join(spec.path, '.zarray'), meta);
    await this.writeJson(join(spec.path, '.zattrs'), { _ARRAY_DIMENSIONS: spec.dims, ...spec.attrs });
  }

  /** Writes every chunk of an array held whole in memory (C order, `spec.shape`). */
  async writeAll(spec: ArraySpec, data: FloatArray): Promise<void> {
    const grid = chunkGrid(spec);
    const chunk =
      spec.dtype === 'float32' ? new Float32Array(product(spec.chunks)) : new Float64Array(product(spec.chunks));
    for (const index of chunkIndices(grid)) {
      copyBlock(
        data,
        spec.shape,
        index.map((i, d) => i * spec.chunks[d]),
        spec.chunks,
        chunk,
        spec.fillValue ?? 0
      );
      await this.writeChunk(spec, index, chunk);
    }
  }

  async writeChunk(spec: ArraySpec, index: number[], chunk: FloatArray): Promise<void> {
    if (this.signal?.aborted) {
      throw this.signal.reason;
    }
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const encoded = await spec.codec.encode(bytes);
    await this.writeFile(join(spec.path, chunkKey(index)), encoded);
  }

  /** `.zmetadata` at the root (all keys) and in each sub-group (its own keys, relative to it). */
  async consolidate(): Promise<void> {
    const all = [...this.metadata.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const group of this.groups) {
      const prefix = group === '' ? '' : `${group}/`;
      const entries = all
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value] as const);
      const document = { metadata: Object.fromEntries(entries), zarr_consolidated_format: 1 };
      await this.writeFile(join(group, '.zmetadata'), Buffer.from(asciiJson(document)));
    }
  }

  private async writeJson(key: string, value: unknown): Promise<void> {
    this.metadata.set(key.split('\\').join('/'), value);
    await this.writeFile(key, Buffer.from(asciiJson(value)));
  }

  /**
   * Writes synchronously (an awaited write per chunk costs a thread-pool round trip, which made small cubes
   * spend most of their time idle) and gives the event loop a turn every 20 ms, so that Ctrl-C is seen.
   */
  private async writeFile(key: string, bytes: Uint8Array): Promise<void> {
    const path = join(this.root, key);
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    writeFileSync(path, bytes);
    this.files++;
    this.bytes += bytes.byteLength;
    if (performance.now() - this.lastTurn > 20) {
      await nextTurn();
      this.lastTurn = performance.now();
    }
  }
}

/** JSON with every non-ASCII character escaped: zarr-python 2.13 decodes metadata as ASCII. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u0080-\uffff]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** All chunk indices of a chunk grid, in C order. */
export function* chunkIndices(grid: number[]): Generator<number[]> {
  const index = new Array<number>(grid.length).fill(0);
  if (grid.some(n => n === 0)) {
    return;
  }
  for (;;) {
    yield index.slice();
    let d = grid.length - 1;
    while (d >= 0 && ++index[d] === grid[d]) {
      index[d] = 0;
      d--;
    }
    if (d < 0) {
      return;
    }
  }
}

/**
 * Copies the block of `source` (C order, `shape`) that starts at `start` into `target` (C order, `blockShape`),
 * padding the part beyond the source's edges with `fill`, as Zarr wants edge chunks.
 */
export function copyBlock(
  source: FloatArray,
  shape: number[],
  start: number[],
  blockShape: number[],
  target: FloatArray,
  fill: number
): void {
  const rank = shape.length;
  const extent = shape.map((n, d) => Math.max(0, Math.min(blockShape[d], n - start[d])));
  if (extent.some((n, d) => n < blockShape[d])) {
    target.fill(fill);
  }
  if (rank === 0) {
    target[0] = source[0];
    return;
  }
  const sourceStrides = shape.map((_, d) => product(shape.slice(d + 1)));
  const targetStrides = blockShape.map((_, d) => product(blockShape.slice(d + 1)));
  const rowLength = extent[rank - 1];
  const outer = extent.slice(0, rank - 1);
  for (const index of chunkIndices(outer.length > 0 ? outer : [1])) {
    let from = start[rank - 1];
    let to = 0;
    for (let d = 0; d < rank - 1; d++) {
      from += (start[d] + index[d]) * sourceStrides[d];
      to += index[d] * targetStrides[d];
    }
    target.set(source.subarray(from, from + rowLength), to);
  }
}
