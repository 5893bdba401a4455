/**
 * CF decoding of data values: `_FillValue` and `missing_value` become NaN, `valid_min`/`valid_max`/`valid_range`
 * mask what lies outside, `scale_factor`/`add_offset` unpack, `_Unsigned` reinterprets signed integers. Values are
 * compared with the fill values and valid range as stored (packed), as the NetCDF User Guide says, unless the
 * range is given in the unpacked (floating-point) type of a packed integer variable.
 */
import { CubeGenError } from './errors';
import type { NumericArray, SourceDtype, SourceVariable } from './source';
import { attrNumber, attrNumbers, attrString } from './source';
import type { FloatArray } from './zarr-writer';

export interface Decoding {
  /** Stored values that mean "missing", in the stored type. */
  fills: number[];
  validMin: number;
  validMax: number;
  /** Whether the valid range applies to the stored (packed) values rather than the unpacked ones. */
  validPacked: boolean;
  scale: number;
  offset: number;
  packed: boolean;
  /** Bit width of signed integers to be read as unsigned (`_Unsigned = "true"`), else 0. */
  unsignedBits: number;
  dtype: SourceDtype;
  /** What the decoding does, for the provenance (without the variable's name, so that variables can share one). */
  steps: string[];
}

/** Counts gathered while decoding, for the provenance and the variable's `actual_range`. */
export interface DecodeStats {
  fillMasked: number;
  rangeMasked: number;
  sourceNaN: number;
  overflow: number;
  valid: number;
  min: number;
  max: number;
  /** Largest |stored − exact physical value| seen (float32 rounding of unpacked or float64 values). */
  maxAbsChange: number;
  maxRelChange: number;
}

export function emptyStats(): DecodeStats {
  return {
    fillMasked: 0,
    rangeMasked: 0,
    sourceNaN: 0,
    overflow: 0,
    valid: 0,
    min: Infinity,
    max: -Infinity,
    maxAbsChange: 0,
    maxRelChange: 0
  };
}

const INTEGER_BITS: Partial<Record<SourceDtype, number>> = { int8: 8, int16: 16, int32: 32 };
const FLOAT32_MAX = 3.4028234663852886e38;

/** Reads the CF packing and masking attributes of a variable. */
export function planDecoding(variable: SourceVariable, path: string): Decoding {
  const { attrs, dtype } = variable;
  if (
    !['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'].includes(dtype)
  ) {
    throw new CubeGenError(`variable ${variable.name} holds ${dtype} values, not numbers`, path);
  }
  const steps: string[] = [];
  const unsigned = (attrString(attrs, '_Unsigned') ?? '').toLowerCase() === 'true';
  const unsignedBits = unsigned ? (INTEGER_BITS[dtype] ?? 0) : 0;
  if (unsignedBits) {
    steps.push(`${dtype} values read as unsigned (_Unsigned = "true")`);
  }
  const castToStored = (value: number): number =>
    dtype === 'float32'
      ? Math.fround(value)
      : dtype === 'float64'
        ? value
        : unsignedBits && value < 0
          ? value + 2 ** unsignedBits
          : value;
  const fillValues = [
    ...(attrNumbers(attrs, '_FillValue') ?? []).slice(0, 1),
    ...(attrNumbers(attrs, 'missing_value') ?? [])
  ];
  const fills = [...new Set(fillValues.map(castToStored))];
  const scale = attrNumber(attrs, 'scale_factor') ?? 1;
  const offset = attrNumber(attrs, 'add_offset') ?? 0;
  const packed = attrs.has('scale_factor') || attrs.has('add_offset');
  if (!Number.isFinite(scale) || !Number.isFinite(offset) || scale === 0) {
    throw new CubeGenError(
      `variable ${variable.name} has an unusable scale_factor/add_offset (${scale}, ${offset})`,
      path
    );
  }
  let validMin = -Infinity;
  let validMax = Infinity;
  let validType: SourceDtype | undefined;
  const range = attrNumbers(attrs, 'valid_range');
  if (range && range.length >= 2) {
    [validMin, validMax] = range;
    validType = attrs.get('valid_range')!.dtype;
  } else {
    const min = attrNumber(attrs, 'valid_min');
    const max = attrNumber(attrs, 'valid_max');
    if (min !== undefined) {
      validMin = min;
      validType = attrs.get('valid_min')!.dtype;
    }
    if (max !== undefined) {
      validMax = max;
      validType = attrs.get('valid_max')!.dtype;
    }
  }
  // A float range on a packed integer variable is in unpacked units (netCDF-Java and CF practice).
  const validPacked = !(
    packed &&
    validType !== undefined &&
    validType.startsWith('float') &&
    !dtype.startsWith('float')
  );
  if (fills.length > 0) {
    steps.push(
      `fill value${fills.length > 1 ? 's' : ''} ${formatStored(fills, dtype)} (_FillValue/missing_value) decoded as NaN`
    );
  }
  if (validMin > -Infinity || validMax < Infinity) {
    steps.push(
      `values outside the valid range [${validMin}, ${validMax}] (${validPacked ? 'stored' : 'unpacked'} units) decoded as NaN`
    );
  }
  if (packed) {
    steps.push(
      `unpacked ${dtype} values as value × ${formatStored([scale], 'float32')} + ${formatStored([offset], 'float32')} (scale_factor, add_offset)`
    );
  }
  return { fills, validMin, validMax, validPacked, scale, offset, packed, unsignedBits, dtype, steps };
}

