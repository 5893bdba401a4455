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

/** A coordinate value as a person reads it, given its dimension name and attributes. */
export function formatCoordinate(dim: string, value: number, attrs: Record<string, unknown> = {}): string {
  const name = dim.toLowerCase();
  if (name === 'time' || attrs.axis === 'T') {
    const ms = cfTimeToMs(value, attrs.units, attrs.calendar);
    if (ms !== undefined) {
      const iso = new Date(ms).toISOString();
      // a time of day only where the data has one (not for daily and monthly cubes)
      return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
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
