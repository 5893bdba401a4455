/**
 * Axis ticks: round numbers on linear axes, powers of ten on log axes, clock times on wall-time axes.
 */
import { formatValue } from '../model/format';

export type AxisKind = 'linear' | 'steps' | 'log' | 'time' | 'seconds';

export interface ITick {
  value: number;
  label: string;
}

/** About `count` round values (1, 2, 5 × 10^k apart, at least `minStep`) covering [min, max]. */
export function linearTicks(min: number, max: number, count: number, minStep = 0): ITick[] {
  if (!(max > min)) {
    return Number.isFinite(min) ? [{ value: min, label: formatTick(min, 1) }] : [];
  }
  const raw = Math.max(minStep, (max - min) / Math.max(1, count));
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(f => f * power).find(s => s >= raw) ?? 10 * power;
  const ticks: ITick[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    const value = Math.abs(v) < step * 1e-9 ? 0 : v;
    ticks.push({ value, label: formatTick(value, step) });
  }
  return ticks;
}

function formatTick(value: number, step: number): string {
  if (Math.abs(value) >= 1e6 || (Math.abs(value) < 1e-3 && value !== 0)) {
    return value.toExponential(
      Math.max(0, Math.min(3, -Math.floor(Math.log10(step)) + Math.floor(Math.log10(Math.abs(value)))))
    );
  }
  const digits = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(digits);
}

/** Powers of ten in [min, max] (min > 0), with 2 and 5 between them when the range spans few decades. */
export function logTicks(min: number, max: number, count: number): ITick[] {
  if (!(min > 0) || !(max > min)) {
    return linearTicks(min, max, count);
  }
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  if (hi - lo <= 1) {
    return linearTicks(min, max, count);
  }
  const decades = hi - lo;
  const factors = decades <= 2 ? [1, 2, 5] : decades <= 4 ? [1, 3] : [1];
  const every = Math.max(1, Math.ceil(decades / Math.max(1, count)));
  const ticks: ITick[] = [];
  for (let p = lo; p <= hi; p++) {
    if ((p - lo) % every !== 0) {
      continue;
    }
    for (const f of factors) {
      const value = Number((f * Math.pow(10, p)).toPrecision(12));
      if (value >= min * (1 - 1e-9) && value <= max * (1 + 1e-9)) {
        ticks.push({ value, label: formatValue(Number(value.toPrecision(3))) });
      }
    }
  }
  return ticks;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  90 * DAY,
  365 * DAY
];

/** Clock times (milliseconds since the epoch) at round intervals, in the browser's time zone. */
export function timeTicks(min: number, max: number, count: number): ITick[] {
  if (!(max > min)) {
    return Number.isFinite(min) ? [{ value: min, label: clock(min, SECOND, 0) }] : [];
  }
  const raw = (max - min) / Math.max(1, count);
  const step = TIME_STEPS.find(s => s >= raw);
  if (step === undefined) {
    return linearTicks(min, max, count).map(t => ({
      value: t.value,
      label: new Date(t.value).getFullYear().toString()
    }));
  }
  // align to the local day, so that hour ticks fall on round hours
  const offset = new Date(min).getTimezoneOffset() * MINUTE;
  const ticks: ITick[] = [];
  for (let v = Math.ceil((min - offset) / step) * step + offset; v <= max; v += step) {
    ticks.push({ value: v, label: clock(v, step, max - min) });
  }
  return ticks;
}

function clock(value: number, step: number, span: number): string {
  const d = new Date(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (step >= DAY) {
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }
  if (span >= DAY) {
    return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
  }
  return step < MINUTE ? `${time}:${pad(d.getSeconds())}` : time;
}

/** Seconds since the start, labelled in s, min or h by the span. */
export function secondsTicks(min: number, max: number, count: number): ITick[] {
  const span = max - min;
  const unit = span >= 7200 ? 3600 : span >= 120 ? 60 : 1;
  const name = unit === 3600 ? 'h' : unit === 60 ? 'min' : 's';
  return linearTicks(min / unit, max / unit, count).map(t => ({ value: t.value * unit, label: `${t.label} ${name}` }));
}

export function ticks(kind: AxisKind, min: number, max: number, count: number): ITick[] {
  switch (kind) {
    case 'log':
      return logTicks(min, max, count);
    case 'time':
      return timeTicks(min, max, count);
    case 'seconds':
      return secondsTicks(min, max, count);
    case 'steps':
      return linearTicks(min, max, count, 1);
    default:
      return linearTicks(min, max, count);
  }
}

/** A range padded a little, and widened when it is a single value, so that lines do not sit on the frame. */
export function padRange(min: number, max: number, log: boolean): [number, number] {
  if (log) {
    if (!(min > 0)) {
      return [1e-3, 1];
    }
    if (max <= min) {
      return [min / 2, min * 2];
    }
    const pad = Math.pow(max / min, 0.05);
    return [min / pad, max * pad];
  }
  if (max <= min) {
    const delta = Math.abs(min) * 0.1 || 1;
    return [min - delta, max + delta];
  }
  const pad = (max - min) * 0.05;
  return [min - pad, max + pad];
}
