/**
 * CF time decoding: "<unit> since <date>" in the CF calendars, turned into instants on the proleptic Gregorian
 * calendar (seconds since 1970-01-01T00:00:00), which is what every cube stores.
 */

/** The unit and reference date of a CF time axis. */
export interface TimeUnits {
  /** Length of one unit in seconds. */
  unitSeconds: number;
  unitName: string;
  reference: DateLabel;
  /** Offset of the reference date's time zone from UTC, in minutes. */
  zoneMinutes: number;
}

/** A date as written in some calendar: year, month 1-12, day 1-31, and seconds into the day. */
export interface DateLabel {
  year: number;
  month: number;
  day: number;
  seconds: number;
}

/** The calendars of CF 1.8, by their canonical names. */
export type Calendar = 'proleptic_gregorian' | 'standard' | 'julian' | 'noleap' | 'all_leap' | '360_day' | 'none';

/** The units and calendar that every cube's time coordinate is written in. */
export const OUTPUT_TIME_UNITS = 'seconds since 1970-01-01T00:00:00';
export const OUTPUT_CALENDAR = 'proleptic_gregorian';

const SECONDS_PER_DAY = 86400;

const UNIT_SECONDS: Record<string, number> = {
  microsecond: 1e-6,
  microseconds: 1e-6,
  us: 1e-6,
  millisecond: 1e-3,
  milliseconds: 1e-3,
  msec: 1e-3,
  ms: 1e-3,
  second: 1,
  seconds: 1,
  sec: 1,
  secs: 1,
  s: 1,
  minute: 60,
  minutes: 60,
  min: 60,
  mins: 60,
  hour: 3600,
  hours: 3600,
  hr: 3600,
  hrs: 3600,
  h: 3600,
  day: SECONDS_PER_DAY,
  days: SECONDS_PER_DAY,
  d: SECONDS_PER_DAY,
  week: 7 * SECONDS_PER_DAY,
  weeks: 7 * SECONDS_PER_DAY
};

const CALENDAR_ALIASES: Record<string, Calendar> = {
  proleptic_gregorian: 'proleptic_gregorian',
  standard: 'standard',
  gregorian: 'standard',
  julian: 'julian',
  noleap: 'noleap',
  '365_day': 'noleap',
  all_leap: 'all_leap',
  '366_day': 'all_leap',
  '360_day': '360_day',
  none: 'none'
};

/** Canonical name of a CF calendar attribute value; throws on names CF does not define. */
export function normaliseCalendar(name: string): Calendar {
  const calendar = CALENDAR_ALIASES[name.trim().toLowerCase()];
  if (!calendar) {
    throw new Error(
      `unknown calendar "${name}"; CF defines standard, gregorian, proleptic_gregorian, julian, noleap, 365_day, ` +
        'all_leap, 366_day and 360_day (set time.calendar in the recipe if the attribute is wrong)'
    );
  }
  return calendar;
}

