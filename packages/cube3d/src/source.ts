/**
 * A cube-server dataset read as Zarr v2 through the ESDL Lab proxy (`/esdl-lab/cubes/<server>/s3/datasets/<id>.zarr`):
 * the consolidated metadata once, then only the chunks that the faces need, decoded by zarrita, kept in a bounded
 * cache, and counted (chunks and bytes fetched).
 */
import * as zarr from 'zarrita';
import { EsdlApiError, fetchAPI } from '@esdl-lab/core';
import { ChunkCache } from './cache';
import { ICubeData, ICubeVariable } from './data';
import { chooseChunkings, chunksForFace, copyChunkToFace, IChunk, IFace, IRange, ISelection } from './geometry';
import { axisFactor, chooseFirstLevel, ILevel, ILevelFace, levelIndex, levelSelection, upsampleFace } from './lod';

/** Attributes and shape of a variable, from the consolidated metadata. */
export interface IVariableInfo {
  name: string;
  dims: string[];
  shape: number[];
  chunks: number[];
  dtype: string;
  attrs: Record<string, unknown>;
}

interface IZMetadata {
  metadata: Record<string, any>;
}

/** Turns a Zarr or network failure into a message that says what to do. */
function explain(error: unknown, what: string): Error {
  if (error instanceof EsdlApiError && error.status === 404) {
    return new Error(`${what} is gone from the cube server (404). Reload the catalogue and open the dataset again.`);
  }
  if (error instanceof EsdlApiError && error.status === 503) {
    return new Error(
      `${what} is unavailable on the cube server (503: ${error.message}). Its files were moved or deleted ` +
        'while it was open: open it again from the catalogue once the server lists it again.'
    );
  }
  return new Error(`${what} could not be read: ${(error as Error).message ?? error}`);
}

/**
 * Starts loading the codecs the store's arrays name (zarrita loads one only when a chunk first needs it: Blosc's
 * WebAssembly is 600 kB), so that they arrive while the coordinates and the first chunks are on their way.
 */
function preloadCodecs(metadata: Record<string, any>): void {
  const ids = new Set<string>();
  for (const [key, value] of Object.entries(metadata)) {
    if (key.endsWith('.zarray')) {
      for (const codec of [value?.compressor, ...(Array.isArray(value?.filters) ? value.filters : [])]) {
        if (typeof codec?.id === 'string') {
          ids.add(codec.id);
        }
      }
    }
  }
  for (const id of ids) {
    // a codec zarrita does not know fails later, on the chunk, with zarrita's own message
    zarr.registry
      .get(id)?.()
      .catch(() => undefined);
  }
}

/**
 * Physical values of stored ones: fill and missing values become NaN, then CF scale and offset apply. A value
 * is missing only when the store says so (Lexcube draws a real -9999 as missing).
 */
export function decodeValues(raw: ArrayLike<number>, attrs: Record<string, unknown>): Float32Array {
  const missing = [attrs._FillValue, attrs.missing_value].flat().filter((v): v is number => typeof v === 'number');
  const scale = typeof attrs.scale_factor === 'number' ? attrs.scale_factor : 1;
  const offset = typeof attrs.add_offset === 'number' ? attrs.add_offset : 0;
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const value = Number(raw[i]);
    out[i] = missing.includes(value) ? NaN : value * scale + offset;
  }
  return out;
}

/** The in-face ranges of a face. */
function ranges(face: IFace, selection: ISelection): { u: IRange; v: IRange } {
  return { u: selection.ranges[face.u], v: selection.ranges[face.v] };
}

/** A face's first picture: the level, the face and selection there, its chunking, and how to blow it up. */
interface IFirstLevel {
  level: ILevel;
  face: IFace;
  selection: ISelection;
  chunks: number[];
  ranges: { u: IRange; v: IRange };
  factors: { u: number; v: number };
}

export class CubeSource {
  /** chunks and bytes fetched over the network since the source opened */
  readonly fetched = { chunks: 0, bytes: 0 };
  private readonly arrays = new Map<string, Promise<zarr.Array<zarr.DataType, zarr.Readable>>>();
  private readonly store: zarr.AsyncReadable;

