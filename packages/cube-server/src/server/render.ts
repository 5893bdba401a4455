/**
 * Rendering a tile: choose the resolution level, resample the cube's cells onto the tile's pixels (nearest
 * cell by the pixel centre, longitudes modulo 360), map values through a colour map's 256-entry table, and
 * encode the PNG (a palette image from the table indices; RGBA only when a tile uses all 256 colours and
 * transparency). Each stage is timed for the benchmark's breakdown.
 */
import { ColorMap } from './colormaps/colormaps';
import { ArrayInfo, Cube, Grid, Level, Values, cellIndex } from './cube';
import { encodePalettePng, encodePaletteScanlines, encodeRgbaPng } from './png';
import { timedSync } from './stage-timer';
import { TileCrs, degreesPerPixel, tilePixelCoords } from './tile-grid';

export interface TileSpec {
  crs: TileCrs;
  z: number;
  y: number;
  x: number;
  /** pixels across (256, or 512 for retina) */
  size: number;
}

export interface ColorSpec {
  colormap: ColorMap;
  vmin: number;
  vmax: number;
  norm: 'lin' | 'log';
}

/** The coarsest level whose cells are still no larger than the tile's pixels (level 0 if none is). */
export function chooseLevel(levels: Level[], tile: TileSpec): Level {
  const pixel = degreesPerPixel(tile.crs, tile.z, tile.size);
  let best = levels[0];
  for (const level of levels) {
    const lon = level.grid.lon;
    const step = Math.abs(lon.edges[lon.edges.length - 1] - lon.edges[0]) / lon.centres.length;
    if (step <= pixel * 1.0001 && level.factor > best.factor) {
      best = level;
    }
  }
  return best;
}

/** For each pixel column/row: the cell index on an axis, or -1 outside it. */
export function pixelCells(grid: Grid, lons: Float64Array, lats: Float64Array): { cols: Int32Array; rows: Int32Array } {
  const cols = new Int32Array(lons.length);
  const rows = new Int32Array(lats.length);
  for (let i = 0; i < lons.length; i++) {
    cols[i] = cellIndex(grid.lon, lons[i]);
  }
  for (let j = 0; j < lats.length; j++) {
    rows[j] = cellIndex(grid.lat, lats[j]);
  }
  return { cols, rows };
}

/** The chunks a tile needs, read and decoded, and where each pixel's value is in them. */
export interface CellPlan {
  rows: Int32Array;
  width: number;
  chunkH: number;
  chunkW: number;
  nCols: number;
  outerOffset: number;
  runs: { start: number; end: number; chunkCol: number }[];
  colOffsets: Int32Array;
  loaded: Map<number, Values>;
}

/**
 * Reads the chunks of a variable that hold the given cells (one per pixel: rows x cols) for fixed indices of
 * the non-spatial dimensions.
 */
export async function loadCells(
  cube: Cube,
  info: ArrayInfo,
  outer: number[],
  cols: Int32Array,
  rows: Int32Array
): Promise<CellPlan> {
  const rank = info.dims.length;
  const chunks = info.meta.chunks;
  const chunkH = chunks[rank - 2];
  const chunkW = chunks[rank - 1];
  // the chunk indices and the offset inside a chunk of the non-spatial indices
  const outerChunk: number[] = [];
  let outerOffset = 0;
  for (let d = 0; d < rank - 2; d++) {
    outerChunk.push(Math.floor(outer[d] / chunks[d]));
    let stride = chunkH * chunkW;
    for (let e = d + 1; e < rank - 2; e++) {
      stride *= chunks[e];
    }
    outerOffset += (outer[d] % chunks[d]) * stride;
  }
  // pixel columns in runs that read the same chunk column (columns only jump at the dateline or an edge)
  const runs: { start: number; end: number; chunkCol: number }[] = [];
  const colOffsets = new Int32Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const cc = cols[i] < 0 ? -1 : Math.floor(cols[i] / chunkW);
    colOffsets[i] = cols[i] < 0 ? 0 : cols[i] % chunkW;
    const last = runs[runs.length - 1];
    if (last && last.chunkCol === cc && last.end === i) {
      last.end = i + 1;
    } else {
      runs.push({ start: i, end: i + 1, chunkCol: cc });
    }
  }
  const neededCols = [...new Set(runs.map(r => r.chunkCol).filter(cc => cc >= 0))];
  const neededRows = new Set<number>();
  for (let j = 0; j < rows.length; j++) {
    if (rows[j] >= 0) {
      neededRows.add(Math.floor(rows[j] / chunkH));
    }
  }
  const loaded = new Map<number, Values>();
  const nCols = Math.ceil(info.meta.shape[rank - 1] / chunkW);
  await Promise.all(
    [...neededRows].flatMap(cr =>
      neededCols.map(async cc => {
        loaded.set(cr * nCols + cc, await cube.chunk(info, [...outerChunk, cr, cc]));
      })
    )
  );
  return { rows, width: cols.length, chunkH, chunkW, nCols, outerOffset, runs, colOffsets, loaded };
}

