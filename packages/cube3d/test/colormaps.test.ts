import { describe, expect, it } from 'vitest';
import { checkerboard, colormapTable, mapColours, MISSING_RGBA, fittedRange } from '../src/colormaps';
import { decodeValues } from '../src/source';
import { cfTimeToMs, formatCoordinate, formatValue, nearestIndex, parseCoordinate } from '../src/labels';

describe('CPU colour mapping', () => {
  it('maps the range ends to the ends of the map, clamps outside, reverses with _r', () => {
    const table = colormapTable('RdYlBu_r');
    const rgba = mapColours([-2, 32, -50, 99], table, -2, 32);
    expect(Array.from(rgba.slice(0, 4))).toEqual([0x31, 0x36, 0x95, 255]);
    expect(Array.from(rgba.slice(4, 8))).toEqual([0xa5, 0x00, 0x26, 255]);
    expect(rgba.slice(8, 12)).toEqual(rgba.slice(0, 4));
    expect(rgba.slice(12, 16)).toEqual(rgba.slice(4, 8));
    expect(Array.from(colormapTable('RdYlBu').slice(0, 4))).toEqual([0xa5, 0x00, 0x26, 255]);
  });

  it('draws NaN as missing but a real -9999 as a value', () => {
    const rgba = mapColours([NaN, -9999], colormapTable('viridis'), -10000, 0);
    expect(Array.from(rgba.slice(0, 4))).toEqual(MISSING_RGBA);
    expect(Array.from(rgba.slice(4, 8))).not.toEqual(MISSING_RGBA);
  });

  it('maps logarithmically, values ≤ 0 missing', () => {
    const table = colormapTable('gray');
    const rgba = mapColours([1, 10, 100, 0], table, 1, 100, true);
    expect([rgba[0], rgba[4], rgba[8]]).toEqual([0, 128, 255]);
    expect(Array.from(rgba.slice(12, 16))).toEqual(MISSING_RGBA);
  });

  it('names the known maps when asked for an unknown one', () => {
    expect(() => colormapTable('jet')).toThrow(/Unknown colour map "jet"; choose one of viridis, viridis_r/);
  });

  it('draws a two-tone checkerboard', () => {
    const board = checkerboard(4, 2, 2);
    expect(board[0]).not.toBe(board[2 * 4]);
    expect(board[0]).toBe(board[1 * 4]);
  });
});

describe('decoding stored values', () => {
  it('masks fill and missing values only, then applies scale and offset', () => {
    const out = decodeValues([-9999, 5, -1, 7], { _FillValue: -1, missing_value: [7], scale_factor: 2, add_offset: 1 });
    expect(Array.from(out)).toEqual([-19997, 11, NaN, NaN]);
  });
});

describe('labels', () => {
  it('shows CF times as dates, degrees with hemispheres, longitudes in -180..180', () => {
    expect(formatCoordinate('time', -62165901600, { units: 'seconds since 1970-01-01T00:00:00' })).toBe(
      '0000-01-16 06:00'
    );
    expect(formatCoordinate('time', 3, { units: 'days since 2000-01-01', calendar: 'standard' })).toBe('2000-01-04');
    expect(cfTimeToMs(1, 'days since 2000-01-01', '360_day')).toBeUndefined();
    expect(formatCoordinate('time', 1, { units: 'days since 2000-01-01', calendar: 'noleap' })).toBe(
      '1 days since 2000-01-01'
    );
    expect(formatCoordinate('lat', -12.5)).toBe('12.5°S');
    expect(formatCoordinate('lon', 200)).toBe('160°W');
    expect(formatCoordinate('depth', 100)).toBe('100 m');
    expect(formatValue(NaN)).toBe('missing');
    expect(formatValue(27.37637)).toBe('27.38');
  });

  it('shows the date alone where an axis steps by days or more, the time of day where it steps by hours', () => {
    const coadsTime = { units: 'hour since 0000-01-01 00:00:00' };
    const months = Float64Array.from([366, 1096.485, 1826.97]);
    expect(formatCoordinate('time', months[2], coadsTime)).toBe('0000-03-17 02:58');
    expect(formatCoordinate('time', months[2], coadsTime, months)).toBe('0000-03-17');
    const hours = [0, 6, 12].map(h => 366 + h);
    expect(formatCoordinate('time', hours[1], coadsTime, hours)).toBe('0000-01-16 12:00');
    expect(formatCoordinate('time', 366, coadsTime, [366])).toBe('0000-01-16 06:00');
  });
});

describe('typed coordinates', () => {
  const coadsTime = { units: 'hour since 0000-01-01 00:00:00' };

  it('reads dates for time, in the units of the stored axis', () => {
    const value = parseCoordinate('time', '0000-03', coadsTime)!;
    expect(formatCoordinate('time', value, coadsTime)).toBe('0000-03-15');
    expect(parseCoordinate('time', '2000-01-01', { units: 'days since 2000-01-01' })).toBe(0);
  });

  it('reads degrees with hemispheres, and plain numbers', () => {
    expect(parseCoordinate('lat', '20S')).toBe(-20);
    expect(parseCoordinate('lat', '12.5°N')).toBe(12.5);
    expect(parseCoordinate('lon', '-160')).toBe(-160);
    expect(parseCoordinate('lon', '30 W')).toBe(-30);
    expect(parseCoordinate('depth', '500')).toBe(500);
    expect(parseCoordinate('lat', 'north')).toBeUndefined();
  });

  it('finds the nearest index, longitudes modulo 360', () => {
    const lon = Float64Array.from({ length: 180 }, (_, i) => 21 + 2 * i);
    expect(lon[nearestIndex('lon', lon, -160)]).toBe(199);
    expect(lon[nearestIndex('lon', lon, 25)]).toBe(25);
    const lat = Float64Array.from({ length: 90 }, (_, i) => 89 - 2 * i);
    expect(lat[nearestIndex('lat', lat, -20)]).toBe(-19);
  });
});

describe('a colour range fitted to the data seen', () => {
  it('takes the 2nd to 98th percentile of the finite values of all faces', () => {
    const ramp = Float32Array.from({ length: 1000 }, (_, i) => i);
    const spiked = Float32Array.from([NaN, NaN, 1e30, -1e30]);
    const [low, high] = fittedRange([ramp, spiked])!;
    expect(low).toBeGreaterThanOrEqual(0);
    expect(low).toBeLessThan(40);
    expect(high).toBeGreaterThan(960);
    expect(high).toBeLessThan(1000);
  });

  it('widens a constant field and gives nothing for all-NaN data', () => {
    expect(fittedRange([Float32Array.from([5, 5, 5])])).toEqual([5, 6]);
    expect(fittedRange([Float32Array.from([NaN, NaN])])).toBeNull();
  });
});
