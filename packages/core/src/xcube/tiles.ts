/**
 * Tile requests of xcube server's `/tiles/{dataset}/{variable}/{z}/{y}/{x}`: building their paths, and
 * choosing the one low-zoom tile that shows a bounding box (the catalogue's previews).
 */

/** The tile grids xcube serves: Web Mercator (the default) and geographic CRS84 (2x1 tiles at level 0). */
export type XcubeTileCrs = 'EPSG:3857' | 'CRS84';

/** One tile of one variable, with xcube's query parameters. */
export interface ITileRequest {
  dataset: string;
  variable: string;
  z: number;
  y: number;
  x: number;
  /** the tile grid; xcube's default is EPSG:3857 */
  crs?: XcubeTileCrs;
  /** a time label (ISO 8601); the server picks the nearest */
  time?: string;
  /** other non-spatial dimensions by label, e.g. `{depth: 10}` */
  dims?: Record<string, string | number>;
  vmin?: number;
  vmax?: number;
  /** a matplotlib colour map name (`_r` reversed, `_alpha`), or a JSON custom colour map */
  cmap?: string;
  norm?: 'lin' | 'log';
  /** 512x512 pixels instead of 256x256 */
  retina?: boolean;
}

/** `[west, south, east, north]` in degrees. */
export type BBox = [number, number, number, number];

/** The query string of a tile request, in xcube's parameter names. */
export function tileQuery(request: ITileRequest): string {
  const params = new URLSearchParams();
  if (request.crs) {
    params.set('crs', request.crs);
  }
  if (request.vmin !== undefined && Number.isFinite(request.vmin)) {
    params.set('vmin', String(request.vmin));
  }
  if (request.vmax !== undefined && Number.isFinite(request.vmax)) {
    params.set('vmax', String(request.vmax));
  }
  if (request.cmap) {
    params.set('cmap', request.cmap);
  }
  if (request.norm) {
    params.set('norm', request.norm);
  }
  if (request.retina) {
    params.set('retina', '1');
  }
  if (request.time) {
    params.set('time', request.time);
  }
  for (const [name, value] of Object.entries(request.dims ?? {})) {
    params.set(name, String(value));
  }
  return params.toString();
}

/** The path of a tile relative to a cube server's root, e.g. `tiles/demo/sst/0/0/0?crs=…`. */
export function tilePath(request: ITileRequest): string {
  for (const key of ['z', 'y', 'x'] as const) {
    if (!Number.isInteger(request[key]) || request[key] < 0) {
      throw new RangeError(`Tile ${key} must be a non-negative integer, not ${request[key]}`);
    }
  }
  const query = tileQuery(request);
  const path = ['tiles', request.dataset, request.variable, request.z, request.y, request.x]
    .map(part => encodeURIComponent(String(part)))
    .join('/');
  return query ? `${path}?${query}` : path;
}

const MAX_MERCATOR_LAT = 85.0511287798066;

function mercatorRow(lat: number, n: number): number {
  const clamped = Math.max(-MAX_MERCATOR_LAT, Math.min(MAX_MERCATOR_LAT, lat));
  const rad = (clamped * Math.PI) / 180;
  const y = (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2;
  return Math.min(n - 1, Math.max(0, Math.floor(y * n)));
}

function column(lon: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.floor(((lon + 180) / 360) * n)));
}

/**
 * The Web Mercator tile `{z, x, y}` at the deepest level (up to `maxZoom`) that still holds the whole box in
 * one tile: z 0 for global data, a closer tile for a regional cube.
 */
export function previewTile(bbox: BBox | undefined, maxZoom = 8): { z: number; x: number; y: number } {
  if (!bbox || bbox.some(value => !Number.isFinite(value))) {
    return { z: 0, x: 0, y: 0 };
  }
  const [west, south, east, north] = bbox;
  let best = { z: 0, x: 0, y: 0 };
  for (let z = 1; z <= maxZoom; z++) {
    const n = 2 ** z;
    // the far edges belong to the tile before: a box ending at 180° must not reach a column past the last
    const x0 = column(west, n);
    const x1 = column(east - 1e-9, n);
    const y0 = mercatorRow(north, n);
    const y1 = mercatorRow(south + 1e-9, n);
    if (x0 !== x1 || y0 !== y1) {
      break;
    }
    best = { z, x: x0, y: y0 };
  }
  return best;
}