const DATE_PATTERN =
  /^(-?\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?$/i;

/** Parses "hours since 1980-01-14 14:00:00" and the like; throws with the reason when it cannot. */
export function parseTimeUnits(units: string): TimeUnits {
  const match = /^\s*([A-Za-z]+)\s+since\s+(.+?)\s*$/.exec(units);
  if (!match) {
    throw new Error(`time units "${units}" are not of the form "<unit> since <date>"`);
  }
  const unitName = match[1].toLowerCase();
  const unitSeconds = UNIT_SECONDS[unitName];
  if (unitSeconds === undefined) {
    if (/^(months?|years?|common_years?)$/.test(unitName)) {
      throw new Error(
        `time units "${units}": "${unitName}" have no fixed length (CF discourages them); ` +
          'convert the time axis to days or hours first'
      );
    }
    throw new Error(`time units "${units}": unknown unit "${match[1]}"`);
  }
  const date = DATE_PATTERN.exec(match[2]);
  if (!date) {
    throw new Error(
      `time units "${units}": cannot read the reference date "${match[2]}" (expected YYYY-MM-DD hh:mm:ss)`
    );
  }
  const month = Number(date[2]);
  const day = Number(date[3]);
  const hour = Number(date[4] ?? 0);
  const minute = Number(date[5] ?? 0);
  const second = Number(date[6] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second >= 61) {
    throw new Error(`time units "${units}": the reference date "${match[2]}" is not a valid date`);
  }
  return {
    unitSeconds,
    unitName,
    reference: { year: Number(date[1]), month, day, seconds: hour * 3600 + minute * 60 + second },
    zoneMinutes: parseZone(date[7])
  };
}

function parseZone(zone: string | undefined): number {
  if (!zone || /^(Z|UTC|GMT)$/i.test(zone)) {
    return 0;
  }
  const match = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, including 0 and negative years). */
export function daysFromGregorian(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The proleptic Gregorian date of a day count from 1970-01-01. */
export function gregorianFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days from 1970-01-01 (proleptic Gregorian) to a date of the Julian calendar, i.e. the same instant. */
export function daysFromJulian(year: number, month: number, day: number): number {
  const a = Math.floor((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  const julianDayNumber = day + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - 32083;
  return julianDayNumber - 2440588;
}

function isGregorianLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function gregorianMonthLength(year: number, month: number): number {
  return month === 2 && isGregorianLeap(year) ? 29 : MONTH_DAYS[month - 1];
}

/** Formats an instant (seconds since 1970-01-01, proleptic Gregorian) as ISO 8601, to the millisecond. */
export function isoFromInstant(seconds: number): string {
  const milliseconds = Math.round(seconds * 1000);
  const days = Math.floor(milliseconds / 86400000);
  const date = gregorianFromDays(days);
  let rest = milliseconds - days * 86400000;
  const hour = Math.floor(rest / 3600000);
  rest -= hour * 3600000;
  const minute = Math.floor(rest / 60000);
  rest -= minute * 60000;
  const second = Math.floor(rest / 1000);
  const fraction = rest - second * 1000;
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const year = date.year < 0 ? `-${pad(-date.year, 4)}` : pad(date.year, 4);
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}${fraction ? `.${pad(fraction, 3)}` : ''}`;
  return `${year}-${pad(date.month)}-${pad(date.day)}T${time}`;
}

/** How a time axis was decoded: instants plus the notes that go into the cube's provenance. */
export interface DecodedTime {
  /** Seconds since 1970-01-01T00:00:00 on the proleptic Gregorian calendar. */
  instants: Float64Array;
  /** Processing steps worth recording (calendar assumptions and conversions). */
  steps: string[];
  /** Accuracy notes (conversions that move dates). */
  accuracy: string[];
}

/**
 * Decodes CF time values. `calendarAttribute` is the axis' calendar attribute (undefined when absent);
 * `calendarOverride` comes from the recipe and wins. Throws with the reason when a value cannot be placed on the
 * proleptic Gregorian calendar.
 */
export function decodeTime(
  values: ArrayLike<number>,
  unitsText: string,
  calendarAttribute: string | undefined,
  calendarOverride?: string
): DecodedTime {
  const units = parseTimeUnits(unitsText);
  const steps: string[] = [];
  const accuracy: string[] = [];
  let calendar: Calendar;
  if (calendarOverride !== undefined) {
    calendar = normaliseCalendar(calendarOverride);
    steps.push(
      `time decoded with the recipe's calendar ${calendar} (source attribute: ${calendarAttribute ?? 'none'})`
    );
  } else {
    calendar = normaliseCalendar(calendarAttribute ?? 'standard');
    if ((calendar === 'standard' || calendar === 'julian') && units.reference.year === 0) {
      // Year 0 exists only in the proleptic Gregorian calendar: Ferret/COARDS climatologies mean that one.
      steps.push(
        `time units "${unitsText}" have a reference in year 0 (a climatology) and calendar ` +
          `${calendarAttribute ?? '(none)'}: decoded as proleptic_gregorian, which keeps the mid-month dates`
      );
      calendar = 'proleptic_gregorian';
    }
  }
  if (calendar === 'none') {
    throw new Error('calendar "none" has no dates; a time axis without a calendar cannot become a cube time axis');
  }
  const instants = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new Error(`time value ${i} is ${values[i]}: every time step needs a date`);
    }
  }
  const offset = (i: number): number => values[i] * units.unitSeconds;
  const ref = units.reference;
  const zone = units.zoneMinutes * 60;
  switch (calendar) {
    case 'proleptic_gregorian': {
      const base = daysFromGregorian(ref.year, ref.month, ref.day) * SECONDS_PER_DAY + ref.seconds - zone;
      for (let i = 0; i < values.length; i++) instants[i] = base + offset(i);
      break;
    }
    case 'standard': {
      // The mixed calendar counts real elapsed time; only its labels before 1582-10-15 are Julian.
      const base = mixedReferenceDays(ref) * SECONDS_PER_DAY + ref.seconds - zone;
      let before = 0;
      for (let i = 0; i < values.length; i++) {
        instants[i] = base + offset(i);
        if (instants[i] < GREGORIAN_START_DAYS * SECONDS_PER_DAY) before++;
      }
      if (before > 0) {
        steps.push(
          `${before} time steps before 1582-10-15 (Julian dates in the standard calendar) relabelled on the ` +
            'proleptic Gregorian calendar; the instants are unchanged'
        );
      }
      break;
    }
    case 'julian': {
      const base = daysFromJulian(ref.year, ref.month, ref.day) * SECONDS_PER_DAY + ref.seconds - zone;
      for (let i = 0; i < values.length; i++) instants[i] = base + offset(i);
      steps.push(
        'julian calendar converted to proleptic_gregorian: the instants are unchanged, the date labels differ'
      );
      break;
    }
    default: {
      convertByLabel(calendar, units, values, instants);
      const note =
        `${calendar} calendar converted to proleptic_gregorian by keeping each date's label ` +
        '(year, month, day, time); intervals that span a 29 February or a month end change length';
      steps.push(note);
      accuracy.push(note);
    }
  }
  return { instants, steps, accuracy };
}

