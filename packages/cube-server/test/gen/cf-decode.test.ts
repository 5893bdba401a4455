import { describe, expect, it } from 'vitest';

import { bitRound, decodePlane, emptyStats, formatStored, planDecoding } from '../../src/gen/cf-decode';
import type { AttrValue, SourceDtype, SourceVariable } from '../../src/gen/source';

function variable(dtype: SourceDtype, attrs: Record<string, [AttrValue, SourceDtype]>): SourceVariable {
  return {
    name: 'v',
    dims: ['lat', 'lon'],
    shape: [1, 4],
    dtype,
    attrs: new Map(Object.entries(attrs).map(([key, [value, type]]) => [key, { value, dtype: type }]))
  };
}

function decode(raw: ArrayLike<number> & { length: number }, source: SourceVariable, float64 = false) {
  const decoding = planDecoding(source, 'test.nc');
  const out = float64 ? new Float64Array(raw.length) : new Float32Array(raw.length);
  const stats = emptyStats();
  const rows = Int32Array.of(0);
  const columns = Int32Array.from({ length: raw.length }, (_, i) => i);
  decodePlane(raw as Float32Array, rows, columns, out, 0, decoding, stats);
  return { out: Array.from(out), stats, decoding };
}

describe('CF decoding', () => {
  it('masks the float32 fill values of the Ferret files (-1e34, +1e34, -1e10, -99.9, 1e20)', () => {
    for (const fill of [-1e34, 1e34, -1e10, -99.9, 1e20]) {
      const raw = Float32Array.of(fill, 1.5, fill, -2);
      const { out, stats } = decode(raw, variable('float32', { _FillValue: [Math.fround(fill), 'float32'] }));
      expect(out).toEqual([NaN, 1.5, NaN, -2]);
      expect(stats.fillMasked).toBe(2);
    }
  });

  it('masks missing_value alone, and a fill value given as double for float data', () => {
    const raw = Float32Array.of(-99.9, 3, 7);
    expect(decode(raw, variable('float32', { missing_value: [-99.9, 'float64'] })).out).toEqual([NaN, 3, 7]);
    const both = variable('float32', { _FillValue: [-1, 'float32'], missing_value: [[7, 8], 'float32'] });
    expect(decode(Float32Array.of(-1, 3, 7, 8), both).out).toEqual([NaN, 3, NaN, NaN]);
  });

  it('unpacks scale_factor/add_offset after masking the packed fill value and valid range', () => {
    const source = variable('int16', {
      _FillValue: [-32768, 'int16'],
      scale_factor: [Math.fround(0.01), 'float32'],
      add_offset: [20, 'float32'],
      valid_range: [[-3000, 3000], 'int16']
    });
    const { out, stats, decoding } = decode(Int16Array.of(-32768, -1500, 3500, 100), source, true);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(5, 5);
    expect(out[2]).toBeNaN();
    expect(out[3]).toBeCloseTo(21, 5);
    expect(stats).toMatchObject({ fillMasked: 1, rangeMasked: 1, valid: 2 });
    expect(decoding.steps.join('\n')).toMatch(/unpacked int16 values as value × 0.01 \+ 20/);
  });

  it('reads a float valid range of packed integers in unpacked units', () => {
    const source = variable('int16', {
      scale_factor: [0.5, 'float64'],
      valid_max: [10, 'float64']
    });
    expect(decode(Int16Array.of(20, 21), source).out).toEqual([10, NaN]);
  });

  it('applies valid_min and valid_max to unpacked data', () => {
    const source = variable('float32', { valid_min: [0, 'float32'], valid_max: [5, 'float32'] });
    expect(decode(Float32Array.of(-1, 0, 5, 6), source).out).toEqual([NaN, 0, 5, NaN]);
  });

  it('reads _Unsigned bytes as unsigned', () => {
    const source = variable('int8', { _Unsigned: ['true', 'char'], _FillValue: [-1, 'int8'] });
    expect(decode(Int8Array.of(-1, -2, 5), source).out).toEqual([NaN, 254, 5]);
  });

  it('measures the float32 rounding of float64 values and keeps the range', () => {
    const { out, stats } = decode(Float64Array.of(0.1, 1e-3, 300.123456789), variable('float64', {}));
    expect(out[0]).toBe(Math.fround(0.1));
    expect(stats.maxAbsChange).toBeGreaterThan(0);
    expect(stats.maxRelChange).toBeLessThan(6e-8);
    expect(stats.min).toBe(Math.fround(1e-3));
  });

  it('refuses unusable packing and text variables', () => {
    expect(() => planDecoding(variable('float32', { scale_factor: [0, 'float32'] }), 'x.nc')).toThrow(
      /x.nc: variable v has an unusable scale_factor/
    );
    expect(() => planDecoding(variable('char', {}), 'x.nc')).toThrow(/holds char values, not numbers/);
  });

  it('bit-rounds float32 mantissas to the nearest, ties to even, leaving NaN alone', () => {
    const data = Float32Array.of(1.2345678, NaN, -3.999, 1 + 2 ** -10);
    const change = bitRound(data, 3);
    expect(Array.from(data)).toEqual([1.25, NaN, -4, 1]);
    expect(change).toBeCloseTo(0.0154, 3);
  });

  it('prints float32 values as short as they stay the same', () => {
    expect(formatStored([Math.fround(-1e34), Math.fround(-99.9)], 'float32')).toBe('-1e+34, -99.9');
    expect(formatStored([0.1], 'float64')).toBe('0.1');
  });
});
