/**
 * CF time coordinates: `<unit> since <reference date>` with the CF calendars, decoded to and encoded from
 * calendar dates. Shared by the cube server (reading `time` axes) and cube-gen (writing them).
 *
 * - Calendars: `proleptic_gregorian`, `standard`/`gregorian` (Julian before 1582-10-15, as CF and cftime),
 *   `julian`, `noleap`/`365_day`, `all_leap`/`366_day`, `360_day`. `none` is refused.
 * - Units: milliseconds, seconds, minutes, hours, days, weeks (and their CF/udunits abbreviations); months and
 *   years only in the `360_day` calendar, where they are exact (30 and 360 days).
 * - Year 0 exists in the proleptic Gregorian, 365/366/360-day calendars (climatologies use `hour since
 *   0000-01-01`); the standard and Julian calendars have no year 0 and refuse it.
 */

/** A calendar date and time of day (UTC); `second` may carry a fraction. */
export interface CfDate {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The parsed `units` of a CF time variable. */
export interface CfTimeUnits {
  /** the unit as written, e.g. `hours` */
  unit: string;
  /** milliseconds per unit (30 or 360 days for months/years in the 360_day calendar) */
  unitMs: number;
  /** the reference date in UTC (any time-zone offset of the units string applied) */
  reference: CfDate;
}

/** A calendar name normalised to one of these. */
export type CfCalendar = 'proleptic_gregorian' | 'standard' | 'julian' | 'noleap' | 'all_leap' | '360_day';

const MS_PER_DAY = 86_400_000;

const UNIT_MS: Record<string, number> = {
  milliseconds: 1,
  millisecond: 1,
  msec: 1,
  msecs: 1,
  ms: 1,
  seconds: 1000,
  second: 1000,
  secs: 1000,
  sec: 1000,
  s: 1000,
  minutes: 60_000,
  minute: 60_000,
  mins: 60_000,
  min: 60_000,
  hours: 3_600_000,
  hour: 3_600_000,
  hrs: 3_600_000,
  hr: 3_600_000,
  h: 3_600_000,
  days: MS_PER_DAY,
  day: MS_PER_DAY,
  d: MS_PER_DAY,
  weeks: 7 * MS_PER_DAY,
  week: 7 * MS_PER_DAY
};

const CALENDAR_ALIASES: Record<string, CfCalendar> = {
  proleptic_gregorian: 'proleptic_gregorian',
  standard: 'standard',
  gregorian: 'standard',
  julian: 'julian',
  noleap: 'noleap',
  '365_day': 'noleap',
  all_leap: 'all_leap',
  '366_day': 'all_leap',
  '360_day': '360_day'
};

/** Normalises a CF `calendar` attribute (case-insensitive; missing means `standard`). */
export function normalizeCalendar(calendar: string | null | undefined): CfCalendar {
  const name = (calendar ?? 'standard').trim().toLowerCase() || 'standard';
  const normalized = CALENDAR_ALIASES[name];
  if (!normalized) {
    throw new Error(`unsupported CF calendar '${calendar}' (supported: ${Object.keys(CALENDAR_ALIASES).join(', ')})`);
  }
  return normalized;
}

const DATE_RE =
  /^(-?\d{1,6})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?$/i;

/**
 * Parses an ISO 8601-like date as CF writes them: `1970-01-01`, `0000-01-01 00:00:00`, `1-1-1 0:0:0`,
 * `2024-01-01T12:00:00Z`, `1982-01-01 00:00:00 +01:00`. The result is in UTC.
 */
export function parseCfDate(text: string): CfDate {
  const match = DATE_RE.exec(text.trim());
  if (!match) {
    throw new Error(`'${text}' is not a date such as 1970-01-01 or 1970-01-01T00:00:00Z`);
  }
  const [, y, mo, d, h, mi, s, zone] = match;
  const date: CfDate = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0)
  };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31 || date.hour > 24 || date.minute > 59) {
    throw new Error(`'${text}' is not a valid date`);
  }
  const offset = zoneOffsetMinutes(zone);
  if (offset !== 0) {
    // shift in the proleptic Gregorian calendar: a zone offset never crosses a calendar's gaps in practice
    return fromDays(
      toDays(date, 'proleptic_gregorian') * MS_PER_DAY + timeOfDayMs(date) - offset * 60_000,
      'proleptic_gregorian'
    );
  }
  return date;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || /^(z|utc|gmt)$/i.test(zone)) {
    return 0;
  }
  const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** Parses CF time units such as `days since 1970-01-01` or `hour since 0000-01-01 00:00:00`. */
