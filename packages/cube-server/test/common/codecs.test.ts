import { describe, expect, it } from 'vitest';
import { compress, compressorProblem, decodeFilters, decompress, encodeFilters } from '../../src/common/codecs';
import { bytesToTypedArray, decodeFillValue, parseDtype } from '../../src/common/zarr-v2';

const values = new Float32Array(4096).map((_, i) => Math.round(Math.sin(i / 50) * 100));
const bytes = new Uint8Array(values.buffer);

describe('codecs', () => {
  for (const compressor of [
    null,
    { id: 'zlib', level: 1 },
    { id: 'gzip', level: 1 },
    { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 },
    { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 },
    { id: 'blosc', cname: 'zlib', clevel: 5, shuffle: 2, blocksize: 0 },
    { id: 'blosc', cname: 'blosclz', clevel: 5, shuffle: 0, blocksize: 0 },
    { id: 'zstd', level: 3 },
    { id: 'lz4', acceleration: 1 }
  ]) {
    it(`round-trips ${JSON.stringify(compressor)}`, async () => {
      const packed = await compress(bytes, compressor);
      if (compressor) {
        expect(packed.length).toBeLessThan(bytes.length);
      }
      expect(new Float32Array((await decompress(packed, compressor)).slice().buffer)).toEqual(values);
    });
  }

  it('names unsupported compressors and undoes the shuffle filter', () => {
    expect(compressorProblem({ id: 'bz2' })).toMatch(/'bz2' is not supported/);
    const shuffled = encodeFilters(bytes, [{ id: 'shuffle', elementsize: 4 }], 4);
    expect(shuffled).not.toEqual(bytes);
    expect(decodeFilters(shuffled, [{ id: 'shuffle', elementsize: 4 }], 4)).toEqual(bytes);
  });
});

describe('Zarr dtypes', () => {
  it('parses and views numeric dtypes, swapping big-endian bytes', () => {
    expect(parseDtype('<f4').numpyName).toBe('float32');
    expect(parseDtype('<M8[ns]').numpyName).toBe('datetime64[ns]');
    expect(() => parseDtype('<U10')).toThrow(/unsupported/);
    const be = new Uint8Array([0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]);
    expect(Array.from(bytesToTypedArray(be, parseDtype('>f4')) as Float32Array)).toEqual([1, 2]);
    expect(Array.from(bytesToTypedArray(new Uint8Array([0, 0x3c]), parseDtype('<f2')) as Float32Array)).toEqual([1]);
    expect(decodeFillValue('NaN')).toBeNaN();
    expect(decodeFillValue(-9999)).toBe(-9999);
    expect(decodeFillValue(null)).toBeNull();
  });
});
