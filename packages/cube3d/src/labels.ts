/**
 * Labels of coordinates and values: dates from CF time units, degrees with N/S/E/W, depths in metres. Lexcube
 * labels COADS time as "366 hour since 0000-01-01" and longitudes as 21..379; these say what a reader expects.
 */

const UNIT_MS: Record<string, number> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000
};

/** Milliseconds since 1970 of a CF time value, or undefined when the units or calendar are not Gregorian. */
export function cfTimeToMs(value: number, units: unknown, calendar: unknown): number | undefined {
  const match = /^\s*(\w+?)s?\s+since\s+(.+?)\s*$/i.exec(typeof units === 'string' ? units : '');
  const gregorian = calendar === undefined || /^(standard|gregorian|proleptic_gregorian)$/i.test(String(calendar));
  if (!match || !gregorian) {
    return undefined;
  }
  const scale = UNIT_MS[`${match[1].toLowerCase()}s`];
  let base = match[2].replace(' ', 'T');
  if (!/(Z|[+-]\d\d:?\d\d)$/.test(base)) {
    base += base.includes('T') ? 'Z' : 'T00:00:00Z';
  }
  const origin = Date.parse(base);
  return scale === undefined || Number.isNaN(origin) ? undefined : origin + value * scale;
}

const DAY_MS = 86400000;
const daysApart = new WeakMap<object, boolean>();

/** Whether neighbouring times of an axis are a day or more apart (daily, monthly, yearly cubes). */
function stepsOfDays(values: ArrayLike<number>, attrs: Record<string, unknown>): boolean {
  let known = daysApart.get(values);
  if (known === undefined) {
    known = values.length > 1;
    for (let i = 1; i < values.length && known; i++) {
      const a = cfTimeToMs(values[i - 1], attrs.units, attrs.calendar);
      const b = cfTimeToMs(values[i], attrs.units, attrs.calendar);
      known = a !== undefined && b !== undefined && Math.abs(b - a) >= DAY_MS - 1;
    }
    daysApart.set(values, known);
  }
  return known;
}

/**
 * A coordinate value as a person reads it, given its dimension name and attributes. With the axis's `values`,
 * times of an axis whose steps are a day or more show the date alone (COADS's months fall at odd hours).
 */
export function formatCoordinate(
  dim: string,
  value: number,
  attrs: Record<string, unknown> = {},
  values?: ArrayLike<number>
): string {
  const name = dim.toLowerCase();
  if (name === 'time' || attrs.axis === 'T') {
    const ms = cfTimeToMs(value, attrs.units, attrs.calendar);
    if (ms !== undefined) {
      const iso = new Date(ms).toISOString();
      // a time of day only where the data has one (not for daily and monthly cubes)
      const dateOnly = iso.endsWith('T00:00:00.000Z') || (values !== undefined && stepsOfDays(values, attrs));
      return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
    }
    return `${value} ${attrs.units ?? ''}`.trim();
  }
  const round = (v: number): string => String(Math.round(Math.abs(v) * 100) / 100);
  if (name.startsWith('lat')) {
    return `${round(value)}°${value < 0 ? 'S' : 'N'}`;
  }
  if (name.startsWith('lon')) {
    const wrapped = ((((value + 180) % 360) + 360) % 360) - 180;
    return `${round(wrapped)}°${wrapped < 0 ? 'W' : 'E'}`;
  }
  if (name === 'depth') {
    return `${round(value)} m`;
  }
  return `${Math.round(value * 1000) / 1000}${attrs.units ? ` ${attrs.units}` : ''}`;
}

/** A data value with four significant digits, or "missing" for NaN. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) {
    return 'missing';
  }
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(3)
    : String(Number(value.toPrecision(4)));
}

/**
 * A coordinate value typed by a person, in the units its labels use: a date (2000-03 or 2000-03-15) for time,
 * degrees with an optional N/S/E/W ("20S", "-20", "20°W") for latitude and longitude, plain numbers otherwise.
 * Returns undefined for text that is none of these.
 */
export function parseCoordinate(dim: string, text: string, attrs: Record<string, unknown> = {}): number | undefined {
  const name = dim.toLowerCase();
  const trimmed = text.trim();
  if (name === 'time' || attrs.axis === 'T') {
    const match = /^(-?\d{1,4})-(\d{1,2})(?:-(\d{1,2}))?$/.exec(trimmed);
    const origin = cfTimeToMs(0, attrs.units, attrs.calendar);
    const perUnit = origin === undefined ? undefined : cfTimeToMs(1, attrs.units, attrs.calendar)! - origin;
    if (match && origin !== undefined && perUnit) {
      const date = new Date(0);
      date.setUTCFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3] ?? 15));
      return (date.getTime() - origin) / perUnit;
    }
  }
  const match = /^([-+]?\d+(?:\.\d+)?)\s*°?\s*([NSEWnsew])?$/.exec(trimmed);
  if (!match) {
    return undefined;
  }
  const value = Number(match[1]);
  return match[2] && /[SWsw]/.test(match[2]) ? -value : value;
}

/**
 * The index of the coordinate nearest to `value`; longitudes compare modulo 360, so a typed -160 finds the stored
 * 200 of a 21..379 axis.
 */
export function nearestIndex(dim: string, values: ArrayLike<number>, value: number): number {
  const longitude = dim.toLowerCase().startsWith('lon');
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < values.length; i++) {
    let distance = Math.abs(values[i] - value);
    if (longitude) {
      distance %= 360;
      distance = Math.min(distance, 360 - distance);
    }
    if (distance < bestDistance) {
      [best, bestDistance] = [i, distance];
    }
  }
  return best;
}
