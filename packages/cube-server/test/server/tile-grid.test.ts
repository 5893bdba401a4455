import { describe, expect, it } from 'vitest';
import {
  degreesPerPixel,
  parseTileCrs,
  scaleDenominator,
  tileCount,
  tileExtent,
  tilePixelCoords
} from '../../src/server/tile-grid';

describe('tile grids', () => {
  it('names the two grids as xcube accepts them', () => {
    expect(parseTileCrs(undefined)).toBe('EPSG:3857');
    expect(parseTileCrs('EPSG:3857')).toBe('EPSG:3857');
    for (const name of ['CRS84', 'OGC:CRS84', 'EPSG:4326', 'WorldCRS84Quad', 'urn:ogc:def:crs:OGC:1.3:CRS84']) {
      expect(parseTileCrs(name)).toBe('CRS84');
    }
    expect(parseTileCrs('EPSG:32632')).toBeNull();
  });

  it('has 1x1 Web Mercator and 2x1 CRS84 tiles at level 0', () => {
    expect(tileCount('EPSG:3857', 0)).toEqual({ cols: 1, rows: 1 });
    expect(tileCount('CRS84', 0)).toEqual({ cols: 2, rows: 1 });
    expect(tileCount('CRS84', 3)).toEqual({ cols: 16, rows: 8 });
    expect(tileExtent('CRS84', 0, 0, 1)).toEqual([0, -90, 180, 90]);
    expect(tileExtent('CRS84', 1, 0, 1)).toEqual([-90, 0, 0, 90]);
    const [x0, y0, x1, y1] = tileExtent('EPSG:3857', 0, 0, 0);
    expect(x0).toBeCloseTo(-20037508.3427892, 4);
    expect(y1).toBeCloseTo(20037508.3427892, 4);
    expect(x1).toBeCloseTo(-x0, 6);
    expect(y0).toBeCloseTo(-y1, 6);
  });

  it('samples pixel centres from west to east and north to south', () => {
    const { lons, lats } = tilePixelCoords('CRS84', 0, 0, 0, 256);
    expect(lons[0]).toBeGreaterThan(-180);
    expect(lons[0]).toBeLessThan(-179);
    expect(lons[255]).toBeLessThan(0);
    expect(lats[0]).toBeGreaterThan(89);
    expect(lats[255]).toBeLessThan(-89);
    for (let i = 1; i < 256; i++) {
      expect(lons[i]).toBeGreaterThan(lons[i - 1]);
      expect(lats[i]).toBeLessThan(lats[i - 1]);
    }
    const merc = tilePixelCoords('EPSG:3857', 0, 0, 0, 256);
    // Web Mercator stops at ±85.0511°; the middle rows straddle the equator symmetrically
    expect(merc.lats[0]).toBeLessThan(85.06);
    expect(merc.lats[0]).toBeGreaterThan(84.5);
    expect(merc.lats[127]).toBeCloseTo(-merc.lats[128], 9);
    expect(merc.lons[127]).toBeCloseTo(-merc.lons[128], 9);
  });

  it('gives the OGC scale denominators of the WMTS tile matrix sets', () => {
    expect(scaleDenominator('CRS84', 0)).toBeCloseTo(279541132.01435894, 3);
    expect(scaleDenominator('CRS84', 9)).toBeCloseTo(545978.7734655448, 5);
    expect(scaleDenominator('EPSG:3857', 0)).toBeCloseTo(559082264.0287178, 3);
    expect(degreesPerPixel('EPSG:3857', 1, 256)).toBeCloseTo(360 / 512, 12);
  });
});