/** Writes the planned cells' values into `out` (rows x width); NaN outside the grid or where values are missing. */
export function fillCells(plan: CellPlan, out: Float32Array): Float32Array {
  const { rows, width, chunkH, chunkW, nCols, outerOffset, runs, colOffsets, loaded } = plan;
  return timedSync('resample', () => {
    for (let j = 0; j < rows.length; j++) {
      const base = j * width;
      if (rows[j] < 0) {
        out.fill(NaN, base, base + width);
        continue;
      }
      const cr = Math.floor(rows[j] / chunkH);
      const rowOffset = outerOffset + (rows[j] % chunkH) * chunkW;
      for (const run of runs) {
        if (run.chunkCol < 0) {
          out.fill(NaN, base + run.start, base + run.end);
          continue;
        }
        copyRun(loaded.get(cr * nCols + run.chunkCol)!, rowOffset, colOffsets, run.start, run.end, out, base);
      }
    }
    return out;
  });
}

/**
 * Gathers a variable's values at the given cells (one per pixel: rows x cols) for fixed indices of the
 * non-spatial dimensions. NaN where a pixel is outside the grid or the value is missing.
 */
export async function gatherCells(
  cube: Cube,
  info: ArrayInfo,
  outer: number[],
  cols: Int32Array,
  rows: Int32Array
): Promise<Float32Array> {
  const plan = await loadCells(cube, info, outer, cols, rows);
  return fillCells(plan, new Float32Array(rows.length * cols.length));
}

/** out[base + i] = chunk[rowOffset + colOffsets[i]] for i in [start, end): the resampling's inner loop. */
function copyRun(
  chunk: Values,
  rowOffset: number,
  colOffsets: Int32Array,
  start: number,
  end: number,
  out: Float32Array,
  base: number
): void {
  for (let i = start; i < end; i++) {
    out[base + i] = chunk[rowOffset + colOffsets[i]];
  }
}

/** Palette indices of values through a colour map: entry 256 of `used` counts missing values. */
export function colorIndices(values: Float32Array, color: ColorSpec): { indices: Uint16Array; used: Uint32Array } {
  return timedSync('colormap', () => {
    const n = values.length;
    const indices = new Uint16Array(n);
    const used = new Uint32Array(257);
    const categories = color.colormap.categories;
    if (categories) {
      const b = categories.boundaries;
      const last = b.length - 1;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        let index = 256;
        if (v >= b[0] && v < b[last]) {
          let lo = 0;
          let hi = last;
          while (hi - lo > 1) {
            const m = (lo + hi) >> 1;
            if (b[m] <= v) {
              lo = m;
            } else {
              hi = m;
            }
          }
          index = lo;
        }
        indices[i] = index;
        used[index]++;
      }
      return { indices, used };
    }
    const vmin = color.vmin;
    let vmax = color.vmax;
    if (vmax === vmin) {
      // as xcube: a single value still gets a colour range
      vmax = vmin + 1;
    }
    if (color.norm === 'log') {
      logIndices(values, Math.log(vmin), 256 / (Math.log(vmax) - Math.log(vmin)), vmin, vmax, indices, used);
    } else {
      linearIndices(values, vmin, 256 / (vmax - vmin), vmax, indices, used);
    }
    return { indices, used };
  });
}

