/**
 * The recipe's compressor as a `.zarray` compressor entry (zarr-python's form: blosc's shuffle as the number),
 * encoded by the shared `common/codecs`, which the server decodes with.
 */
import { compress } from '../common/codecs';
import type { CodecConfig } from '../common/zarr-v2';
import type { CompressorConfig } from './recipe';

export interface ChunkCodec {
  /** The `.zarray` "compressor" value. */
  config: CodecConfig | null;
  /** A short description for the log and the provenance. */
  label: string;
  encode(bytes: Uint8Array): Promise<Uint8Array>;
}

export function makeCodec(compressor: CompressorConfig): ChunkCodec {
  let config: CodecConfig | null;
  let label: string;
  switch (compressor.id) {
    case 'blosc': {
      const { cname, clevel, shuffle } = compressor;
      config = { id: 'blosc', cname, clevel, shuffle, blocksize: 0 };
      label = `blosc ${cname} level ${clevel} with ${['noshuffle', 'shuffle', 'bitshuffle'][shuffle]}`;
      break;
    }
    case 'zlib':
    case 'gzip':
      config = { id: compressor.id, level: compressor.level };
      label = `${compressor.id} level ${compressor.level}`;
      break;
    case 'none':
      config = null;
      label = 'no compression';
  }
  return { config, label, encode: bytes => compress(bytes, config) };
}

/** Coordinates stay uncompressed: they are small and every reader wants them at once. */
export const RAW_CODEC: ChunkCodec = makeCodec({ id: 'none' });
