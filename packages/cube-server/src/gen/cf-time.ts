/**
 * How cube-gen places a source time axis on the cubes' one calendar: the CF units and calendars are decoded by
 * the shared `common/cf-time`; this module decides the calendar (the recipe's, the attribute's, or proleptic
 * Gregorian for year-0 climatologies), turns the dates into instants on the proleptic Gregorian calendar, refuses
 * dates that calendar lacks, and says what it did for the provenance.
 */
import type { CfCalendar, CfDate } from '../common/cf-time';
import {
  cfDateToEpochMs,
  cfDateToIso,
  decodeCfTimes,
  epochMsToCfDate,
  normalizeCalendar,
  parseCfTimeUnits
} from '../common/cf-time';

/** The units and calendar that every cube's time coordinate is written in. */
export const OUTPUT_TIME_UNITS = 'seconds since 1970-01-01T00:00:00';
export const OUTPUT_CALENDAR = 'proleptic_gregorian';

const MS_PER_DAY = 86_400_000;

/** How a time axis was decoded: instants plus the notes that go into the cube's provenance. */
export interface DecodedTime {
  /** Seconds since 1970-01-01T00:00:00 on the proleptic Gregorian calendar. */
  instants: Float64Array;
  /** Processing steps worth recording (calendar assumptions and conversions). */
  steps: string[];
  /** Accuracy notes (conversions that move dates). */
  accuracy: string[];
}

/** ISO 8601 text of an instant (seconds since 1970-01-01, proleptic Gregorian), to the millisecond. */
export function isoFromInstant(seconds: number): string {
  return cfDateToIso(epochMsToCfDate(Math.round(seconds * 1000)), true);
}

/**
 * Decodes CF time values. `calendarAttribute` is the axis' calendar attribute (undefined when absent);
 * `calendarOverride` comes from the recipe and wins. Throws with the reason when a value cannot be placed on the
 * proleptic Gregorian calendar.
 */
export function decodeTime(
  values: ArrayLike<number>,
  units: string,
  calendarAttribute: string | undefined,
  calendarOverride?: string
): DecodedTime {
  const steps: string[] = [];
  const accuracy: string[] = [];
  let calendar: CfCalendar;
  if (calendarOverride !== undefined) {
    calendar = normalizeCalendar(calendarOverride);
    steps.push(
      `time decoded with the recipe's calendar ${calendar} (source attribute: ${calendarAttribute ?? 'none'})`
    );
  } else {
    calendar = normalizeCalendar(calendarAttribute);
    // Year 0 exists only in the proleptic Gregorian calendar: Ferret/COARDS climatologies mean that one.
    if (
      (calendar === 'standard' || calendar === 'julian') &&
      parseCfTimeUnits(units, 'proleptic_gregorian').reference.year === 0
    ) {
      steps.push(
        `time units "${units}" have a reference in year 0 (a climatology) and calendar ` +
          `${calendarAttribute ?? '(none)'}: decoded as proleptic_gregorian, which keeps the mid-month dates`
      );
      calendar = 'proleptic_gregorian';
    }
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`time value ${i} is ${values[i]}: every time step needs a date`);
    }
  }
  const dates = decodeCfTimes(values, units, calendar);
  const instants = new Float64Array(dates.length);
  let relabelled = 0;
  dates.forEach((date, i) => {
    const julian = calendar === 'julian' || (calendar === 'standard' && isBeforeGregorian(date));
    relabelled += calendar === 'standard' && julian ? 1 : 0;
    if (!julian && date.day > gregorianMonthLength(date.year, date.month)) {
      throw new Error(
        `time step ${i} is ${date.year}-${pad(date.month)}-${pad(date.day)} in the ${calendar} calendar, a date ` +
          'the proleptic Gregorian calendar does not have; convert the time axis (e.g. xarray convert_calendar ' +
          'with align_on="date") before making a cube'
      );
    }
    instants[i] = (julian ? julianEpochMs(date) : cfDateToEpochMs(date)) / 1000;
  });
  if (relabelled > 0) {
    steps.push(
      `${relabelled} time steps before 1582-10-15 (Julian dates in the standard calendar) relabelled on the ` +
        'proleptic Gregorian calendar; the instants are unchanged'
    );
  }
  if (calendar === 'julian') {
    steps.push('julian calendar converted to proleptic_gregorian: the instants are unchanged, the date labels differ');
  }
  if (calendar === 'noleap' || calendar === 'all_leap' || calendar === '360_day') {
    const note =
      `${calendar} calendar converted to proleptic_gregorian by keeping each date's label ` +
      '(year, month, day, time); intervals that span a 29 February or a month end change length';
    steps.push(note);
    accuracy.push(note);
  }
  return { instants, steps, accuracy };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function isBeforeGregorian(date: CfDate): boolean {
  return date.year * 10000 + date.month * 100 + date.day < 15821015;
}

function gregorianMonthLength(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Milliseconds since 1970-01-01 (proleptic Gregorian) of a Julian calendar date: the same instant. */
function julianEpochMs(date: CfDate): number {
  // CF's Julian calendar has no year 0 (1 BC is -1); the day number formula counts astronomically.
  const year = date.year < 0 ? date.year + 1 : date.year;
  const a = Math.floor((14 - date.month) / 12);
  const y = year + 4800 - a;
  const m = date.month + 12 * a - 3;
  const julianDayNumber = date.day + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - 32083;
  const timeOfDay = ((date.hour * 60 + date.minute) * 60 + date.second) * 1000;
  return (julianDayNumber - 2440588) * MS_PER_DAY + timeOfDay;
}
