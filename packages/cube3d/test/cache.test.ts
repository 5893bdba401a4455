import { describe, expect, it } from 'vitest';
import { ChunkCache } from '../src/cache';

describe('ChunkCache', () => {
  it('never holds more than its size, dropping the least recently used first', async () => {
    const cache = new ChunkCache<string>(300);
    const load = (key: string) => async () => ({ value: key, bytes: 100 });
    for (const key of ['a', 'b', 'c']) {
      await cache.get(key, load(key));
    }
    await cache.get('a', load('a'));
    await cache.get('d', load('d'));
    expect(cache.bytes).toBe(300);
    expect(['a', 'b', 'c', 'd'].map(k => cache.has(k))).toEqual([true, false, true, true]);
    for (let i = 0; i < 100; i++) {
      await cache.get(`k${i}`, load(`k${i}`));
      expect(cache.bytes).toBeLessThanOrEqual(300);
    }
  });

  it('loads a key once however many ask at the same time, and again after a failure', async () => {
    const cache = new ChunkCache<number>(1000);
    let loads = 0;
    const load = async () => ({ value: ++loads, bytes: 10 });
    const values = await Promise.all([cache.get('x', load), cache.get('x', load), cache.get('x', load)]);
    expect(values).toEqual([1, 1, 1]);
    await expect(cache.get('y', () => Promise.reject(new Error('gone')))).rejects.toThrow('gone');
    expect(await cache.get('y', load)).toBe(2);
  });

  it('refuses a size that is not positive', () => {
    expect(() => new ChunkCache(0)).toThrow('positive size');
  });
});
