/**
 * Tiles, legends and colour bars: `/tiles/{id}/{var}/{z}/{y}/{x}` (and xcube's older
 * `/datasets/{id}/vars/{var}/tiles2/{z}/{y}/{x}`), `/tiles/{id}/{var}/legend`,
 * `/datasets/{id}/vars/{var}/legend.png` and `/colorbars`. Tiles carry an ETag (the request and the cube's
 * revision) and Cache-Control, answer 304 to If-None-Match, and are kept in a byte-capped cache.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { colorbarGroups } from '../colormaps/colormaps';
import { CachedTile, Context } from '../context';
import { Cube } from '../cube';
import { badRequest } from '../errors';
import { Request, notModified, send, sendJson } from '../http';
import { colorIndices, encodeIndices, renderTile, TileSpec } from '../render';
import { colorSpec, outerIndices, styleMapping } from '../selection';
import { timed } from '../stage-timer';
import { TileCrs, parseTileCrs, tileCount } from '../tile-grid';

const MAX_ZOOM = 24;
// private: behind Jupyter's proxy, answers belong to an authenticated user and no shared cache may keep them
export const TILE_CACHE_CONTROL = 'private, max-age=300';

function tileIndex(name: string, text: string): number {
  if (!/^\d{1,9}$/.test(text)) {
    throw badRequest(name, `'${text}' is not a non-negative integer`);
  }
  return Number(text);
}

/** Parses and checks z/y/x against a grid: 400 naming the coordinate that is out of range. */
export function parseTileAddress(crs: TileCrs, zText: string, yText: string, xText: string, size: number): TileSpec {
  const z = tileIndex('z', zText);
  const y = tileIndex('y', yText);
  const x = tileIndex('x', xText.replace(/\.png$/i, ''));
  if (z > MAX_ZOOM) {
    throw badRequest('z', `level ${z} is beyond the deepest level ${MAX_ZOOM}`);
  }
  const { cols, rows } = tileCount(crs, z);
  if (y >= rows) {
    throw badRequest('y', `row ${y} does not exist at level ${z} of ${crs} (rows 0..${rows - 1})`);
  }
  if (x >= cols) {
    throw badRequest('x', `column ${x} does not exist at level ${z} of ${crs} (columns 0..${cols - 1})`);
  }
  return { crs, z, y, x, size };
}

/** Renders (or takes from the cache) a tile of a variable and sends it. */
export async function serveTile(
  ctx: Context,
  req: Request,
  res: ServerResponse,
  datasetId: string,
  variable: string,
  tile: TileSpec | ((crs: TileCrs, size: number) => TileSpec),
  crsOverride?: TileCrs
): Promise<void> {
  const { cube } = await ctx.registry.variable(datasetId, variable);
  const dataset = ctx.registry.dataset(datasetId);
  const info = cube.array(variable)!;
  const crs = crsOverride ?? parseTileCrs(req.query.get('crs'));
  if (!crs) {
    throw badRequest('crs', `'${req.query.get('crs')}' is not a tile grid (EPSG:3857 or CRS84)`);
  }
  const retina = req.query.get('retina');
  if (retina !== null && !['0', '1', 'true', 'false', ''].includes(retina)) {
    throw badRequest('retina', `'${retina}' is not 0 or 1`);
  }
  const size = retina === '1' || retina === 'true' ? 512 : 256;
  const spec = typeof tile === 'function' ? tile(crs, size) : tile;
  const outer = outerIndices(cube, info, req.query);
  const color = colorSpec(req.query, info, styleMapping(ctx.registry.config, dataset, variable));
  const key = [
    cube.cacheKey,
    variable,
    spec.crs,
    spec.z,
    spec.y,
    spec.x,
    spec.size,
    outer.join(','),
    color.colormap.name,
    color.vmin,
    color.vmax,
    color.norm
  ].join('|');
  let cached = ctx.tileCache.get(key);
  const etag = cached?.etag ?? `"${createHash('sha1').update(key).digest('base64url').slice(0, 27)}"`;
  const headers = { 'Content-Type': 'image/png', ETag: etag, 'Cache-Control': TILE_CACHE_CONTROL };
  if (notModified(req, etag)) {
    send(req, res, 304, '', { ...headers, 'Content-Length': 0 });
    return;
  }
  if (!cached) {
    const png = await timed('tile', () => renderTile(cube, variable, outer, spec, color));
    cached = { png, etag } satisfies CachedTile;
    ctx.tileCache.set(key, cached);
  }
  send(req, res, 200, cached.png, headers);
}

/** A legend: the colour bar as a horizontal strip PNG (`width` x `height`, default 256 x 16). */
async function serveLegend(
  ctx: Context,
  req: Request,
  res: ServerResponse,
  cube: Cube,
  datasetId: string,
  variable: string
): Promise<void> {
  const dataset = ctx.registry.dataset(datasetId);
  const info = cube.array(variable)!;
  const color = colorSpec(req.query, info, styleMapping(ctx.registry.config, dataset, variable));
  const size = (name: string, fallback: number, max: number): number => {
    const text = req.query.get(name);
    if (text === null || text === '') {
      return fallback;
    }
    if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > max) {
      throw badRequest(name, `'${text}' is not a number of pixels between 1 and ${max}`);
    }
    return Number(text);
  };
  const width = size('width', 256, 4096);
  const height = size('height', 16, 256);
  const ramp = new Float32Array(width);
  const { vmin, vmax } = color;
  for (let i = 0; i < width; i++) {
    const t = width === 1 ? 0 : i / (width - 1);
    ramp[i] = color.norm === 'log' ? vmin * Math.pow(vmax / vmin, t) : vmin + (vmax - vmin) * t;
  }
  const strip = colorIndices(ramp, color);
  const indices = new Uint16Array(width * height);
  for (let r = 0; r < height; r++) {
    indices.set(strip.indices, r * width);
  }
  const used = strip.used.map(count => count * height);
  const png = encodeIndices(indices, used, color.colormap, width, height);
  send(req, res, 200, png, { 'Content-Type': 'image/png', 'Cache-Control': TILE_CACHE_CONTROL });
}

/** Routes of tiles, legends and colour bars; returns false when the path is not theirs. */
export async function tileRoutes(ctx: Context, req: Request, res: ServerResponse): Promise<boolean> {
  const s = req.segments;
  if (s[0] === 'colorbars' && s.length === 1) {
    sendJson(req, res, 200, colorbarGroups(), { 'Cache-Control': 'private, max-age=3600' });
    return true;
  }
  if (s[0] === 'tiles' && s.length === 6) {
    const [, id, variable, z, y, x] = s;
    await serveTile(ctx, req, res, id, variable, (crs, size) => parseTileAddress(crs, z, y, x, size));
    return true;
  }
  if (s[0] === 'datasets' && s[2] === 'vars' && s[4] === 'tiles2' && s.length === 8) {
    const [, id, , variable, , z, y, x] = s;
    await serveTile(ctx, req, res, id, variable, (crs, size) => parseTileAddress(crs, z, y, x, size));
    return true;
  }
  if (
    (s[0] === 'tiles' && s.length === 4 && s[3] === 'legend') ||
    (s[0] === 'datasets' && s[2] === 'vars' && s.length === 5 && s[4] === 'legend.png')
  ) {
    const id = s[1];
    const variable = s[0] === 'tiles' ? s[2] : s[3];
    const { cube } = await ctx.registry.variable(id, variable);
    await serveLegend(ctx, req, res, cube, id, variable);
    return true;
  }
  return false;
}