// values outside the range take the end colours (matplotlib's Normalize with clip=True)
function linearIndices(
  values: Float32Array,
  vmin: number,
  k: number,
  vmax: number,
  indices: Uint16Array,
  used: Uint32Array
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let index: number;
    if (v !== v) {
      index = 256;
    } else if (v <= vmin) {
      index = 0;
    } else if (v >= vmax) {
      index = 255;
    } else {
      index = ((v - vmin) * k) | 0;
      if (index > 255) {
        index = 255;
      }
    }
    indices[i] = index;
    used[index]++;
  }
}

function logIndices(
  values: Float32Array,
  lo: number,
  k: number,
  vmin: number,
  vmax: number,
  indices: Uint16Array,
  used: Uint32Array
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let index: number;
    if (v !== v) {
      index = 256;
    } else if (v <= vmin) {
      index = 0;
    } else if (v >= vmax) {
      index = 255;
    } else {
      index = ((Math.log(v) - lo) * k) | 0;
      if (index > 255) {
        index = 255;
      }
    }
    indices[i] = index;
    used[index]++;
  }
}

/** The palette of a colour map: its table, or for categorical maps the colours of its bins. */
function paletteOf(colormap: ColorMap): Uint8Array {
  if (colormap.categories) {
    const out = new Uint8Array(256 * 4);
    out.set(colormap.categories.colors);
    return out;
  }
  return colormap.lut;
}

/** Encodes palette indices (256 = transparent) as a PNG: a palette image whenever 256 entries suffice. */
export function encodeIndices(
  indices: Uint16Array,
  used: Uint32Array,
  colormap: ColorMap,
  width: number,
  height: number
): Buffer {
  return timedSync('encode', () => {
    const table = paletteOf(colormap);
    const n = indices.length;
    if (used[256] === 0) {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        bytes[i] = indices[i];
      }
      return encodePalettePng(bytes, width, height, table);
    }
    let distinct = 0;
    for (let i = 0; i < 256; i++) {
      if (used[i]) {
        distinct++;
      }
    }
    if (distinct < 256) {
      // compact the used colours and add one transparent entry
      const remap = new Uint8Array(257);
      const palette = new Uint8Array((distinct + 1) * 4);
      let next = 0;
      for (let i = 0; i < 256; i++) {
        if (used[i]) {
          remap[i] = next;
          palette.set(table.subarray(i * 4, i * 4 + 4), next * 4);
          next++;
        }
      }
      remap[256] = next;
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        bytes[i] = remap[indices[i]];
      }
      return encodePalettePng(bytes, width, height, palette);
    }
    const rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const index = indices[i];
      if (index < 256) {
        rgba[i * 4] = table[index * 4];
        rgba[i * 4 + 1] = table[index * 4 + 1];
        rgba[i * 4 + 2] = table[index * 4 + 2];
        rgba[i * 4 + 3] = table[index * 4 + 3];
      }
    }
    return encodeRgbaPng(rgba, width, height);
  });
}

/**
 * The fast path of a tile without missing values: colour-map indices written straight into PNG scanlines
 * (a filter byte per row). Null when a value is missing or the map is categorical: the general path then
 * compacts the palette to make room for transparency.
 */
