import { describe, expect, it } from 'vitest';

import { decodeTime, isoFromInstant } from '../../src/gen/cf-time';

const iso = (values: number[], units: string, calendar?: string, override?: string): string[] =>
  Array.from(decodeTime(values, units, calendar, override).instants, isoFromInstant);

describe('decodeTime', () => {
  it('decodes the COADS climatology (hour since 0000-01-01, no calendar) to mid-month dates in year 0', () => {
    const decoded = decodeTime([366, 1096.485, 8401.335], 'hour since 0000-01-01 00:00:00', undefined);
    expect(Array.from(decoded.instants, isoFromInstant)).toEqual([
      '0000-01-16T06:00:00Z',
      '0000-02-15T16:29:06Z',
      '0000-12-16T01:20:06Z'
    ]);
    expect(decoded.steps.join()).toMatch(/year 0 \(a climatology\).*proleptic_gregorian/);
  });

  it('decodes the navy winds axis (hour since 1980-01-14 14:00:00)', () => {
    expect(iso([17598], 'hour since 1980-01-14 14:00:00', undefined)).toEqual(['1982-01-16T20:00:00Z']);
  });

  it('gives instants in seconds since 1970 on the proleptic Gregorian calendar', () => {
    expect(Array.from(decodeTime([0, 1.5], 'days since 1970-01-01', undefined).instants)).toEqual([0, 129600]);
    expect(decodeTime([366], 'hour since 0000-01-01', undefined).instants[0]).toBe(-719528 * 86400 + 366 * 3600);
  });

  it('treats standard, gregorian and proleptic_gregorian alike after 1582', () => {
    const values = [0, 59.5, 366];
    const expected = ['2000-01-01T00:00:00Z', '2000-02-29T12:00:00Z', '2001-01-01T00:00:00Z'];
    for (const calendar of ['standard', 'gregorian', 'proleptic_gregorian']) {
      expect(iso(values, 'days since 2000-01-01', calendar)).toEqual(expected);
    }
  });

  it('keeps the real elapsed time across the 1582 switch of the standard calendar', () => {
    const decoded = decodeTime([0, 1], 'days since 1582-10-04', 'standard');
    expect(Array.from(decoded.instants, isoFromInstant)).toEqual(['1582-10-14T00:00:00Z', '1582-10-15T00:00:00Z']);
    expect(decoded.steps.join()).toMatch(/1 time steps before 1582-10-15 .* relabelled/);
  });

  it('converts julian by instant and noleap by label, and says so', () => {
    const julian = decodeTime([0], 'days since 1900-01-01', 'julian');
    expect(Array.from(julian.instants, isoFromInstant)).toEqual(['1900-01-13T00:00:00Z']);
    expect(julian.steps.join()).toMatch(/julian calendar converted/);
    const noleap = decodeTime([0, 59, 365], 'days since 2000-01-01', '365_day');
    expect(Array.from(noleap.instants, isoFromInstant)).toEqual([
      '2000-01-01T00:00:00Z',
      '2000-03-01T00:00:00Z',
      '2001-01-01T00:00:00Z'
    ]);
    expect(noleap.accuracy.join()).toMatch(/noleap calendar converted .* by keeping each date's label/);
  });

  it('converts 360_day dates that exist (months included) and refuses those that do not', () => {
    expect(iso([15, 45], 'days since 2001-01-01', '360_day')).toEqual(['2001-01-16T00:00:00Z', '2001-02-16T00:00:00Z']);
    expect(iso([0.5, 1.5], 'months since 2001-01-01', '360_day')).toEqual([
      '2001-01-16T00:00:00Z',
      '2001-02-16T00:00:00Z'
    ]);
    expect(() => decodeTime([59], 'days since 2001-01-01', '360_day')).toThrow(
      /2001-02-30 in the 360_day calendar, a date the proleptic Gregorian calendar does not have/
    );
    expect(() => decodeTime([59], 'days since 2001-01-01', 'all_leap')).toThrow(/2001-02-29/);
  });

  it('lets the recipe override the calendar', () => {
    const decoded = decodeTime([0], 'days since 2000-01-01', 'noleap', 'proleptic_gregorian');
    expect(decoded.steps.join()).toMatch(/recipe's calendar proleptic_gregorian/);
    expect(decoded.accuracy).toEqual([]);
  });

  it('refuses what it cannot place, saying why', () => {
    expect(() => decodeTime([0, NaN], 'days since 2000-01-01', undefined)).toThrow(/time value 1 is NaN/);
    expect(() => decodeTime([0], 'months since 2000-01-01', undefined)).toThrow(
      /months and years have no fixed length/
    );
    expect(() => decodeTime([0], 'days since 2000-01-01', 'none')).toThrow(/calendar 'none'/);
    expect(() => decodeTime([0], 'days since 2000-01-01', 'martian')).toThrow(/calendar 'martian'/);
  });

  it('formats instants to the millisecond', () => {
    expect(isoFromInstant(0.25)).toBe('1970-01-01T00:00:00.250Z');
  });
});
