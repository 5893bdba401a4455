/**
 * Metric histories as chart series: one per run, x by step, wall time or time since the run started,
 * smoothed as TensorBoard and MLflow do, and cut down to what a chart of some hundred pixels can show.
 */
import { IMlflowMetric } from '@esdl-lab/core';

export type XAxis = 'step' | 'wall' | 'relative';

/** One run's history of one metric, sorted by step (then time). */
export interface IHistory {
  runId: string;
  steps: Float64Array;
  /** milliseconds since the epoch */
  times: Float64Array;
  values: Float64Array;
}

/** What a chart draws for one run: x ascending; NaN where a value is not finite. */
export interface ISeries {
  id: string;
  label: string;
  color: string;
  x: Float64Array;
  y: Float64Array;
}

/** Groups bulk-interval (or full-history) points by run, sorted by step then time. */
export function historiesByRun(metrics: readonly IMlflowMetric[], runId?: string): Map<string, IHistory> {
  const groups = new Map<string, IMlflowMetric[]>();
  for (const metric of metrics) {
    const id = metric.run_id ?? runId ?? '';
    let group = groups.get(id);
    if (!group) {
      group = [];
      groups.set(id, group);
    }
    group.push(metric);
  }
  const histories = new Map<string, IHistory>();
  for (const [id, group] of groups) {
    histories.set(id, history(id, group));
  }
  return histories;
}

/** One run's points as typed arrays, sorted by step then time. */
export function history(runId: string, metrics: readonly IMlflowMetric[]): IHistory {
  const sorted = isSorted(metrics)
    ? metrics
    : [...metrics].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  const n = sorted.length;
  const steps = new Float64Array(n);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = sorted[i];
    steps[i] = m.step ?? 0;
    times[i] = m.timestamp ?? 0;
    // MLflow sends NaN and infinities as strings ("NaN", "Infinity")
    const value = typeof m.value === 'number' ? m.value : Number(m.value);
    values[i] = Number.isFinite(value) ? value : NaN;
  }
  return { runId, steps, times, values };
}

function isSorted(metrics: readonly IMlflowMetric[]): boolean {
  for (let i = 1; i < metrics.length; i++) {
    const a = metrics[i - 1];
    const b = metrics[i];
    if (b.step < a.step || (b.step === a.step && b.timestamp < a.timestamp)) {
      return false;
    }
  }
  return true;
}

/**
 * The x values of a history: the step, the wall time (ms since the epoch), or seconds since `start` (the run's
 * start time, or its first point). Wall and relative x follow time order, which a history sorted by step
 * keeps unless a run logged steps out of order: then the points are sorted by time.
 */
export function xValues(h: IHistory, axis: XAxis, start?: number): { x: Float64Array; order: Int32Array | null } {
  if (axis === 'step') {
    return { x: h.steps, order: null };
  }
  const n = h.times.length;
  let order: Int32Array | null = null;
  for (let i = 1; i < n; i++) {
    if (h.times[i] < h.times[i - 1]) {
      order = Int32Array.from({ length: n }, (_, k) => k).sort((a, b) => h.times[a] - h.times[b]);
      break;
    }
  }
  let origin = start ?? Infinity;
  if (axis === 'relative' && start === undefined) {
    for (let i = 0; i < n; i++) {
      origin = Math.min(origin, h.times[i]);
    }
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = h.times[order ? order[i] : i];
    x[i] = axis === 'relative' ? (t - origin) / 1000 : t;
  }
  return { x, order };
}

/**
 * Exponential moving average with TensorBoard's debiasing, so that the first points are not pulled to zero.
 * `weight` 0 leaves the values as they are; 0.99 smooths the most. NaN stays NaN and does not reset it.
 */
export function smooth(values: Float64Array, weight: number): Float64Array {
  if (weight <= 0) {
    return values;
  }
  const w = Math.min(weight, 0.999);
  const out = new Float64Array(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      out[i] = NaN;
      continue;
    }
    last = last * w + (1 - w) * v;
    count++;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}

