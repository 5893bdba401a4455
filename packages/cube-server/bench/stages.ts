/**
 * The stages of a tile measured alone, in this process, on one cube: decode one chunk (decompress and
 * convert to physical values), resample a 256x256 tile from decoded chunks, colour-map it into PNG
 * scanlines, encode the PNG. Prints one JSON line of median milliseconds.
 *   node stages.mjs STORE VARIABLE Z Y X [CRS]
 */
import { performance } from 'node:perf_hooks';
import { decodeFilters, decompress } from '../src/common/codecs';
import { bytesToTypedArray } from '../src/common/zarr-v2';
import { resolveColormap } from '../src/server/colormaps/colormaps';
import { Cube, Values, toPhysical } from '../src/server/cube';
import { ByteLru } from '../src/server/lru';
import { encodePaletteScanlines } from '../src/server/png';
import {
  chooseLevel,
  colorIndices,
  colorScanlines,
  encodeIndices,
  fillCells,
  loadCells,
  pixelCells
} from '../src/server/render';
import { defaultColor } from '../src/server/selection';
import { DirectoryStore } from '../src/server/stores';
import { TileCrs, tilePixelCoords } from '../src/server/tile-grid';

function median(samples: number[]): number {
  const sorted = samples.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(repeat: number, fn: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const [storePath, variable, zText, yText, xText, crsText] = process.argv.slice(2);
  const store = new DirectoryStore(storePath);
  const cube = await Cube.open('bench', store, new ByteLru<Values>(1 << 30, v => v.byteLength));
  const tile = {
    crs: (crsText ?? 'EPSG:3857') as TileCrs,
    z: Number(zText),
    y: Number(yText),
    x: Number(xText),
    size: 256
  };
  const level = chooseLevel(cube.levels, tile);
  const info = cube.variableAt(variable, level);
  const grid = info === cube.array(variable) ? cube.levels[0].grid : level.grid;
  const outer = info.dims.slice(0, -2).map(() => 0);
  const { lons, lats } = tilePixelCoords(tile.crs, tile.z, tile.y, tile.x, tile.size);
  const { cols, rows } = pixelCells(grid, lons, lats);
  const plan = await loadCells(cube, info, outer, cols, rows);
  // the largest stored chunk the tile reads (an edge chunk is mostly fill and decodes faster), decoded alone
  let raw: Uint8Array = new Uint8Array(0);
  for (const key of plan.loaded.keys()) {
    const chunkIndex = [...outer.map(() => 0), Math.floor(key / plan.nCols), key % plan.nCols];
    const bytes = await store.get(`${info.path}/${chunkIndex.join(info.separator)}`);
    if (bytes && bytes.length > raw.length) {
      raw = bytes;
    }
  }
  const n = info.meta.chunks.reduce((a, b) => a * b, 1);
  const decode = await time(30, async () => {
    const bytes = decodeFilters(await decompress(raw, info.meta.compressor), info.meta.filters, info.dtype.bytes);
    return toPhysical(bytesToTypedArray(bytes, info.dtype), info.decoding, n);
  });
  const values = new Float32Array(256 * 256);
  const resample = await time(200, () => {
    const cells = pixelCells(grid, lons, lats);
    void cells;
    return fillCells(plan, values);
  });
  const defaults = defaultColor(info, {});
  const color = {
    colormap: resolveColormap('viridis'),
    vmin: defaults.vmin,
    vmax: defaults.vmax,
    norm: 'lin' as const
  };
  const scanlines = new Uint8Array(257 * 256);
  // a tile without missing values takes the one-pass path; one with them the palette-compacting one
  const complete = colorScanlines(values, 256, 256, color, scanlines) !== null;
  let colormap: number;
  let encode: number;
  if (complete) {
    colormap = await time(200, () => colorScanlines(values, 256, 256, color, scanlines));
    encode = await time(200, () => encodePaletteScanlines(scanlines, 256, 256, color.colormap.lut));
  } else {
    colormap = await time(200, () => colorIndices(values, color));
    const { indices, used } = colorIndices(values, color);
    encode = await time(200, () => encodeIndices(indices, used, color.colormap, 256, 256));
  }
  console.log(
    JSON.stringify({
      chunk: { shape: info.meta.chunks, compressor: info.meta.compressor, bytes: raw.length },
      level: level.factor,
      complete,
      decode,
      resample,
      colormap,
      encode
    })
  );
}

void main();
