/**
 * Zarr v2 metadata as JSON (`.zarray`, `.zattrs`, `.zgroup`, `.zmetadata`) and its data types: what the cube
 * server reads and cube-gen writes. Plain data, no I/O.
 */

/** A numcodecs codec configuration (`compressor` or an entry of `filters`). */
export interface CodecConfig {
  id: string;
  [key: string]: unknown;
}

/** The `.zarray` of one array. */
export interface ZarrArrayMeta {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  dtype: string;
  compressor: CodecConfig | null;
  fill_value: number | string | boolean | null;
  order: 'C' | 'F';
  filters: CodecConfig[] | null;
  dimension_separator?: '.' | '/';
}

/** The consolidated metadata of a group (`.zmetadata`). */
export interface ZarrConsolidated {
  zarr_consolidated_format: 1;
  metadata: Record<string, unknown>;
}

/** The typed-array constructors a Zarr dtype maps to. */
export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A parsed Zarr v2 numeric dtype such as `<f4`, `>i2`, `|u1`, `<M8[ns]`. */
export interface ZarrDtype {
  /** the dtype string as written */
  text: string;
  /** b bool, i signed, u unsigned, f float, M datetime64, m timedelta64 */
  kind: 'b' | 'i' | 'u' | 'f' | 'M' | 'm';
  bytes: number;
  littleEndian: boolean;
  /** datetime64/timedelta64 unit, e.g. `ns`, `s`, `D` */
  timeUnit?: string;
  /** numpy's name: float32, int16, datetime64[ns], … */
  numpyName: string;
}

/** Parses a Zarr v2 dtype; throws for structured, string and complex types, which cubes do not use. */
export function parseDtype(text: string): ZarrDtype {
  const match = /^([<>|])([biufMm])(\d+)(?:\[(\w+)\])?$/.exec(typeof text === 'string' ? text : '');
  if (!match) {
    throw new Error(`unsupported Zarr dtype ${JSON.stringify(text)} (numeric types only, e.g. "<f4")`);
  }
  const [, order, kind, size, timeUnit] = match;
  const bytes = Number(size);
  const valid =
    kind === 'b'
      ? bytes === 1
      : kind === 'f'
        ? bytes === 2 || bytes === 4 || bytes === 8
        : kind === 'M' || kind === 'm'
          ? bytes === 8
          : [1, 2, 4, 8].includes(bytes);
  if (!valid) {
    throw new Error(`unsupported Zarr dtype ${JSON.stringify(text)}`);
  }
  const numpyName =
    kind === 'b'
      ? 'bool'
      : kind === 'f'
        ? `float${bytes * 8}`
        : kind === 'i'
          ? `int${bytes * 8}`
          : kind === 'u'
            ? `uint${bytes * 8}`
            : `${kind === 'M' ? 'datetime64' : 'timedelta64'}${timeUnit ? `[${timeUnit}]` : ''}`;
  return {
    text,
    kind: kind as ZarrDtype['kind'],
    bytes,
    littleEndian: order !== '>',
    timeUnit,
    numpyName
  };
}

/**
 * Views little-endian (or byte-swapped big-endian) bytes as the typed array of a dtype. float16 is widened to
 * Float32Array. The bytes are copied when they are not aligned or need swapping.
 */
export function bytesToTypedArray(bytes: Uint8Array, dtype: ZarrDtype): NumericArray {
  let data = bytes;
  const n = Math.floor(bytes.byteLength / dtype.bytes);
  if (!dtype.littleEndian && dtype.bytes > 1) {
    data = new Uint8Array(n * dtype.bytes);
    for (let i = 0; i < n; i++) {
      for (let b = 0; b < dtype.bytes; b++) {
        data[i * dtype.bytes + b] = bytes[i * dtype.bytes + dtype.bytes - 1 - b];
      }
    }
  } else if (data.byteOffset % dtype.bytes !== 0) {
    data = data.slice();
  }
  const buffer = data.buffer;
  const offset = data.byteOffset;
  switch (dtype.kind) {
    case 'b':
    case 'u':
      return dtype.bytes === 1
        ? new Uint8Array(buffer, offset, n)
        : dtype.bytes === 2
          ? new Uint16Array(buffer, offset, n)
          : dtype.bytes === 4
            ? new Uint32Array(buffer, offset, n)
            : new BigUint64Array(buffer, offset, n);
    case 'i':
      return dtype.bytes === 1
        ? new Int8Array(buffer, offset, n)
        : dtype.bytes === 2
          ? new Int16Array(buffer, offset, n)
          : dtype.bytes === 4
            ? new Int32Array(buffer, offset, n)
            : new BigInt64Array(buffer, offset, n);
    case 'M':
    case 'm':
      return new BigInt64Array(buffer, offset, n);
    case 'f':
      if (dtype.bytes === 2) {
        return halfToFloat32(new Uint16Array(buffer, offset, n));
      }
      return dtype.bytes === 4 ? new Float32Array(buffer, offset, n) : new Float64Array(buffer, offset, n);
  }
}

function halfToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * 2 ** -14 * (frac / 1024)
        : exp === 31
          ? frac
            ? NaN
            : sign * Infinity
          : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}

/** The numeric value of a `.zarray` `fill_value` ("NaN", "Infinity", "-Infinity", numbers); null when unset. */
export function decodeFillValue(fill: unknown): number | null {
  if (fill === null || fill === undefined) {
    return null;
  }
  if (typeof fill === 'number') {
    return fill;
  }
  if (typeof fill === 'boolean') {
    return fill ? 1 : 0;
  }
  if (fill === 'NaN') {
    return NaN;
  }
  if (fill === 'Infinity') {
    return Infinity;
  }
  if (fill === '-Infinity') {
    return -Infinity;
  }
  return null;
}

/** The JSON a `.zarray` writes for a fill value (NaN and infinities as strings, per the Zarr v2 spec). */
export function encodeFillValue(value: number | null): number | string | null {
  if (value === null) {
    return null;
  }
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return 'Infinity';
  }
  if (value === -Infinity) {
    return '-Infinity';
  }
  return value;
}

/** The store key of a chunk: `0.3.1` (or `0/3/1` with the `/` separator). */
export function chunkKey(indices: readonly number[], separator: '.' | '/' = '.'): string {
  return indices.length === 0 ? '0' : indices.join(separator);
}

/** The number of chunks along each dimension. */
export function chunkGrid(meta: Pick<ZarrArrayMeta, 'shape' | 'chunks'>): number[] {
  return meta.shape.map((size, i) => Math.ceil(size / meta.chunks[i]));
}

/** Nanoseconds, microseconds, … per datetime64 unit, in milliseconds. */
export const DATETIME64_UNIT_MS: Record<string, number> = {
  Y: NaN,
  M: NaN,
  W: 7 * 86_400_000,
  D: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  ns: 1e-6
};
