/**
 * Load: 64 concurrent clients for 60 s (wrk on loopback) over a mix of tiles, time series and S3 keys of
 * the demo cubes: no 5xx, no socket errors, and the memory of the server's processes stays within the
 * configured cache sizes above what they held at the start.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCube } from '../test/server/support/demo-cube';
import { DEMO_CUBES, ServerProcess, hasDemoCube, rssBytes, startServerProcess } from './support/server-process';

const MB = 2 ** 20;
const CHUNK_CACHE = 96 * MB;
const TILE_CACHE = 32 * MB;
const WORKERS = 2;
// what a process may grow by besides its caches: buffers of the requests in flight (64 clients), V8's heap
// between collections and the allocator's free lists (measured: 60-90 MB)
const SLACK_PER_PROCESS = 128 * MB;
const DURATION_S = Number(process.env.ESDL_LOAD_SECONDS ?? 60);

let server: ServerProcess;
let dir: string;
let targets: string;

beforeAll(async () => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('wrk is not installed: apt-get install wrk');
    }
  }
  dir = mkdtempSync(path.join(tmpdir(), 'cube-load-'));
  const real = ['coads', 'navy_winds', 'etopo5', 'levitus'].every(hasDemoCube);
  const datasets = real
    ? ['coads', 'navy_winds', 'etopo5', 'levitus']
        .map(id => `  - Identifier: ${id}\n    Path: ${path.join(DEMO_CUBES, `${id}.zarr`)}\n`)
        .join('')
    : `  - Identifier: demo\n    Path: ${demoCube()}\n`;
  targets = real
    ? 'coads:SST:0000-0,navy_winds:UWND:1985-0,etopo5:ROSE:,levitus:TEMP:'
    : 'demo:sst:2024-01-0,demo:chl:2024-01-0';
  const config = path.join(dir, 'cubes.yaml');
  writeFileSync(config, `ChunkCacheSize: ${CHUNK_CACHE}\nTileCacheSize: ${TILE_CACHE}\nDatasets:\n${datasets}`);
  server = await startServerProcess(config, ['--workers', String(WORKERS)]);
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe('load', () => {
  it(`serves 64 clients for ${DURATION_S} s without a 5xx, within its cache sizes`, async () => {
    await fetch(`${server.url}/datasets?details=1`);
    const pids = server.pids();
    const start = pids.map(rssBytes);
    const peak = start.slice();
    const sampler = setInterval(() => pids.forEach((pid, i) => (peak[i] = Math.max(peak[i], rssBytes(pid)))), 250);
    const args = [
      '-t2',
      '-c64',
      `-d${DURATION_S}s`,
      '--latency',
      '-s',
      path.join(__dirname, 'support/mixed.lua'),
      server.url,
      '--',
      targets
    ];
    const output = await new Promise<string>((resolve, reject) => {
      execFile('wrk', args, { timeout: (DURATION_S + 60) * 1000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout)
      );
    });
    clearInterval(sampler);
    const result = /RESULT requests=(\d+) fivexx=(\d+) fourxx=(\d+) socket_errors=(\d+) p50_us=(\d+) p99_us=(\d+)/.exec(
      output
    );
    expect(result, output).not.toBeNull();
    const [requests, fivexx, fourxx, socketErrors, p50, p99] = result!.slice(1).map(Number);
    const grown = peak.map((p, i) => p - start[i]);
    console.log(
      `load: ${requests} requests in ${DURATION_S} s (${Math.round(requests / DURATION_S)}/s), p50 ${p50 / 1000} ms, p99 ${p99 / 1000} ms, ` +
        `${fourxx} 4xx, ${fivexx} 5xx; RSS per process at start ${start.map(b => Math.round(b / MB))} MB, peak ${peak.map(b => Math.round(b / MB))} MB`
    );
    expect(fivexx).toBe(0);
    expect(socketErrors).toBe(0);
    expect(requests).toBeGreaterThan(DURATION_S * 100);
    // each worker holds its share of the caches; the primary only passes connections on
    const budget = (CHUNK_CACHE + TILE_CACHE) / WORKERS + SLACK_PER_PROCESS;
    grown.forEach((bytes, i) =>
      expect(bytes, `process ${pids[i]} grew by ${Math.round(bytes / MB)} MB`).toBeLessThan(budget)
    );
    expect(await (await fetch(`${server.url}/`)).json()).toHaveProperty('version');
  });
});
