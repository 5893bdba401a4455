/**
 * One opened cube: its Zarr v2 metadata (consolidated, or gathered from the `.zarray`/`.zattrs` files), its
 * dimensions and coordinates (CF time decoded), its data variables on a lat/lon grid, its overview levels
 * (`esdl_overviews`) and time-series copy (`esdl_timeseries`), and decoded chunks as physical values (fill
 * values, `missing_value` and values outside `valid_min`/`valid_max`/`valid_range` as NaN, `scale_factor` and
 * `add_offset` applied), kept in a shared byte-capped LRU cache.
 */
import { createHash } from 'node:crypto';
import { decodeFilters, compressorProblem, decompress, filtersProblem } from '../common/codecs';
import { cfDateToEpochMs, cfDateToIso, decodeCfTime, epochMsToCfDate, parseCfTimeUnits } from '../common/cf-time';
import {
  CodecConfig,
  DATETIME64_UNIT_MS,
  ZarrArrayMeta,
  ZarrConsolidated,
  ZarrDtype,
  bytesToTypedArray,
  chunkKey,
  decodeFillValue,
  parseDtype,
  type NumericArray
} from '../common/zarr-v2';
import { ByteLru } from './lru';
import { DirectoryStore, Store } from './stores';
import { timed } from './stage-timer';

/** Decoded chunk values: float32 for small types, float64 for float64 and wide integers. */
export type Values = Float32Array | Float64Array;

/** How raw stored values become physical values. */
interface ValueDecoding {
  /** raw values that mean "no data" (`fill_value`, `_FillValue`, `missing_value`), as the dtype stores them */
  fills: number[];
  scale: number;
  offset: number;
  /** valid range, compared with raw values when the variable is packed (CF), else with physical values */
  validMin: number;
  validMax: number;
  packed: boolean;
  float64: boolean;
}

/** One Zarr array of the store. */
export interface ArrayInfo {
  /** the path in the store: `sst`, `overviews/1/sst`, `timeseries/sst` */
  path: string;
  name: string;
  meta: ZarrArrayMeta;
  attrs: Record<string, unknown>;
  dims: string[];
  dtype: ZarrDtype;
  separator: '.' | '/';
  decoding: ValueDecoding;
  /** a codec this server cannot decode, or null */
  problem: string | null;
}

/** A coordinate axis of cells: centres and the edges between them. */
export interface Axis {
  name: string;
  centres: Float64Array;
  /** n + 1 edges, in the order of the centres */
  edges: Float64Array;
  ascending: boolean;
  /** longitudes are compared modulo 360 */
  isLon: boolean;
  /** for longitudes: whether the axis covers the whole circle (so it wraps at the dateline) */
  global: boolean;
}

/** The lat/lon grid of one level. */
export interface Grid {
  lat: Axis;
  lon: Axis;
}

/** A resolution level: 0 is the cube itself, then its overviews, each `factor` times coarser. */
export interface Level {
  index: number;
  factor: number;
  /** the group path prefix of its arrays: '' or 'overviews/1/' */
  prefix: string;
  grid: Grid;
}

/** A non-spatial or spatial dimension with its labels. */
export interface Dimension {
  name: string;
  size: number;
  /** numpy's dtype name as xcube reports it (`datetime64[ns]` for time) */
  dtype: string;
  /** numeric coordinate values; for time, milliseconds since 1970 (proleptic Gregorian) */
  values: number[];
  /** labels as xcube writes them: ISO strings for time, numbers otherwise */
  labels: (string | number)[];
  isTime: boolean;
  attrs: Record<string, unknown>;
}