export function parseCfTimeUnits(units: string, calendar: string | null = 'standard'): CfTimeUnits {
  const match = /^\s*([A-Za-z_]+)\s+(?:since|after|from)\s+(.+?)\s*$/.exec(units ?? '');
  if (!match) {
    throw new Error(`time units '${units}' are not of the form '<unit> since <date>'`);
  }
  const unit = match[1].toLowerCase();
  const cal = normalizeCalendar(calendar);
  let unitMs = UNIT_MS[unit];
  if (unitMs === undefined && cal === '360_day') {
    unitMs = /^months?$/.test(unit) ? 30 * MS_PER_DAY : /^years?$/.test(unit) ? 360 * MS_PER_DAY : undefined!;
  }
  if (unitMs === undefined) {
    throw new Error(
      `time unit '${match[1]}' in '${units}' is not supported` +
        (/^(months?|years?)$/.test(unit) ? ' (months and years have no fixed length outside the 360_day calendar)' : '')
    );
  }
  const reference = parseCfDate(match[2]);
  // validate the reference in its calendar (year 0, Feb 29 in noleap, day 31 in 360_day)
  checkDate(reference, cal, units);
  return { unit: match[1], unitMs, reference };
}

function checkDate(date: CfDate, calendar: CfCalendar, context: string): void {
  if (date.year === 0 && (calendar === 'standard' || calendar === 'julian')) {
    throw new Error(
      `'${context}': year 0 does not exist in the ${calendar} calendar; use calendar proleptic_gregorian`
    );
  }
  if (date.day > daysInMonth(date.year, date.month, calendar)) {
    throw new Error(`'${context}': ${date.year}-${date.month}-${date.day} does not exist in the ${calendar} calendar`);
  }
}

function gregorianLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number, calendar: CfCalendar): number {
  if (calendar === '360_day') {
    return 30;
  }
  if (month !== 2) {
    return MONTH_DAYS[month - 1];
  }
  switch (calendar) {
    case 'noleap':
      return 28;
    case 'all_leap':
      return 29;
    case 'julian':
      return year % 4 === 0 ? 29 : 28;
    case 'standard':
      return year < 1582 ? (year % 4 === 0 ? 29 : 28) : gregorianLeap(year) ? 29 : 28;
    default:
      return gregorianLeap(year) ? 29 : 28;
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for any year, including 0 and negative). */
function gregorianDays(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function gregorianFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

// Julian calendar days since 1970-01-01 (Gregorian), through the Julian day number
const JDN_UNIX_EPOCH = 2440588;

function julianDays(y: number, m: number, d: number): number {
  // astronomical year numbering: the Julian calendar has no year 0 in CF, so 1 BC is year -1 → -0 here
  const ay = y < 0 ? y + 1 : y;
  const a = Math.floor((14 - m) / 12);
  const yy = ay + 4800 - a;
  const mm = m + 12 * a - 3;
  const jdn = d + Math.floor((153 * mm + 2) / 5) + 365 * yy + Math.floor(yy / 4) - 32083;
  return jdn - JDN_UNIX_EPOCH;
}

function julianFromDays(days: number): [number, number, number] {
  const c = days + JDN_UNIX_EPOCH + 32082;
  const dd = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * dd) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  const day = e - Math.floor((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * Math.floor(m / 10);
  const ay = dd - 4800 + Math.floor(m / 10);
  return [ay <= 0 ? ay - 1 : ay, month, day];
}

// the first day of the Gregorian calendar in the standard (mixed) calendar: 1582-10-15
const GREGORIAN_START = gregorianDays(1582, 10, 15);

function cumulative(lengths: number[]): number[] {
  const out = [0];
  for (const n of lengths) {
    out.push(out[out.length - 1] + n);
  }
  return out;
}
const NOLEAP_CUM = cumulative(MONTH_DAYS);
const ALLLEAP_CUM = cumulative(MONTH_DAYS.map((n, i) => (i === 1 ? 29 : n)));

function fixedYearDays(y: number, m: number, d: number, cum: number[]): number {
  return y * cum[12] + cum[m - 1] + d - 1;
}

function fixedYearFromDays(days: number, cum: number[]): [number, number, number] {
  const year = Math.floor(days / cum[12]);
  const doy = days - year * cum[12];
  let month = 1;
  while (month < 12 && cum[month] <= doy) {
    month++;
  }
  return [year, month, doy - cum[month - 1] + 1];
}

/** Days of a date from a calendar-specific epoch (only differences between days of one calendar matter). */
function toDays(date: CfDate, calendar: CfCalendar): number {
  const { year: y, month: m, day: d } = date;
  switch (calendar) {
    case 'proleptic_gregorian':
      return gregorianDays(y, m, d);
    case 'julian':
      return julianDays(y, m, d);
    case 'standard': {
      const g = gregorianDays(y, m, d);
      return g >= GREGORIAN_START ? g : julianDays(y, m, d);
    }
    case 'noleap':
      return fixedYearDays(y, m, d, NOLEAP_CUM);
    case 'all_leap':
      return fixedYearDays(y, m, d, ALLLEAP_CUM);
    case '360_day':
      return y * 360 + (m - 1) * 30 + d - 1;
  }
}

function timeOfDayMs(date: CfDate): number {
  return ((date.hour * 60 + date.minute) * 60 + date.second) * 1000;
}

/** The date `ms` milliseconds after the epoch of `toDays` in a calendar. */
function fromDays(ms: number, calendar: CfCalendar): CfDate {
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  let ymd: [number, number, number];
  switch (calendar) {
    case 'proleptic_gregorian':
      ymd = gregorianFromDays(days);
      break;
    case 'julian':
      ymd = julianFromDays(days);
      break;
    case 'standard':
      ymd = days >= GREGORIAN_START ? gregorianFromDays(days) : julianFromDays(days);
      break;
    case 'noleap':
      ymd = fixedYearFromDays(days, NOLEAP_CUM);
      break;
    case 'all_leap':
      ymd = fixedYearFromDays(days, ALLLEAP_CUM);
      break;
    case '360_day': {
      const year = Math.floor(days / 360);
      const doy = days - year * 360;
      ymd = [year, Math.floor(doy / 30) + 1, (doy % 30) + 1];
      break;
    }
  }
  // round to whole microseconds: float arithmetic leaves 1e-9 s residues that would print as 59.999999
  rest = Math.round(rest * 1000) / 1000;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  const second = (rest - minute * 60_000) / 1000;
  return { year: ymd[0], month: ymd[1], day: ymd[2], hour, minute, second };
}

/** Decodes one CF time value to a calendar date. */
export function decodeCfTime(value: number, units: CfTimeUnits, calendar: string | null = 'standard'): CfDate {
  const cal = normalizeCalendar(calendar);
  const ms = toDays(units.reference, cal) * MS_PER_DAY + timeOfDayMs(units.reference) + value * units.unitMs;
  return fromDays(ms, cal);
}

/** Decodes CF time values (e.g. a `time` coordinate) to calendar dates. */
export function decodeCfTimes(
  values: ArrayLike<number | bigint>,
  units: string,
  calendar: string | null = 'standard'
): CfDate[] {
  const parsed = parseCfTimeUnits(units, calendar);
  return Array.from(values, value => decodeCfTime(Number(value), parsed, calendar));
}

/** Encodes a calendar date as a CF time value in the given units (the inverse of `decodeCfTime`). */
export function encodeCfTime(date: CfDate, units: CfTimeUnits, calendar: string | null = 'standard'): number {
  const cal = normalizeCalendar(calendar);
  const ms =
    (toDays(date, cal) - toDays(units.reference, cal)) * MS_PER_DAY + timeOfDayMs(date) - timeOfDayMs(units.reference);
  return ms / units.unitMs;
}

/**
 * Milliseconds since 1970-01-01T00:00:00Z of a date read as proleptic Gregorian (how xcube, pandas and
 * JavaScript `Date` count time). For dates of the non-real calendars this is an approximation for ordering.
 */
export function cfDateToEpochMs(date: CfDate): number {
  return gregorianDays(date.year, date.month, date.day) * MS_PER_DAY + timeOfDayMs(date);
}

/** The proleptic Gregorian date of milliseconds since 1970-01-01T00:00:00Z. */
export function epochMsToCfDate(ms: number): CfDate {
  return fromDays(ms, 'proleptic_gregorian');
}

function pad(n: number, width: number): string {
  const text = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${text}` : text;
}

/**
 * ISO 8601 text of a date as xcube writes coordinates: `2024-01-01T12:00:00Z`, seconds rounded to whole
 * seconds unless `fraction` is set.
 */
export function cfDateToIso(date: CfDate, fraction = false): string {
  let d = date;
  if (!fraction && d.second !== Math.round(d.second)) {
    // rounding may carry into the next minute/day: go through the epoch in the proleptic calendar
    d = epochMsToCfDate(Math.round(cfDateToEpochMs(d) / 1000) * 1000);
  }
  const seconds = fraction && d.second % 1 !== 0 ? d.second.toFixed(3).padStart(6, '0') : pad(Math.round(d.second), 2);
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}T${pad(d.hour, 2)}:${pad(d.minute, 2)}:${seconds}Z`;
}
