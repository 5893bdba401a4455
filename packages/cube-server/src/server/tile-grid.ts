/**
 * The two tile grids of xcube's tile API, as the OGC tile matrix sets name them:
 * - `WorldWebMercatorQuad` (EPSG:3857, the default `crs`): 1x1 tiles at level 0;
 * - `WorldCRS84Quad` (`crs=CRS84`, `EPSG:4326`, `OGC:CRS84`): 2x1 tiles of 180° at level 0.
 * A tile's pixels are sampled at their centres, as xcube does (its tile of width W spans W - 1 pixel steps
 * between the first and last centre, which we follow so that tiles line up with xcube's pixel for pixel).
 */

export type TileCrs = 'EPSG:3857' | 'CRS84';

export const EARTH_RADIUS = 6378137;
const HALF_CIRCUMFERENCE = Math.PI * EARTH_RADIUS;

const CRS_ALIASES: Record<string, TileCrs> = {
  'epsg:3857': 'EPSG:3857',
  'epsg:900913': 'EPSG:3857',
  'urn:ogc:def:crs:epsg::3857': 'EPSG:3857',
  'urn:ogc:def:crs:ogc:1.3:epsg::3857': 'EPSG:3857',
  worldwebmercatorquad: 'EPSG:3857',
  crs84: 'CRS84',
  'ogc:crs84': 'CRS84',
  'epsg:4326': 'CRS84',
  'urn:ogc:def:crs:ogc:1.3:crs84': 'CRS84',
  'urn:ogc:def:crs:epsg::4326': 'CRS84',
  'urn:ogc:def:crs:ogc:1.3:epsg::4326': 'CRS84',
  wgs84: 'CRS84',
  worldcrs84quad: 'CRS84'
};

/** The tile grid of a `crs` parameter, or null when it names none of ours. */
export function parseTileCrs(value: string | null | undefined): TileCrs | null {
  if (value === null || value === undefined || value === '') {
    return 'EPSG:3857';
  }
  return CRS_ALIASES[value.trim().toLowerCase()] ?? null;
}

/** How many tiles a level has across and down. */
export function tileCount(crs: TileCrs, z: number): { cols: number; rows: number } {
  const n = 2 ** z;
  return crs === 'CRS84' ? { cols: 2 * n, rows: n } : { cols: n, rows: n };
}

/** The tile's extent in its CRS's units: [xmin, ymin, xmax, ymax] (metres or degrees). */
export function tileExtent(crs: TileCrs, z: number, y: number, x: number): [number, number, number, number] {
  const n = 2 ** z;
  if (crs === 'CRS84') {
    const size = 180 / n;
    return [-180 + x * size, 90 - (y + 1) * size, -180 + (x + 1) * size, 90 - y * size];
  }
  const size = (2 * HALF_CIRCUMFERENCE) / n;
  return [
    -HALF_CIRCUMFERENCE + x * size,
    HALF_CIRCUMFERENCE - (y + 1) * size,
    -HALF_CIRCUMFERENCE + (x + 1) * size,
    HALF_CIRCUMFERENCE - y * size
  ];
}

/**
 * Longitudes of a tile's pixel columns (west to east) and latitudes of its rows (north to south), in degrees.
 */
export function tilePixelCoords(
  crs: TileCrs,
  z: number,
  y: number,
  x: number,
  size: number
): { lons: Float64Array; lats: Float64Array } {
  const [x0, y0, x1, y1] = tileExtent(crs, z, y, x);
  const resX = (x1 - x0) / (size - 1);
  const resY = (y1 - y0) / (size - 1);
  const stepX = (x1 - x0 - resX) / (size - 1);
  const stepY = (y1 - y0 - resY) / (size - 1);
  const lons = new Float64Array(size);
  const lats = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const mx = x0 + 0.5 * resX + i * stepX;
    // rows run north to south: row 0 is the northernmost
    const my = y1 - 0.5 * resY - i * stepY;
    if (crs === 'CRS84') {
      lons[i] = mx;
      lats[i] = my;
    } else {
      lons[i] = (mx / EARTH_RADIUS) * (180 / Math.PI);
      lats[i] = Math.atan(Math.sinh(my / EARTH_RADIUS)) * (180 / Math.PI);
    }
  }
  return { lons, lats };
}

/** Degrees of longitude per pixel of a level (for choosing an overview level). */
export function degreesPerPixel(crs: TileCrs, z: number, size: number): number {
  const n = 2 ** z;
  return crs === 'CRS84' ? 180 / n / size : 360 / n / size;
}

/** The OGC scale denominator of a level (0.28 mm pixels), for WMTS capabilities. */
export function scaleDenominator(crs: TileCrs, z: number): number {
  // in the order xcube computes it, so that the capabilities carry the same digits
  if (crs === 'CRS84') {
    return (180 / 256 / 2 ** z / 0.00028) * ((2 * HALF_CIRCUMFERENCE) / 360);
  }
  return (2 * HALF_CIRCUMFERENCE) / 256 / 2 ** z / 0.00028;
}