const LAT_NAMES = ['lat', 'latitude', 'y'];
const LON_NAMES = ['lon', 'longitude', 'x'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function numberAttr(attrs: Record<string, unknown>, name: string): number | undefined {
  const value = attrs[name];
  if (typeof value === 'number') {
    return value;
  }
  if (Array.isArray(value) && typeof value[0] === 'number') {
    return value[0];
  }
  return undefined;
}

function numberList(value: unknown): number[] {
  if (typeof value === 'number') {
    return [value];
  }
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

/** Raw values as the dtype stores them: a float32 fill of -1e34 is Math.fround(-1e34). */
function asStored(value: number, dtype: ZarrDtype): number {
  return dtype.kind === 'f' && dtype.bytes <= 4 ? Math.fround(value) : value;
}

function valueDecoding(meta: ZarrArrayMeta, attrs: Record<string, unknown>, dtype: ZarrDtype): ValueDecoding {
  const fills = new Set<number>();
  const fill = decodeFillValue(meta.fill_value);
  // numpy/zarr write 0 as the default fill of integer arrays: only a declared attribute masks it then
  if (
    fill !== null &&
    (dtype.kind === 'f' || attrs._FillValue !== undefined || !Number.isInteger(fill) || fill !== 0)
  ) {
    fills.add(asStored(fill, dtype));
  }
  for (const name of ['_FillValue', 'missing_value']) {
    for (const value of numberList(attrs[name])) {
      fills.add(asStored(value, dtype));
    }
  }
  const scale = numberAttr(attrs, 'scale_factor') ?? 1;
  const offset = numberAttr(attrs, 'add_offset') ?? 0;
  const packed = attrs.scale_factor !== undefined || attrs.add_offset !== undefined;
  let validMin = -Infinity;
  let validMax = Infinity;
  const range = numberList(attrs.valid_range);
  if (range.length === 2) {
    [validMin, validMax] = range;
  }
  validMin = numberAttr(attrs, 'valid_min') ?? validMin;
  validMax = numberAttr(attrs, 'valid_max') ?? validMax;
  const float64 =
    (dtype.kind === 'f' && dtype.bytes === 8) ||
    ((dtype.kind === 'i' || dtype.kind === 'u') && dtype.bytes >= 4 && !packed);
  return { fills: [...fills].filter(v => !Number.isNaN(v)), scale, offset, validMin, validMax, packed, float64 };
}

/** Raw chunk values to physical values (NaN where there is no valid value). */
export function toPhysical(raw: NumericArray, decoding: ValueDecoding, n: number): Values {
  const { fills, scale, offset, validMin, validMax, packed, float64 } = decoding;
  const plain = fills.length === 0 && scale === 1 && offset === 0 && validMin === -Infinity && validMax === Infinity;
  if (plain && ((float64 && raw instanceof Float64Array) || (!float64 && raw instanceof Float32Array))) {
    return raw.length === n ? raw : (raw.slice(0, n) as Values);
  }
  const out = float64 ? new Float64Array(n) : new Float32Array(n);
  const count = Math.min(n, raw.length);
  const fill0 = fills.length > 0 ? fills[0] : NaN;
  const moreFills = fills.length > 1;
  const big = raw instanceof BigInt64Array || raw instanceof BigUint64Array;
  for (let i = 0; i < count; i++) {
    const v = big ? Number(raw[i]) : (raw[i] as number);
    if (v !== v || v === fill0 || (moreFills && fills.includes(v))) {
      out[i] = NaN;
      continue;
    }
    const physical = v * scale + offset;
    const checked = packed ? v : physical;
    out[i] = checked < validMin || checked > validMax ? NaN : physical;
  }
  out.fill(NaN, count);
  return out;
}

/** Transposes Fortran-order chunk values to C order. */
function fortranToC(values: Values, shape: number[]): Values {
  const n = values.length;
  const out = new (values.constructor as { new (n: number): Values })(n);
  const rank = shape.length;
  const fStrides = shape.map((_, i) => shape.slice(0, i).reduce((a, b) => a * b, 1));
  const index = new Array(rank).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let d = 0; d < rank; d++) {
      f += index[d] * fStrides[d];
    }
    out[c] = values[f];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) {
        break;
      }
      index[d] = 0;
    }
  }
  return out;
}