  private constructor(
    readonly server: string,
    readonly dataset: string,
    private readonly metadata: Record<string, any>,
    readonly cache: ChunkCache<IChunk>
  ) {
    const prefix = `cubes/${encodeURIComponent(server)}/s3/datasets/${encodeURIComponent(dataset)}.zarr`;
    this.store = {
      get: async (key: string): Promise<Uint8Array | undefined> => {
        const meta = this.metadata[key.slice(1)];
        if (meta !== undefined) {
          return new TextEncoder().encode(JSON.stringify(meta));
        }
        if (/\/\.z(array|attrs|group)$/.test(key)) {
          return undefined;
        }
        const response = await fetchAPI(`${prefix}${key}`);
        const bytes = new Uint8Array(await response.arrayBuffer());
        this.fetched.chunks += 1;
        this.fetched.bytes += bytes.byteLength;
        return bytes;
      }
    };
  }

  /** Opens a dataset: reads its consolidated metadata (one request). */
  static async open(server: string, dataset: string, cacheBytes = 64 * 1024 * 1024): Promise<CubeSource> {
    const path = `cubes/${encodeURIComponent(server)}/s3/datasets/${encodeURIComponent(dataset)}.zarr/.zmetadata`;
    let metadata: IZMetadata;
    try {
      metadata = (await (await fetchAPI(path)).json()) as IZMetadata;
    } catch (error) {
      throw explain(error, `Dataset "${dataset}" of cube server "${server}"`);
    }
    if (!metadata?.metadata) {
      throw new Error(`Dataset "${dataset}" of cube server "${server}" has no consolidated Zarr metadata.`);
    }
    preloadCodecs(metadata.metadata);
    return new CubeSource(server, dataset, metadata.metadata, new ChunkCache<IChunk>(cacheBytes));
  }

  /** Global attributes of the dataset. */
  get attrs(): Record<string, any> {
    return this.metadata['.zattrs'] ?? {};
  }

  /** A variable (or coordinate) of the dataset, optionally of a sub-group such as `timeseries`. */
  variable(name: string, group = ''): IVariableInfo | undefined {
    const prefix = group ? `${group}/` : '';
    const array = this.metadata[`${prefix}${name}/.zarray`];
    if (!array) {
      return undefined;
    }
    const attrs = this.metadata[`${prefix}${name}/.zattrs`] ?? {};
    return {
      name,
      dims: attrs._ARRAY_DIMENSIONS ?? [],
      shape: array.shape,
      chunks: array.chunks,
      dtype: array.dtype,
      attrs
    };
  }

  /** The data variables with at least three dimensions (those a cube can show), in store order. */
  cubeVariables(): IVariableInfo[] {
    return Object.keys(this.metadata)
      .filter(key => /^[^/]+\/\.zarray$/.test(key))
      .map(key => this.variable(key.split('/')[0])!)
      .filter(info => info.shape.length >= 3);
  }

  /**
   * The overview levels (coarsest last) that hold variable `name` on a lat/lon grid, from the root attribute
   * `esdl_overviews` of the consolidated metadata; none when the cube has no pyramid.
   */
  levels(name: string): ILevel[] {
    const entries: unknown = this.attrs.esdl_overviews;
    if (!Array.isArray(entries)) {
      return [];
    }
    return entries
      .filter(
        (e): e is ILevel =>
          typeof e?.path === 'string' && typeof e?.factor === 'number' && e.factor > 1 && !!this.variable(name, e.path)
      )
      .map(({ level, path, factor }) => ({ level, path, factor }))
      .sort((a, b) => a.factor - b.factor);
  }

  /** The groups holding copies of the variables with other chunkings (xcube-style `timeseries`), if any. */
  get copies(): string[] {
    const copy = this.attrs.esdl_timeseries;
    return typeof copy === 'string' && this.metadata[`${copy}/.zgroup`] ? [copy] : [];
  }

