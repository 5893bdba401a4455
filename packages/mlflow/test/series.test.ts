import { describe, expect, it } from 'vitest';
import { buildSeries, downsample, historiesByRun, history, smooth, xValues, yExtent } from '../src/model/series';
import { fixture } from './fixtures';

const RUN = '2983c368d70a4f539d9fc2bf74827064';

describe('chart series', () => {
  it('groups bulk-interval points by run, sorted by step', () => {
    const points = fixture('metrics-get-history-bulk-interval').metrics;
    const histories = historiesByRun([...points].reverse());
    expect(histories.size).toBe(3);
    const h = histories.get(RUN)!;
    expect(h.steps[0]).toBe(0);
    expect(h.steps[h.steps.length - 1]).toBe(29);
    expect([...h.steps]).toEqual([...h.steps].sort((a, b) => a - b));
  });

  it('puts x by step, wall time or seconds since the start', () => {
    const h = history(RUN, fixture('metrics-get-history-paged-p1').metrics);
    expect(xValues(h, 'step').x).toBe(h.steps);
    expect(xValues(h, 'wall').x[0]).toBe(1795505126196);
    const relative = xValues(h, 'relative', 1795505126145).x;
    expect(relative[0]).toBeCloseTo(0.051);
    expect(xValues(h, 'relative').x[0]).toBe(0);
  });

  it('orders wall-time x by time when steps were logged out of order', () => {
    const h = history('r', [
      { key: 'k', value: 1, timestamp: 300, step: 0 },
      { key: 'k', value: 2, timestamp: 100, step: 1 },
      { key: 'k', value: 3, timestamp: 200, step: 2 }
    ]);
    const series = buildSeries(new Map([['r', h]]), [{ id: 'r', label: 'r', color: '#000' }], {
      axis: 'wall',
      smoothing: 0
    });
    expect([...series[0].x]).toEqual([100, 200, 300]);
    expect([...series[0].y]).toEqual([2, 3, 1]);
  });

  it('smooths with a debiased moving average, leaving NaN alone', () => {
    const values = Float64Array.from([1, 1, 1, 1]);
    expect(smooth(values, 0)).toBe(values);
    expect([...smooth(values, 0.9)].every(v => Math.abs(v - 1) < 1e-12)).toBe(true);
    const step = smooth(Float64Array.from([0, 10, NaN, 10]), 0.5);
    expect(step[0]).toBe(0);
    expect(step[1]).toBeCloseTo(20 / 3);
    expect(step[2]).toBeNaN();
    expect(step[3]).toBeCloseTo((0.5 * 5 + 0.5 * 10) / (1 - 0.125));
  });

  it('cuts 100,000 points to a few per pixel column, keeping extremes, first and last', () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(i / 500) + (i === 54_321 ? 10 : 0) - (i === 7 ? 5 : 0)
    );
    const out = downsample(x, y, 0, n - 1, 400);
    expect(out.x.length).toBeLessThanOrEqual(400 * 4 + 2);
    expect(out.x.length).toBeGreaterThan(400);
    expect(Math.max(...out.y)).toBe(Math.max(...y));
    expect(Math.min(...out.y)).toBe(Math.min(...y));
    expect(out.x[0]).toBe(0);
    expect(out.x[out.x.length - 1]).toBe(n - 1);
    expect([...out.x]).toEqual([...out.x].sort((a, b) => a - b));
  });

  it('keeps few points as they are, and one point beyond each edge of a zoom', () => {
    const x = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const y = Float64Array.from([5, 4, 3, 2, 1, 0]);
    expect([...downsample(x, y, 0, 5, 100).x]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...downsample(x, y, 2, 3, 100).x]).toEqual([1, 2, 3, 4]);
    expect(yExtent([{ x, y }], 2, 3)).toEqual([2, 3]);
    expect(yExtent([{ x, y }], 0, 5, true)).toEqual([1, 5]);
  });
});