function makeAxis(name: string, centres: Float64Array, isLon: boolean): Axis {
  const n = centres.length;
  const edges = new Float64Array(n + 1);
  if (n === 1) {
    edges[0] = centres[0] - 0.5;
    edges[1] = centres[0] + 0.5;
  } else {
    edges[0] = centres[0] - (centres[1] - centres[0]) / 2;
    for (let i = 1; i < n; i++) {
      edges[i] = (centres[i - 1] + centres[i]) / 2;
    }
    edges[n] = centres[n - 1] + (centres[n - 1] - centres[n - 2]) / 2;
  }
  const ascending = n < 2 || centres[1] > centres[0];
  const span = Math.abs(edges[n] - edges[0]);
  const step = span / n;
  const global = isLon && Math.abs(span - 360) <= Math.max(1e-6, step * 0.01);
  return { name, centres, edges, ascending, isLon, global };
}

/**
 * The index of the cell that holds a coordinate, or -1 when it is outside the axis. Longitudes are taken
 * modulo 360, so that -170 finds the cell at 190 on a 21..379 axis and a global axis wraps at the dateline.
 */
export function cellIndex(axis: Axis, value: number): number {
  const edges = axis.edges;
  const n = edges.length - 1;
  const lo = axis.ascending ? edges[0] : edges[n];
  const hi = axis.ascending ? edges[n] : edges[0];
  let v = value;
  if (axis.isLon) {
    if (v < lo || v > hi) {
      v = lo + ((((v - lo) % 360) + 360) % 360);
    }
  }
  if (!(v >= lo && v <= hi)) {
    return -1;
  }
  // binary search for the last edge at or before v (in the axis' own order)
  let a = 0;
  let b = n;
  if (axis.ascending) {
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (edges[m] <= v) {
        a = m;
      } else {
        b = m;
      }
    }
  } else {
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (edges[m] > v) {
        a = m;
      } else {
        b = m;
      }
    }
  }
  return a;
}

export class CubeError extends Error {}

export class Cube {
  private constructor(
    readonly id: string,
    readonly store: Store,
    readonly consolidated: ZarrConsolidated,
    /** a fingerprint of the metadata: part of cache keys and ETags */
    readonly revision: string,
    private readonly _cache: ByteLru<Values>
  ) {
    this.attrs = isRecord(consolidated.metadata['.zattrs'])
      ? (consolidated.metadata['.zattrs'] as Record<string, unknown>)
      : {};
    this._cacheKey = `${id}@${revision}|`;
  }

  readonly attrs: Record<string, unknown>;
  readonly arrays = new Map<string, ArrayInfo>();
  readonly dimensions = new Map<string, Dimension>();
  /** names of the root data variables on the lat/lon grid, in store order */
  readonly variables: string[] = [];
  readonly levels: Level[] = [];
  /** the group prefix of the time-series copy (`timeseries/`), or null */
  timeseriesPrefix: string | null = null;
  latDim = 'lat';
  lonDim = 'lon';

  /** Opens a cube from its store; throws a CubeError that says what is wrong with it. */
  static async open(id: string, store: Store, cache: ByteLru<Values>): Promise<Cube> {
    const { consolidated, bytes } = await readConsolidated(store);
    const revision = createHash('sha1').update(bytes).digest('hex').slice(0, 16);
    const cube = new Cube(id, store, consolidated, revision, cache);
    await cube._init();
    return cube;
  }

  /** the prefix of this cube's keys in the shared chunk cache */
  get cacheKey(): string {
    return this._cacheKey;
  }

  array(path: string): ArrayInfo | undefined {
    return this.arrays.get(path);
  }

  /** A published data variable at a level (`overviews/1/sst`), falling back to level 0. */
  variableAt(name: string, level: Level): ArrayInfo {
    return this.arrays.get(level.prefix + name) ?? this.arrays.get(name)!;
  }

  /** Decoded physical values of one chunk (from the cache, or read and decoded). */
  async chunk(info: ArrayInfo, indices: number[]): Promise<Values> {
    const key = this._cacheKey + info.path + '/' + indices.join('.');
    const cached = this._cache.get(key);
    if (cached) {
      return cached;
    }
    let pending = this._inflight.get(key);
    if (!pending) {
      pending = this._readChunk(info, indices).finally(() => this._inflight.delete(key));
      this._inflight.set(key, pending);
    }
    return pending;
  }

