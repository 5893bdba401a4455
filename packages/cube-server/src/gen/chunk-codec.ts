/**
 * Chunk compression for the Zarr v2 stores: blosc through numcodecs' wasm build, zlib and gzip through
 * node:zlib. The `.zarray` compressor entry is written in zarr-python's form (blosc's shuffle as the number).
 */
import { deflateSync, gzipSync } from 'node:zlib';

import Blosc from 'numcodecs/blosc';

import type { CompressorConfig } from './recipe';

export interface ChunkCodec {
  /** The `.zarray` "compressor" value. */
  config: Record<string, unknown> | null;
  /** A short description for the log and the provenance. */
  label: string;
  encode(bytes: Uint8Array): Promise<Uint8Array>;
}

export function makeCodec(config: CompressorConfig): ChunkCodec {
  switch (config.id) {
    case 'blosc': {
      const blosc = Blosc.fromConfig({
        id: 'blosc',
        clevel: config.clevel,
        cname: config.cname,
        shuffle: config.shuffle
      });
      const shuffleName = ['noshuffle', 'shuffle', 'bitshuffle'][config.shuffle];
      return {
        config: { id: 'blosc', cname: config.cname, clevel: config.clevel, shuffle: config.shuffle, blocksize: 0 },
        label: `blosc ${config.cname} level ${config.clevel} with ${shuffleName}`,
        encode: async bytes => blosc.encode(bytes)
      };
    }
    case 'zlib':
      return {
        config: { id: 'zlib', level: config.level },
        label: `zlib level ${config.level}`,
        encode: async bytes => deflateSync(bytes, { level: config.level })
      };
    case 'gzip':
      return {
        config: { id: 'gzip', level: config.level },
        label: `gzip level ${config.level}`,
        encode: async bytes => gzipSync(bytes, { level: config.level })
      };
    case 'none':
      return { config: null, label: 'no compression', encode: async bytes => bytes };
  }
}

/** Coordinates stay uncompressed: they are small and every reader wants them at once. */
export const RAW_CODEC: ChunkCodec = makeCodec({ id: 'none' });
