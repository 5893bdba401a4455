import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IStatusResponse, StatusModel } from '../src';

const STATUS: IStatusResponse = {
  version: '0.1.0',
  upstreams: [
    {
      name: 'demo',
      kind: 'cube',
      title: 'Demo cubes',
      state: 'up',
      version: '0.1.0',
      error: null,
      proxyPath: 'esdl-lab/cubes/demo/',
      managed: true,
      pid: 42,
      restarts: 0,
      checkedAt: '2026-11-24T10:00:00Z'
    },
    {
      name: 'mlflow',
      kind: 'mlflow',
      title: 'MLflow',
      state: 'unconfigured',
      version: null,
      error: 'No MLflow tracking server is configured.',
      proxyPath: 'esdl-lab/mlflow/',
      managed: false,
      pid: null,
      restarts: 0,
      checkedAt: null
    }
  ]
};

let visibility: DocumentVisibilityState = 'visible';

function setVisibility(state: DocumentVisibilityState): void {
  visibility = state;
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('StatusModel', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
    setVisibility('visible');
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls the status and answers questions about upstreams', async () => {
    const fetchStatus = vi.fn(async () => STATUS);
    const model = new StatusModel({ fetchStatus, interval: 1000 });
    const changed = vi.fn();
    model.changed.connect(changed);
    await vi.advanceTimersByTimeAsync(0);
    await model.ready;
    expect(model.status).toEqual(STATUS);
    expect(model.error).toBeNull();
    expect(changed).toHaveBeenCalledTimes(1);
    expect(model.upstreams('cube').map(u => u.name)).toEqual(['demo']);
    expect(model.upstream('mlflow', 'mlflow')?.state).toBe('unconfigured');
    expect(model.upstream('cube', 'nope')).toBeUndefined();

    await vi.advanceTimersByTimeAsync(1000);
    expect(fetchStatus).toHaveBeenCalledTimes(2);
    // the same answer again changes nothing
    expect(changed).toHaveBeenCalledTimes(1);
    model.dispose();
  });

  it('keeps the last status and reports the error when a poll fails', async () => {
    let fail = false;
    const model = new StatusModel({
      fetchStatus: async () => {
        if (fail) {
          throw new Error('Could not reach the Jupyter server');
        }
        return STATUS;
      },
      interval: 1000
    });
    await vi.advanceTimersByTimeAsync(0);
    fail = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(model.error?.message).toBe('Could not reach the Jupyter server');
    expect(model.status).toEqual(STATUS);
    fail = false;
    const refreshed = model.refresh();
    await vi.advanceTimersByTimeAsync(0);
    await refreshed;
    expect(model.error).toBeNull();
    model.dispose();
  });

  it('backs off while the server fails, up to the maximum interval', async () => {
    const calls: number[] = [];
    const model = new StatusModel({
      fetchStatus: async () => {
        calls.push(Date.now());
        throw new Error('down');
      },
      interval: 1000,
      maxInterval: 8000
    });
    await vi.advanceTimersByTimeAsync(60_000);
    // Lumino's backoff is randomised: the first retries may come sooner than the interval, but the gaps grow,
    // never exceed the maximum, and far fewer polls are made than without backoff
    const gaps = calls.slice(1).map((t, i) => t - calls[i]);
    expect(gaps.length).toBeGreaterThan(4);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(8000);
    expect(gaps.slice(-3).every(gap => gap > 1000)).toBe(true);
    expect(calls.length).toBeLessThan(30);
    model.dispose();
  });

  it('stands by while the page is hidden and checks at once when it comes back', async () => {
    const fetchStatus = vi.fn(async () => STATUS);
    const model = new StatusModel({ fetchStatus, interval: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(2000);
    const whileHidden = fetchStatus.mock.calls.length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fetchStatus.mock.calls.length).toBe(whileHidden);

    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchStatus.mock.calls.length).toBe(whileHidden + 1);
    model.dispose();
  });

  it('stops polling once disposed', async () => {
    const fetchStatus = vi.fn(async () => STATUS);
    const model = new StatusModel({ fetchStatus, interval: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    model.dispose();
    const calls = fetchStatus.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchStatus.mock.calls.length).toBe(calls);
    expect(model.isDisposed).toBe(true);
  });
});