  /** All values of a 1-D array (coordinates), decoded. */
  async readAll1d(info: ArrayInfo): Promise<Values> {
    const size = info.meta.shape[0] ?? 1;
    const chunk = info.meta.chunks[0] ?? 1;
    const out = info.decoding.float64 ? new Float64Array(size) : new Float32Array(size);
    for (let c = 0; c * chunk < size; c++) {
      const values = await this.chunk(info, info.meta.shape.length === 0 ? [] : [c]);
      out.set(values.subarray(0, Math.min(chunk, size - c * chunk)), c * chunk);
    }
    return out;
  }

  private async _readChunk(info: ArrayInfo, indices: number[]): Promise<Values> {
    if (info.problem) {
      throw new CubeError(`array '${info.path}': ${info.problem}`);
    }
    const n = info.meta.chunks.reduce((a, b) => a * b, 1);
    const storeKey = `${info.path}/${indices.length ? chunkKey(indices, info.separator) : '0'}`;
    let raw: Uint8Array | undefined;
    try {
      raw = await this.store.get(storeKey);
    } catch (error) {
      throw new CubeError(`reading '${storeKey}' from ${this.store.location} failed: ${(error as Error).message}`);
    }
    let values: Values;
    if (!raw) {
      // a chunk that was never written holds only the fill value
      values = info.decoding.float64 ? new Float64Array(n).fill(NaN) : new Float32Array(n).fill(NaN);
    } else {
      values = await timed('decode', async () => {
        let bytes: Uint8Array;
        try {
          bytes = await decompress(raw, info.meta.compressor);
          bytes = decodeFilters(bytes, info.meta.filters, info.dtype.bytes);
        } catch (error) {
          throw new CubeError(`chunk '${storeKey}' cannot be decoded: ${(error as Error).message}`);
        }
        let decoded = toPhysical(bytesToTypedArray(bytes, info.dtype), info.decoding, n);
        if (info.meta.order === 'F' && info.meta.chunks.length > 1) {
          decoded = fortranToC(decoded, info.meta.chunks);
        }
        return decoded;
      });
    }
    this._cache.set(this._cacheKey + info.path + '/' + indices.join('.'), values);
    return values;
  }