/**
 * The series of some runs for a chart: x by the axis, values smoothed, in the runs' order.
 */
export function buildSeries(
  histories: Map<string, IHistory>,
  runs: readonly { id: string; label: string; color: string; start?: number }[],
  options: { axis: XAxis; smoothing: number }
): ISeries[] {
  const series: ISeries[] = [];
  for (const run of runs) {
    const h = histories.get(run.id);
    if (!h || h.values.length === 0) {
      continue;
    }
    const { x, order } = xValues(h, options.axis, run.start);
    let y = h.values;
    if (order) {
      y = Float64Array.from(order, i => h.values[i]);
    }
    series.push({ id: run.id, label: run.label, color: run.color, x, y: smooth(y, options.smoothing) });
  }
  return series;
}

/**
 * Cuts a series down for drawing `buckets` pixel columns between x0 and x1: per column its first, lowest,
 * highest and last point, so that peaks and the shape survive. Points outside [x0, x1] are dropped except
 * the nearest one on each side, so that lines reach the edges. Input x must ascend.
 */
export function downsample(
  x: Float64Array,
  y: Float64Array,
  x0: number,
  x1: number,
  buckets: number
): { x: Float64Array; y: Float64Array } {
  const n = x.length;
  let lo = lowerBound(x, x0);
  let hi = upperBound(x, x1);
  lo = Math.max(0, lo - 1);
  hi = Math.min(n, hi + 1);
  const count = hi - lo;
  if (count <= buckets * 4 || !(x1 > x0)) {
    return { x: x.subarray(lo, hi), y: y.subarray(lo, hi) };
  }
  const outX = new Float64Array(buckets * 4 + 2);
  const outY = new Float64Array(buckets * 4 + 2);
  let k = 0;
  const push = (i: number) => {
    if (k === 0 || outX[k - 1] !== x[i] || outY[k - 1] !== y[i]) {
      outX[k] = x[i];
      outY[k] = y[i];
      k++;
    }
  };
  const scale = buckets / (x1 - x0);
  let i = lo;
  while (i < hi) {
    const bucket = Math.floor((x[i] - x0) * scale);
    const first = i;
    let last = i;
    let min = i;
    let max = i;
    i++;
    while (i < hi && Math.floor((x[i] - x0) * scale) === bucket) {
      last = i;
      const v = y[i];
      if (v < y[min] || Number.isNaN(y[min])) {
        min = i;
      }
      if (v > y[max] || Number.isNaN(y[max])) {
        max = i;
      }
      i++;
    }
    push(first);
    if (min < max) {
      push(min);
      push(max);
    } else if (max < min) {
      push(max);
      push(min);
    }
    push(last);
  }
  return { x: outX.subarray(0, k), y: outY.subarray(0, k) };
}

/** The first index whose x is >= value. */
export function lowerBound(x: Float64Array, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** The first index whose x is > value. */
export function upperBound(x: Float64Array, value: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** Min and max over the finite values of some series within an x range (for the y axis). */
export function yExtent(
  series: readonly { x: Float64Array; y: Float64Array }[],
  x0: number,
  x1: number,
  positiveOnly = false
): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) {
    const lo = lowerBound(s.x, x0);
    const hi = upperBound(s.x, x1);
    for (let i = lo; i < hi; i++) {
      const v = s.y[i];
      if (Number.isFinite(v) && (!positiveOnly || v > 0)) {
        if (v < min) {
          min = v;
        }
        if (v > max) {
          max = v;
        }
      }
    }
  }
  return min <= max ? [min, max] : null;
}

/** Colours for up to 100 runs: distinct hues first, then lighter and darker variants. */
export function runColor(index: number): string {
  const base = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf'
  ];
  if (index < base.length) {
    return base[index];
  }
  const hue = (index * 137.508) % 360;
  const light = 38 + ((index * 7) % 3) * 12;
  return `hsl(${hue.toFixed(1)}, 65%, ${light}%)`;
}
