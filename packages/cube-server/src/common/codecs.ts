/**
 * Chunk compressors of Zarr v2 (numcodecs ids): decode and encode. zlib and gzip go through node:zlib (2-4x
 * faster than the JavaScript inflaters); blosc, zstd and lz4 through numcodecs' WebAssembly builds.
 * Shared by the cube server (decode) and cube-gen (encode).
 */
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { Blosc, LZ4, Zstd } from 'numcodecs';
import { bloscDecodeJs } from './blosc';
import type { CodecConfig } from './zarr-v2';

/** The compressor ids this module decodes and encodes. */
export const SUPPORTED_COMPRESSORS = ['blosc', 'zlib', 'gzip', 'zstd', 'lz4'] as const;

/** The filter ids this module decodes and encodes (applied after decompression when reading). */
export const SUPPORTED_FILTERS = ['shuffle'] as const;

interface WasmCodec {
  encode(data: Uint8Array): Promise<Uint8Array>;
  decode(data: Uint8Array): Promise<Uint8Array>;
}

const wasmCodecs = new Map<string, WasmCodec>();

function wasmCodec(config: CodecConfig): WasmCodec {
  const key = JSON.stringify(config);
  let codec = wasmCodecs.get(key);
  if (!codec) {
    if (config.id === 'blosc') {
      // numcodecs writes uncompressed blocks when shuffle is the v3 string form: always pass the number
      const shuffle = typeof config.shuffle === 'number' ? config.shuffle : config.shuffle === 'bitshuffle' ? 2 : 1;
      codec = Blosc.fromConfig({
        cname: typeof config.cname === 'string' ? config.cname : 'lz4',
        clevel: typeof config.clevel === 'number' ? config.clevel : 5,
        shuffle,
        blocksize: typeof config.blocksize === 'number' ? config.blocksize : 0
      } as never) as WasmCodec;
    } else if (config.id === 'zstd') {
      codec = Zstd.fromConfig({ level: typeof config.level === 'number' ? config.level : 1 } as never) as WasmCodec;
    } else {
      codec = LZ4.fromConfig({
        acceleration: typeof config.acceleration === 'number' ? config.acceleration : 1
      } as never) as WasmCodec;
    }
    wasmCodecs.set(key, codec);
  }
  return codec;
}

/** Checks that a compressor can be decoded; returns an error message naming it, or null. */
export function compressorProblem(config: CodecConfig | null | undefined): string | null {
  if (config === null || config === undefined) {
    return null;
  }
  if (!config || typeof config !== 'object' || typeof config.id !== 'string') {
    return `compressor ${JSON.stringify(config)} has no codec id`;
  }
  if (!(SUPPORTED_COMPRESSORS as readonly string[]).includes(config.id)) {
    return `compressor '${config.id}' is not supported (supported: ${SUPPORTED_COMPRESSORS.join(', ')}, or none)`;
  }
  return null;
}

/** Checks that filters can be decoded; returns an error message naming the first unsupported one, or null. */
export function filtersProblem(filters: CodecConfig[] | null | undefined): string | null {
  for (const filter of filters ?? []) {
    if (!filter || !(SUPPORTED_FILTERS as readonly string[]).includes(filter.id)) {
      return `filter ${JSON.stringify(filter?.id ?? filter)} is not supported (supported: ${SUPPORTED_FILTERS.join(', ')})`;
    }
  }
  return null;
}

/** Decompresses one chunk's bytes with its `.zarray` compressor (null: stored uncompressed). */
export async function decompress(data: Uint8Array, compressor: CodecConfig | null): Promise<Uint8Array> {
  if (!compressor) {
    return data;
  }
  switch (compressor.id) {
    case 'zlib':
      return inflateSync(data);
    case 'gzip':
      return gunzipSync(data);
    case 'blosc':
      // LZ4 and stored frames decode faster in JavaScript; other inner codecs go to the WebAssembly build
      return bloscDecodeJs(data) ?? wasmCodec(compressor).decode(data);
    case 'zstd':
    case 'lz4':
      return wasmCodec(compressor).decode(data);
    default:
      throw new Error(compressorProblem(compressor) ?? `unknown compressor ${compressor.id}`);
  }
}

/** Compresses one chunk's bytes with a compressor (null: returned as they are). */
export async function compress(data: Uint8Array, compressor: CodecConfig | null): Promise<Uint8Array> {
  if (!compressor) {
    return data;
  }
  switch (compressor.id) {
    case 'zlib':
      return deflateSync(data, { level: typeof compressor.level === 'number' ? compressor.level : 1 });
    case 'gzip':
      return gzipSync(data, { level: typeof compressor.level === 'number' ? compressor.level : 1 });
    case 'blosc':
    case 'zstd':
    case 'lz4':
      return wasmCodec(compressor).encode(data);
    default:
      throw new Error(compressorProblem(compressor) ?? `unknown compressor ${compressor.id}`);
  }
}

/** numcodecs' Shuffle filter, undone: bytes were grouped by position within each element. */
function unshuffle(data: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) {
    return data;
  }
  const n = Math.floor(data.length / elementSize);
  const out = new Uint8Array(data.length);
  for (let b = 0; b < elementSize; b++) {
    const base = b * n;
    for (let i = 0; i < n; i++) {
      out[i * elementSize + b] = data[base + i];
    }
  }
  out.set(data.subarray(n * elementSize), n * elementSize);
  return out;
}

function shuffle(data: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) {
    return data;
  }
  const n = Math.floor(data.length / elementSize);
  const out = new Uint8Array(data.length);
  for (let b = 0; b < elementSize; b++) {
    const base = b * n;
    for (let i = 0; i < n; i++) {
      out[base + i] = data[i * elementSize + b];
    }
  }
  out.set(data.subarray(n * elementSize), n * elementSize);
  return out;
}

/** Undoes the `.zarray` filters (in reverse order), after decompression. */
export function decodeFilters(data: Uint8Array, filters: CodecConfig[] | null, itemSize: number): Uint8Array {
  let out = data;
  for (const filter of [...(filters ?? [])].reverse()) {
    if (filter.id !== 'shuffle') {
      throw new Error(filtersProblem([filter]) ?? `unknown filter ${filter.id}`);
    }
    out = unshuffle(out, typeof filter.elementsize === 'number' ? filter.elementsize : itemSize);
  }
  return out;
}

/** Applies the `.zarray` filters in order, before compression. */
export function encodeFilters(data: Uint8Array, filters: CodecConfig[] | null, itemSize: number): Uint8Array {
  let out = data;
  for (const filter of filters ?? []) {
    if (filter.id !== 'shuffle') {
      throw new Error(filtersProblem([filter]) ?? `unknown filter ${filter.id}`);
    }
    out = shuffle(out, typeof filter.elementsize === 'number' ? filter.elementsize : itemSize);
  }
  return out;
}
