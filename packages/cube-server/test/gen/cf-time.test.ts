import { describe, expect, it } from 'vitest';

import {
  daysFromGregorian,
  daysFromJulian,
  decodeTime,
  gregorianFromDays,
  isoFromInstant,
  normaliseCalendar,
  parseTimeUnits
} from '../../src/gen/cf-time';

const iso = (values: number[], units: string, calendar?: string, override?: string): string[] =>
  Array.from(decodeTime(values, units, calendar, override).instants, isoFromInstant);

describe('CF time units', () => {
  it('reads Ferret, ISO and abbreviated forms', () => {
    expect(parseTimeUnits('hour since 0000-01-01 00:00:00')).toMatchObject({
      unitSeconds: 3600,
      reference: { year: 0, month: 1, day: 1, seconds: 0 }
    });
    expect(parseTimeUnits('days since 1970-01-01T00:00:00Z').unitSeconds).toBe(86400);
    expect(parseTimeUnits('seconds since 1-1-1 0:0:0').reference).toEqual({ year: 1, month: 1, day: 1, seconds: 0 });
    expect(parseTimeUnits('minutes since 2000-01-01 12:30:15.5 +02:00')).toMatchObject({
      unitSeconds: 60,
      reference: { seconds: 12 * 3600 + 30 * 60 + 15.5 },
      zoneMinutes: 120
    });
  });

  it('refuses units it cannot place, saying why', () => {
    expect(() => parseTimeUnits('months since 2000-01-01')).toThrow(/no fixed length/);
    expect(() => parseTimeUnits('fortnights since 2000-01-01')).toThrow(/unknown unit "fortnights"/);
    expect(() => parseTimeUnits('days after 2000-01-01')).toThrow(/not of the form/);
    expect(() => parseTimeUnits('days since 2000-13-01')).toThrow(/not a valid date/);
    expect(() => normaliseCalendar('martian')).toThrow(/unknown calendar "martian"/);
  });
});

describe('calendar arithmetic', () => {
  it('round-trips proleptic Gregorian days, year 0 and negative years included', () => {
    for (const days of [-800000, -719528, -719162, 0, 11016, 2932896]) {
      const date = gregorianFromDays(days);
      expect(daysFromGregorian(date.year, date.month, date.day)).toBe(days);
    }
    expect(daysFromGregorian(1970, 1, 1)).toBe(0);
    expect(gregorianFromDays(daysFromGregorian(0, 2, 29))).toEqual({ year: 0, month: 2, day: 29 });
  });

  it('places Julian dates on the same instants', () => {
    // 1582-10-04 (Julian) was followed by 1582-10-15 (Gregorian).
    expect(daysFromJulian(1582, 10, 4) + 1).toBe(daysFromGregorian(1582, 10, 15));
  });
});

describe('decodeTime', () => {
  it('decodes the COADS climatology (hour since 0000-01-01, no calendar) to mid-month dates in year 0', () => {
    const decoded = decodeTime([366, 1096.485, 8401.335], 'hour since 0000-01-01 00:00:00', undefined);
    expect(Array.from(decoded.instants, isoFromInstant)).toEqual([
      '0000-01-16T06:00:00',
      '0000-02-15T16:29:06',
      '0000-12-16T01:20:06'
    ]);
    expect(decoded.steps.join()).toMatch(/year 0 \(a climatology\).*proleptic_gregorian/);
  });

  it('decodes the navy winds axis (hour since 1980-01-14 14:00:00)', () => {
    expect(iso([17598], 'hour since 1980-01-14 14:00:00', undefined)).toEqual(['1982-01-16T20:00:00']);
  });

  it('treats standard, gregorian and proleptic_gregorian alike after 1582', () => {
    const values = [0, 59.5, 366];
    const expected = ['2000-01-01T00:00:00', '2000-02-29T12:00:00', '2001-01-01T00:00:00'];
    for (const calendar of ['standard', 'gregorian', 'proleptic_gregorian']) {
      expect(iso(values, 'days since 2000-01-01', calendar)).toEqual(expected);
    }
  });

  it('counts real elapsed time across the 1582 switch in the standard calendar', () => {
    const decoded = decodeTime([0, 1], 'days since 1582-10-04', 'standard');
    expect(Array.from(decoded.instants, isoFromInstant)).toEqual(['1582-10-14T00:00:00', '1582-10-15T00:00:00']);
    expect(decoded.steps.join()).toMatch(/relabelled/);
  });

  it('converts julian by instant and noleap by label, and says so', () => {
    expect(iso([0], 'days since 1900-01-01', 'julian')).toEqual(['1900-01-13T00:00:00']);
    const noleap = decodeTime([0, 59, 365], 'days since 2000-01-01', '365_day');
    expect(Array.from(noleap.instants, isoFromInstant)).toEqual([
      '2000-01-01T00:00:00',
      '2000-03-01T00:00:00',
      '2001-01-01T00:00:00'
    ]);
    expect(noleap.accuracy.join()).toMatch(/noleap calendar converted .* by keeping each date's label/);
  });

  it('converts 360_day dates that exist and refuses those that do not', () => {
    expect(iso([15, 45], 'days since 2001-01-01', '360_day')).toEqual(['2001-01-16T00:00:00', '2001-02-16T00:00:00']);
    expect(() => decodeTime([59], 'days since 2001-01-01', '360_day')).toThrow(
      /2001-02-30 in the 360_day calendar, a date the proleptic Gregorian calendar does not have/
    );
    expect(() => decodeTime([59], 'days since 2001-01-01', 'all_leap')).toThrow(/2001-02-29/);
  });

  it('lets the recipe override the calendar and refuses calendar none', () => {
    const decoded = decodeTime([0], 'days since 2000-01-01', 'noleap', 'proleptic_gregorian');
    expect(decoded.steps.join()).toMatch(/recipe's calendar proleptic_gregorian/);
    expect(() => decodeTime([0], 'days since 2000-01-01', 'none')).toThrow(/calendar "none"/);
  });

  it('refuses missing time values', () => {
    expect(() => decodeTime([0, NaN], 'days since 2000-01-01', undefined)).toThrow(/time value 1 is NaN/);
  });

  it('formats instants to the millisecond, years before 1 too', () => {
    expect(isoFromInstant(0.25)).toBe('1970-01-01T00:00:00.250');
    expect(isoFromInstant(daysFromGregorian(-1, 12, 31) * 86400)).toBe('-0001-12-31T00:00:00');
  });
});
