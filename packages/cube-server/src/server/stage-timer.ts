/**
 * Time spent per stage of tile rendering (decode, resample, colour map, encode), summed in this process, so
 * that the benchmark can show where a tile's time goes (`GET /esdl/stages`).
 */
import { performance } from 'node:perf_hooks';

export type Stage = 'read' | 'decode' | 'resample' | 'colormap' | 'encode' | 'tile';

const totals = new Map<Stage, { count: number; ms: number }>();

function add(stage: Stage, ms: number): void {
  const entry = totals.get(stage);
  if (entry) {
    entry.count++;
    entry.ms += ms;
  } else {
    totals.set(stage, { count: 1, ms });
  }
}

/** Runs a synchronous stage and adds its time. */
export function timedSync<T>(stage: Stage, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    add(stage, performance.now() - start);
  }
}

/** Runs an asynchronous stage and adds its wall time (which includes waiting for the event loop). */
export async function timed<T>(stage: Stage, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    add(stage, performance.now() - start);
  }
}

/** Count, total and mean milliseconds per stage since the start (or the last reset). */
export function stageTotals(): Record<string, { count: number; totalMs: number; meanMs: number }> {
  const out: Record<string, { count: number; totalMs: number; meanMs: number }> = {};
  for (const [stage, { count, ms }] of totals) {
    out[stage] = {
      count,
      totalMs: Math.round(ms * 1000) / 1000,
      meanMs: count ? Math.round((ms / count) * 1e4) / 1e4 : 0
    };
  }
  return out;
}

export function resetStages(): void {
  totals.clear();
}