  private async _init(): Promise<void> {
    const metadata = this.consolidated.metadata;
    for (const key of Object.keys(metadata)) {
      if (!key.endsWith('.zarray')) {
        continue;
      }
      const path = key === '.zarray' ? '' : key.slice(0, -'/.zarray'.length);
      const meta = metadata[key] as ZarrArrayMeta;
      const attrs = (isRecord(metadata[`${path}/.zattrs`]) ? metadata[`${path}/.zattrs`] : {}) as Record<
        string,
        unknown
      >;
      if (!isRecord(meta) || !Array.isArray(meta.shape) || !Array.isArray(meta.chunks)) {
        throw new CubeError(`'${key}' is not Zarr v2 array metadata (no shape or chunks)`);
      }
      let dtype: ZarrDtype;
      try {
        dtype = parseDtype(meta.dtype);
      } catch {
        // arrays of strings or structs (e.g. a `crs` variable written by other tools): not ours to publish
        continue;
      }
      const dims = Array.isArray(attrs._ARRAY_DIMENSIONS)
        ? (attrs._ARRAY_DIMENSIONS as string[]).map(String)
        : meta.shape.map((_, i) => `dim_${i}`);
      this.arrays.set(path, {
        path,
        name: path.split('/').pop()!,
        meta,
        attrs,
        dims,
        dtype,
        separator: meta.dimension_separator === '/' ? '/' : '.',
        decoding: valueDecoding(meta, attrs, dtype),
        problem:
          compressorProblem(meta.compressor as CodecConfig | null) ??
          filtersProblem(meta.filters as CodecConfig[] | null) ??
          (meta.chunks.length !== meta.shape.length ? 'chunks and shape differ in length' : null)
      });
    }
    const rootArrays = [...this.arrays.values()].filter(a => !a.path.includes('/'));
    const latName = LAT_NAMES.find(name => rootArrays.some(a => a.path === name && a.dims.length === 1));
    const lonName = LON_NAMES.find(name => rootArrays.some(a => a.path === name && a.dims.length === 1));
    if (!latName || !lonName) {
      throw new CubeError(
        `no 1-D latitude and longitude coordinates (arrays named ${LAT_NAMES.join('/')} and ${LON_NAMES.join('/')})`
      );
    }
    this.latDim = this.arrays.get(latName)!.dims[0];
    this.lonDim = this.arrays.get(lonName)!.dims[0];
    for (const info of rootArrays) {
      const d = info.dims;
      if (
        d.length >= 2 &&
        d[d.length - 2] === this.latDim &&
        d[d.length - 1] === this.lonDim &&
        !d.includes(info.name) &&
        !/_(bnds|bounds)$/.test(info.name)
      ) {
        this.variables.push(info.name);
      }
    }
    // every dimension of a published variable, with its coordinate labels
    const dimNames = new Set<string>();
    for (const name of this.variables) {
      this.arrays.get(name)!.dims.forEach(dim => dimNames.add(dim));
    }
    dimNames.add(this.latDim);
    dimNames.add(this.lonDim);
    for (const dim of dimNames) {
      this.dimensions.set(dim, await this._dimension(dim));
    }
    this.levels.push({ index: 0, factor: 1, prefix: '', grid: await this._grid('', latName, lonName) });
    const overviews = Array.isArray(this.attrs.esdl_overviews) ? this.attrs.esdl_overviews : [];
    for (const entry of overviews) {
      if (!isRecord(entry) || typeof entry.path !== 'string') {
        continue;
      }
      const prefix = `${entry.path.replace(/\/+$/, '')}/`;
      if (!this.arrays.has(prefix + latName) || !this.arrays.has(prefix + lonName)) {
        continue;
      }
      const grid = await this._grid(prefix, latName, lonName);
      const factor =
        typeof entry.factor === 'number'
          ? entry.factor
          : this.levels[0].grid.lon.centres.length / grid.lon.centres.length;
      this.levels.push({ index: this.levels.length, factor, prefix, grid });
    }
    this.levels.sort((a, b) => a.factor - b.factor);
    this.levels.forEach((level, i) => (level.index = i));
    const ts = this.attrs.esdl_timeseries;
    if (typeof ts === 'string' && ts && this.variables.some(v => this.arrays.has(`${ts.replace(/\/+$/, '')}/${v}`))) {
      this.timeseriesPrefix = `${ts.replace(/\/+$/, '')}/`;
    }
  }

  private async _grid(prefix: string, latName: string, lonName: string): Promise<Grid> {
    const lat = Float64Array.from(await this.readAll1d(this.arrays.get(prefix + latName)!));
    const lon = Float64Array.from(await this.readAll1d(this.arrays.get(prefix + lonName)!));
    if (lat.some(v => !Number.isFinite(v)) || lon.some(v => !Number.isFinite(v))) {
      throw new CubeError(`the ${prefix}${latName}/${lonName} coordinates have missing values`);
    }
    return { lat: makeAxis(latName, lat, false), lon: makeAxis(lonName, lon, true) };
  }