/** Numbers as short as they can be while still naming the same stored value (float32 -1e34, not -9.99…e33). */
export function formatStored(values: number[], dtype: SourceDtype): string {
  return values
    .map(value => {
      if (dtype !== 'float32' || !Number.isFinite(value)) {
        return String(value);
      }
      for (let digits = 1; digits < 10; digits++) {
        const short = Number(value.toPrecision(digits));
        if (Math.fround(short) === value) return String(short);
      }
      return String(value);
    })
    .join(', ');
}

/**
 * Decodes one (lat, lon) plane: output cell (i, j) takes stored value `raw[rowBase[i] + columnOffset[j]]`, which
 * is where latitude flips, longitude rotations and transposed sources are undone.
 */
export function decodePlane(
  raw: NumericArray,
  rowBase: Int32Array,
  columnOffset: Int32Array,
  out: FloatArray,
  outOffset: number,
  decoding: Decoding,
  stats: DecodeStats
): void {
  const { fills, validMin, validMax, validPacked, scale, offset, packed, unsignedBits } = decoding;
  const fill0 = fills.length > 0 ? fills[0] : NaN;
  const fill1 = fills.length > 1 ? fills[1] : NaN;
  const moreFills = fills.length > 2 ? fills.slice(2) : undefined;
  const unsignedShift = unsignedBits ? 2 ** unsignedBits : 0;
  const float32 = out instanceof Float32Array;
  const lonCount = columnOffset.length;
  let o = outOffset;
  for (let i = 0; i < rowBase.length; i++) {
    const base = rowBase[i];
    for (let j = 0; j < lonCount; j++, o++) {
      let v = raw[base + columnOffset[j]];
      if (v !== v) {
        out[o] = NaN;
        stats.sourceNaN++;
        continue;
      }
      if (unsignedShift && v < 0) v += unsignedShift;
      if (v === fill0 || v === fill1 || (moreFills !== undefined && moreFills.includes(v))) {
        out[o] = NaN;
        stats.fillMasked++;
        continue;
      }
      if (validPacked && (v < validMin || v > validMax)) {
        out[o] = NaN;
        stats.rangeMasked++;
        continue;
      }
      const x = packed ? v * scale + offset : v;
      if (!validPacked && (x < validMin || x > validMax)) {
        out[o] = NaN;
        stats.rangeMasked++;
        continue;
      }
      if (float32 && (x > FLOAT32_MAX || x < -FLOAT32_MAX)) {
        stats.overflow++;
      }
      out[o] = x;
      const stored = out[o];
      const change = Math.abs(stored - x);
      if (change > stats.maxAbsChange) stats.maxAbsChange = change;
      if (x !== 0 && change / Math.abs(x) > stats.maxRelChange) stats.maxRelChange = change / Math.abs(x);
      if (stored < stats.min) stats.min = stored;
      if (stored > stats.max) stats.max = stored;
      stats.valid++;
    }
  }
}

/**
 * Bit rounding (round to nearest, ties to even) of float32 values to `keepbits` mantissa bits, in place; returns
 * the largest absolute change. NaN and infinities are left alone.
 */
export function bitRound(data: Float32Array, keepbits: number): number {
  if (keepbits >= 23) {
    return 0;
  }
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const drop = 23 - keepbits;
  const mask = (0xffffffff << drop) >>> 0;
  const half = (1 << (drop - 1)) - 1;
  let maxChange = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0x7f800000) continue;
    const before = data[i];
    bits[i] = ((b + half + ((b >>> drop) & 1)) & mask) >>> 0;
    const change = Math.abs(data[i] - before);
    if (change > maxChange) maxChange = change;
  }
  return maxChange;
}
