import { describe, expect, it } from 'vitest';
import { linearTicks, logTicks, padRange, secondsTicks, timeTicks } from '../src/chart/axis';

describe('axis ticks', () => {
  it('are round numbers on linear axes', () => {
    expect(linearTicks(0, 1, 5).map(t => t.label)).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(linearTicks(0, 29, 4).map(t => t.value)).toEqual([0, 10, 20]);
    expect(linearTicks(3, 3, 4)).toHaveLength(1);
  });

  it('are powers of ten on log axes', () => {
    expect(logTicks(0.001, 100, 6).map(t => t.value)).toEqual([0.001, 0.01, 0.1, 1, 10, 100]);
    expect(logTicks(0.01, 10, 5).map(t => t.value)).toEqual([0.01, 0.03, 0.1, 0.3, 1, 3, 10]);
    expect(logTicks(1, 100, 5).map(t => t.label)).toEqual(['1', '2', '5', '10', '20', '50', '100']);
  });

  it('are clock times on wall-time axes and seconds, minutes or hours on relative ones', () => {
    const start = new Date(2026, 10, 24, 7, 25, 0).getTime();
    const ticks = timeTicks(start, start + 10 * 60_000, 5);
    expect(ticks.map(t => t.label)).toEqual(['07:26', '07:28', '07:30', '07:32', '07:34']);
    expect(secondsTicks(0, 30, 3).map(t => t.label)).toEqual(['0 s', '10 s', '20 s', '30 s']);
    expect(secondsTicks(0, 3 * 3600, 3)[1].label).toBe('1 h');
  });

  it('pad ranges, and widen a single value', () => {
    expect(padRange(0, 10, false)).toEqual([-0.5, 10.5]);
    expect(padRange(5, 5, false)).toEqual([4.5, 5.5]);
    expect(padRange(1, 1, true)).toEqual([0.5, 2]);
  });
});