  private async _dimension(dim: string): Promise<Dimension> {
    const coord = this.arrays.get(dim);
    if (!coord || coord.dims.length !== 1) {
      const user = this.variables.map(v => this.arrays.get(v)!).find(info => info.dims.includes(dim));
      const size = user ? user.meta.shape[user.dims.indexOf(dim)] : 0;
      const values = Array.from({ length: size }, (_, i) => i);
      return { name: dim, size, dtype: 'int64', values, labels: values, isTime: false, attrs: {} };
    }
    const attrs = coord.attrs;
    const units = typeof attrs.units === 'string' ? attrs.units : '';
    if (coord.dtype.kind === 'M') {
      const unitMs = DATETIME64_UNIT_MS[coord.dtype.timeUnit ?? 'ns'];
      const raw = await this._raw1d(coord);
      return timeDimension(
        dim,
        raw.map(v => Number(v) * unitMs),
        attrs
      );
    }
    if (/\bsince\b/i.test(units)) {
      const calendar = typeof attrs.calendar === 'string' ? attrs.calendar : 'standard';
      let parsed;
      try {
        parsed = parseCfTimeUnits(units, calendar);
      } catch (error) {
        throw new CubeError(`time coordinate '${dim}': ${(error as Error).message}`);
      }
      // time values need float64 whatever their stored type: hours since year 0 do not fit float32
      const raw = await this.readAll1d({ ...coord, decoding: { ...coord.decoding, float64: true } });
      const values = Array.from(raw, v => cfDateToEpochMs(decodeCfTime(v, parsed, calendar)));
      return timeDimension(dim, values, attrs);
    }
    const values = Array.from(await this.readAll1d(coord));
    return {
      name: dim,
      size: values.length,
      dtype: coord.dtype.numpyName,
      values,
      labels: values,
      isTime: false,
      attrs
    };
  }

  /** Raw integers of a 1-D datetime64 array (not converted to float: nanoseconds need 64 bits). */
  private async _raw1d(info: ArrayInfo): Promise<bigint[]> {
    const out: bigint[] = [];
    const size = info.meta.shape[0];
    for (let c = 0; c * info.meta.chunks[0] < size; c++) {
      const raw = await this.store.get(`${info.path}/${c}`);
      if (!raw) {
        throw new CubeError(`chunk '${info.path}/${c}' of the time coordinate is missing`);
      }
      const bytes = decodeFilters(await decompress(raw, info.meta.compressor), info.meta.filters, 8);
      const values = bytesToTypedArray(bytes, info.dtype) as BigInt64Array;
      out.push(...Array.from(values.subarray(0, Math.min(info.meta.chunks[0], size - c * info.meta.chunks[0]))));
    }
    return out;
  }

  private _cacheKey: string;
  private _inflight = new Map<string, Promise<Values>>();
}

function timeDimension(name: string, values: number[], attrs: Record<string, unknown>): Dimension {
  return {
    name,
    size: values.length,
    dtype: 'datetime64[ns]',
    values,
    labels: values.map(ms => cfDateToIso(epochMsToCfDate(ms))),
    isTime: true,
    attrs
  };
}

/** The consolidated metadata of a store, or metadata gathered from its `.zarray`/`.zattrs` files. */
async function readConsolidated(store: Store): Promise<{ consolidated: ZarrConsolidated; bytes: Uint8Array }> {
  const raw = await store.get('.zmetadata');
  if (raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      throw new CubeError("'.zmetadata' is not JSON");
    }
    if (!isRecord(parsed) || !isRecord(parsed.metadata)) {
      throw new CubeError("'.zmetadata' has no 'metadata' object");
    }
    return { consolidated: parsed as unknown as ZarrConsolidated, bytes: raw };
  }
  const group = await store.get('.zgroup');
  if (!group) {
    throw new CubeError(`no Zarr group at ${store.location} (neither '.zmetadata' nor '.zgroup')`);
  }
  if (!(store instanceof DirectoryStore)) {
    throw new CubeError(`the remote store ${store.location} has no consolidated metadata ('.zmetadata')`);
  }
  const metadata: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const { key } of await store.list()) {
    if (/(^|\/)\.z(group|attrs|array)$/.test(key)) {
      const text = new TextDecoder().decode((await store.get(key))!);
      parts.push(key, text);
      try {
        metadata[key] = JSON.parse(text);
      } catch {
        throw new CubeError(`'${key}' is not JSON`);
      }
    }
  }
  return {
    consolidated: { zarr_consolidated_format: 1, metadata },
    bytes: new TextEncoder().encode(parts.join('\n'))
  };
}