  /** All values of a one-dimensional coordinate. */
  async coordinate(name: string): Promise<Float64Array> {
    const info = this.variable(name);
    if (!info) {
      return new Float64Array(0);
    }
    const array = await this.array(name, '');
    const result = await zarr.get(array);
    return Float64Array.from(result.data as ArrayLike<number>, Number);
  }

  /** Whether a chunk is in the cache (a face made of cached chunks needs no checkerboard). */
  cached(name: string, group: string, coords: number[]): boolean {
    return this.cache.has(`${group}/${name}/${coords.join('.')}`);
  }

  /** A decoded chunk of a variable (through the cache); a missing chunk is all fill value. */
  async chunk(name: string, group: string, coords: number[]): Promise<IChunk> {
    const key = `${group}/${name}/${coords.join('.')}`;
    return this.cache.get(key, async () => {
      const array = await this.array(name, group);
      let chunk: IChunk;
      try {
        chunk = (await array.getChunk(coords)) as unknown as IChunk;
      } catch (error) {
        throw explain(error, `Chunk ${coords.join('.')} of "${name}"`);
      }
      const data = decodeValues(chunk.data as ArrayLike<number>, this.variable(name, group)?.attrs ?? {});
      return { value: { data, shape: chunk.shape, stride: chunk.stride }, bytes: data.byteLength };
    });
  }

  private array(name: string, group: string): Promise<zarr.Array<zarr.DataType, zarr.Readable>> {
    const path = group ? `${group}/${name}` : name;
    let array = this.arrays.get(path);
    if (!array) {
      array = zarr.open.v2(zarr.root(this.store).resolve(path), { kind: 'array', attrs: false });
      this.arrays.set(path, array);
    }
    return array;
  }
}

/**
 * A variable of a cube-server dataset as cube data: each face from the chunking that reads the fewest bytes and,
 * when the cube has overview levels, first from a coarse level as a quick picture.
 */
export class ZarrCubeData implements ICubeData {
  /** about how many screen pixels a face spans, for the choice of its first picture's level */
  facePixels = 512;
  /** the chunking (group) each face reads, from the last plan */
  private readonly planned = new Map<string, number>();

  constructor(
    private readonly source: CubeSource,
    readonly variable: ICubeVariable
  ) {}

  /** Opens `variable` (the first with three dimensions by default) of a dataset; errors name what exists. */
  static async open(server: string, dataset: string, variable?: string, cacheBytes?: number): Promise<ZarrCubeData> {
    const source = await CubeSource.open(server, dataset, cacheBytes);
    const variables = source.cubeVariables();
    const info = variable ? source.variable(variable) : variables[0];
    if (!info) {
      throw new Error(
        variable
          ? `Dataset "${dataset}" has no variable "${variable}"; it has ${variables.map(v => v.name).join(', ')}.`
          : `Dataset "${dataset}" has no variable with three dimensions to show as a cube.`
      );
    }
    return new ZarrCubeData(source, info);
  }

  get fetched(): { chunks: number; bytes: number } {
    return { ...this.source.fetched };
  }

  async coordinate(dim: string): Promise<{ values: Float64Array; attrs: Record<string, unknown> }> {
    const info = this.source.variable(dim);
    const size = this.variable.shape[this.variable.dims.indexOf(dim)];
    const values = info ? await this.source.coordinate(dim) : Float64Array.from({ length: size }, (_, i) => i);
    return { values, attrs: info?.attrs ?? {} };
  }

  plan(faces: IFace[], selection: ISelection): void {
    const { chunkings } = this.chunkings();
    chooseChunkings(faces, selection, chunkings).forEach((choice, i) =>
      this.planned.set(`${faces[i].axis}${faces[i].side}`, choice)
    );
  }

  hasFace(face: IFace, selection: ISelection): boolean {
    const { group, chunks } = this.chunking(face, selection);
    return chunksForFace(face, selection, chunks).every(c => this.source.cached(this.variable.name, group, c));
  }