const GREGORIAN_START_DAYS = daysFromGregorian(1582, 10, 15);

function mixedReferenceDays(ref: DateLabel): number {
  const key = ref.year * 10000 + ref.month * 100 + ref.day;
  if (key >= 15821015) {
    return daysFromGregorian(ref.year, ref.month, ref.day);
  }
  if (key > 15821004) {
    throw new Error(
      `reference date ${ref.year}-${ref.month}-${ref.day} falls in the 10 days the standard calendar skips ` +
        '(1582-10-05 to 1582-10-14)'
    );
  }
  if (ref.year === 0) {
    throw new Error('the standard calendar has no year 0; set time.calendar: proleptic_gregorian in the recipe');
  }
  return daysFromJulian(ref.year, ref.month, ref.day);
}

/** Calendars without leap-year rules: their dates are carried over label by label. */
function convertByLabel(
  calendar: 'noleap' | 'all_leap' | '360_day',
  units: TimeUnits,
  values: ArrayLike<number>,
  instants: Float64Array
): void {
  const monthDays =
    calendar === '360_day'
      ? new Array<number>(12).fill(30)
      : calendar === 'all_leap'
        ? [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        : MONTH_DAYS;
  const yearDays = monthDays.reduce((a, b) => a + b, 0);
  const monthStart = [0];
  for (const length of monthDays) monthStart.push(monthStart[monthStart.length - 1] + length);
  const ref = units.reference;
  if (ref.day > monthDays[ref.month - 1]) {
    throw new Error(`reference date ${ref.year}-${ref.month}-${ref.day} does not exist in the ${calendar} calendar`);
  }
  const refSeconds =
    (ref.year * yearDays + monthStart[ref.month - 1] + ref.day - 1) * SECONDS_PER_DAY +
    ref.seconds -
    units.zoneMinutes * 60;
  for (let i = 0; i < values.length; i++) {
    const total = refSeconds + values[i] * units.unitSeconds;
    const dayCount = Math.floor(total / SECONDS_PER_DAY);
    const secondsOfDay = total - dayCount * SECONDS_PER_DAY;
    const year = Math.floor(dayCount / yearDays);
    const dayOfYear = dayCount - year * yearDays;
    let month = 1;
    while (dayOfYear >= monthStart[month]) month++;
    const day = dayOfYear - monthStart[month - 1] + 1;
    if (day > gregorianMonthLength(year, month)) {
      throw new Error(
        `time step ${i} is ${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} in the ` +
          `${calendar} calendar, a date the proleptic Gregorian calendar does not have; convert the time axis ` +
          '(e.g. xarray convert_calendar with align_on="date") before making a cube'
      );
    }
    instants[i] = daysFromGregorian(year, month, day) * SECONDS_PER_DAY + secondsOfDay;
  }
}
