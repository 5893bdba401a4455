import { describe, expect, it } from 'vitest';
import {
  cfDateToEpochMs,
  cfDateToIso,
  decodeCfTimes,
  encodeCfTime,
  epochMsToCfDate,
  parseCfDate,
  parseCfTimeUnits
} from '../../src/common/cf-time';

describe('CF time', () => {
  it('decodes seconds and days since the Unix epoch', () => {
    const iso = decodeCfTimes([0, 86400 * 365 + 43200], 'seconds since 1970-01-01T00:00:00').map(d => cfDateToIso(d));
    expect(iso).toEqual(['1970-01-01T00:00:00Z', '1971-01-01T12:00:00Z']);
    expect(cfDateToIso(decodeCfTimes([19723.5], 'days since 1970-01-01', 'proleptic_gregorian')[0])).toBe(
      '2024-01-01T12:00:00Z'
    );
  });

  it('decodes a climatology in hours since year 0 as proleptic Gregorian mid-months', () => {
    // COADS: TIME = 366, 1096.485, … hours since 0000-01-01 00:00:00
    const dates = decodeCfTimes([366, 1096.485, 8401.9], 'hour since 0000-01-01 00:00:00', 'proleptic_gregorian');
    expect(dates.map(d => cfDateToIso(d))).toEqual([
      '0000-01-16T06:00:00Z',
      '0000-02-15T16:29:06Z',
      '0000-12-16T01:54:00Z'
    ]);
  });

  it('refuses year 0 in the standard calendar and months outside 360_day', () => {
    expect(() => parseCfTimeUnits('hours since 0000-01-01', 'standard')).toThrow(/year 0/);
    expect(() => parseCfTimeUnits('months since 1990-01-01', 'standard')).toThrow(/months/);
    expect(parseCfTimeUnits('months since 1990-01-01', '360_day').unitMs).toBe(30 * 86400000);
    expect(() => parseCfTimeUnits('fortnights since 1990-01-01')).toThrow(/not supported/);
    expect(() => parseCfTimeUnits('days after nothing')).toThrow(/not a date/);
    expect(() => parseCfTimeUnits('days since 1990-01-01', 'martian')).toThrow(/calendar/);
  });

  it('counts the standard calendar as Julian before 1582-10-15', () => {
    const d = decodeCfTimes([1], 'days since 1582-10-04', 'standard')[0];
    expect(cfDateToIso(d)).toBe('1582-10-15T00:00:00Z');
    const p = decodeCfTimes([1], 'days since 1582-10-04', 'proleptic_gregorian')[0];
    expect(cfDateToIso(p)).toBe('1582-10-05T00:00:00Z');
  });

  it('handles the fixed-length calendars', () => {
    expect(cfDateToIso(decodeCfTimes([59], 'days since 2001-01-01', 'noleap')[0])).toBe('2001-03-01T00:00:00Z');
    expect(cfDateToIso(decodeCfTimes([59], 'days since 2001-01-01', 'all_leap')[0])).toBe('2001-02-29T00:00:00Z');
    expect(cfDateToIso(decodeCfTimes([59], 'days since 2001-01-01', '360_day')[0])).toBe('2001-02-30T00:00:00Z');
  });

  it('encodes back what it decodes', () => {
    for (const calendar of ['proleptic_gregorian', 'standard', 'julian', 'noleap', 'all_leap', '360_day']) {
      const units = parseCfTimeUnits('hours since 1900-01-01 06:00', calendar);
      for (const value of [0, 1.5, 1000, 123456.25, -5000]) {
        const date = decodeCfTimes([value], 'hours since 1900-01-01 06:00', calendar)[0];
        expect(encodeCfTime(date, units, calendar)).toBeCloseTo(value, 6);
      }
    }
  });

  it('applies time-zone offsets and converts to epoch milliseconds', () => {
    expect(cfDateToIso(parseCfDate('1982-01-01 00:00:00 +01:00'))).toBe('1981-12-31T23:00:00Z');
    expect(cfDateToEpochMs(parseCfDate('2024-01-01T12:00:00Z'))).toBe(Date.UTC(2024, 0, 1, 12));
    expect(cfDateToIso(epochMsToCfDate(Date.UTC(1999, 11, 31, 23, 59, 59)))).toBe('1999-12-31T23:59:59Z');
  });
});