  async loadFace(face: IFace, selection: ISelection, onCoarse?: (values: Float32Array) => void): Promise<Float32Array> {
    const { group, chunks } = this.chunking(face, selection);
    const first = onCoarse && !this.hasFace(face, selection) ? this.firstLevel(face, selection) : undefined;
    let done = false;
    if (first) {
      void this.readFace(first.face, first.selection, first.level.path, first.chunks).then(
        values => {
          if (!done) {
            onCoarse!(upsampleFace(values, first.ranges, ranges(face, selection), first.factors));
          }
        },
        // only a preview: the full face below reports its own failure
        () => undefined
      );
    }
    if (this.levels.length > 0) {
      // a task later, so that the first pictures of all faces loaded together are asked for (and come) first
      await new Promise(resolve => setTimeout(resolve, 0));
    }
    const values = await this.readFace(face, selection, group, chunks);
    // a coarse picture still on its way is not waited for: its chunks only go into the cache
    done = true;
    return values;
  }

  /** The overview levels of the variable (none unless it has lat and lon, and the levels its dimensions). */
  get levels(): ILevel[] {
    const { name, dims } = this.variable;
    if (!dims.includes('lat') || !dims.includes('lon')) {
      return [];
    }
    return this.source.levels(name).filter(l => this.source.variable(name, l.path)!.dims.join() === dims.join());
  }

  dispose(): void {
    this.source.cache.clear();
  }

  /** A face's values from one group (the root, a copy or a level) and chunking. */
  private async readFace(face: IFace, selection: ISelection, group: string, chunks: number[]): Promise<Float32Array> {
    const { u, v } = ranges(face, selection);
    const values = new Float32Array((u.end - u.start) * (v.end - v.start)).fill(NaN);
    await Promise.all(
      chunksForFace(face, selection, chunks).map(async coords => {
        const chunk = await this.source.chunk(this.variable.name, group, coords);
        copyChunkToFace(face, selection, chunks, coords, chunk, values);
      })
    );
    return values;
  }

  /** The level of a face's first picture and the face as that level holds it, or undefined for none. */
  private firstLevel(face: IFace, selection: ISelection): IFirstLevel | undefined {
    const levels = this.levels;
    if (levels.length === 0) {
      return undefined;
    }
    const spatial = ['lat', 'lon'].map(name => this.variable.dims.indexOf(name));
    const candidates: IFirstLevel[] = levels.map(level => {
      const info = this.source.variable(this.variable.name, level.path)!;
      const levelSel = levelSelection(selection, spatial, level.factor, info.shape);
      const axisDim = selection.shown[face.axis];
      const levelFace = {
        ...face,
        index: levelIndex(face.index, axisDim, spatial, level.factor, info.shape[axisDim])
      };
      return {
        level,
        face: levelFace,
        selection: levelSel,
        chunks: info.chunks,
        ranges: ranges(levelFace, levelSel),
        factors: {
          u: axisFactor(selection, face.u, spatial, level.factor),
          v: axisFactor(selection, face.v, spatial, level.factor)
        }
      };
    });
    const { chunks } = this.chunking(face, selection);
    const sized = (f: IFace, s: ISelection, c: number[]): ILevelFace => {
      const { u, v } = ranges(f, s);
      const chunks = chunksForFace(f, s, c).length;
      return { width: u.end - u.start, height: v.end - v.start, chunks, bytes: chunks * c.reduce((p, n) => p * n, 1) };
    };
    const faces = [sized(face, selection, chunks), ...candidates.map(c => sized(c.face, c.selection, c.chunks))];
    const k = chooseFirstLevel(faces, this.facePixels);
    return k > 0 ? candidates[k - 1] : undefined;
  }

  private chunkings(): { groups: string[]; chunkings: number[][] } {
    const name = this.variable.name;
    const groups = ['', ...this.source.copies.filter(g => this.source.variable(name, g))];
    return { groups, chunkings: groups.map(group => this.source.variable(name, group)!.chunks) };
  }

  /** The planned chunking of a face, or the cheapest for it alone. */
  private chunking(face: IFace, selection: ISelection): { group: string; chunks: number[] } {
    const { groups, chunkings } = this.chunkings();
    const best = this.planned.get(`${face.axis}${face.side}`) ?? chooseChunkings([face], selection, chunkings)[0];
    return { group: groups[best], chunks: chunkings[best] };
  }
}