export function colorScanlines(
  values: Float32Array,
  width: number,
  height: number,
  color: ColorSpec,
  raw: Uint8Array = new Uint8Array((width + 1) * height)
): Uint8Array | null {
  if (color.colormap.categories) {
    return null;
  }
  return timedSync('colormap', () => {
    const vmin = color.vmin;
    let vmax = color.vmax;
    if (vmax === vmin) {
      vmax = vmin + 1;
    }
    const log = color.norm === 'log';
    const lo = log ? Math.log(vmin) : vmin;
    const k = 256 / ((log ? Math.log(vmax) : vmax) - lo);
    for (let row = 0; row < height; row++) {
      raw[row * (width + 1)] = 0;
      const complete = log
        ? logRow(values, row * width, width, lo, k, vmin, vmax, raw, row * (width + 1) + 1)
        : linearRow(values, row * width, width, vmin, k, vmax, raw, row * (width + 1) + 1);
      if (!complete) {
        return null;
      }
    }
    return raw;
  });
}

function linearRow(
  values: Float32Array,
  from: number,
  n: number,
  vmin: number,
  k: number,
  vmax: number,
  out: Uint8Array,
  at: number
): boolean {
  for (let i = 0; i < n; i++) {
    const v = values[from + i];
    if (v !== v) {
      return false;
    }
    const t = (v - vmin) * k;
    out[at + i] = v <= vmin ? 0 : v >= vmax || t >= 255 ? 255 : t;
  }
  return true;
}

function logRow(
  values: Float32Array,
  from: number,
  n: number,
  lo: number,
  k: number,
  vmin: number,
  vmax: number,
  out: Uint8Array,
  at: number
): boolean {
  for (let i = 0; i < n; i++) {
    const v = values[from + i];
    if (v !== v) {
      return false;
    }
    out[at + i] = v <= vmin ? 0 : v >= vmax ? 255 : Math.min(255, (Math.log(v) - lo) * k);
  }
  return true;
}

const transparentTiles = new Map<number, Buffer>();

/** A fully transparent tile (outside the data). */
export function transparentTile(size: number): Buffer {
  let tile = transparentTiles.get(size);
  if (!tile) {
    tile = encodePalettePng(new Uint8Array(size * size), size, size, new Uint8Array([0, 0, 0, 0]), 9);
    transparentTiles.set(size, tile);
  }
  return tile;
}

const scratchBuffers = new Map<number, { values: Float32Array; scanlines: Uint8Array }>();

/** Buffers reused by every tile of a size: tiles are drawn synchronously once their chunks are read. */
function scratchFor(size: number): { values: Float32Array; scanlines: Uint8Array } {
  let scratch = scratchBuffers.get(size);
  if (!scratch) {
    scratch = { values: new Float32Array(size * size), scanlines: new Uint8Array((size + 1) * size) };
    scratchBuffers.set(size, scratch);
  }
  return scratch;
}

/** Renders one tile of a variable at fixed non-spatial indices (`outer`, in the variable's dim order). */
export async function renderTile(
  cube: Cube,
  variable: string,
  outer: number[],
  tile: TileSpec,
  color: ColorSpec
): Promise<Buffer> {
  const level = chooseLevel(cube.levels, tile);
  const info = cube.variableAt(variable, level);
  const grid = info === cube.array(variable) ? cube.levels[0].grid : level.grid;
  const { lons, lats } = tilePixelCoords(tile.crs, tile.z, tile.y, tile.x, tile.size);
  const { cols, rows } = timedSync('resample', () => pixelCells(grid, lons, lats));
  if (!cols.some(c => c >= 0) || !rows.some(r => r >= 0)) {
    return transparentTile(tile.size);
  }
  const plan = await loadCells(cube, info, outer, cols, rows);
  // from here on nothing awaits, so the scratch buffers of this tile size cannot be shared with another tile
  const scratch = scratchFor(tile.size);
  const values = fillCells(plan, scratch.values);
  const scanlines = colorScanlines(values, tile.size, tile.size, color, scratch.scanlines);
  if (scanlines) {
    return timedSync('encode', () => encodePaletteScanlines(scanlines, tile.size, tile.size, color.colormap.lut));
  }
  const { indices, used } = colorIndices(values, color);
  if (used[256] === indices.length) {
    return transparentTile(tile.size);
  }
  return encodeIndices(indices, used, color.colormap, tile.size, tile.size);
}
