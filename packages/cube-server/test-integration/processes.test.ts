/**
 * The server as the Jupyter extension runs it: worker processes that die are replaced while the others keep
 * answering, and SIGTERM stops the whole group with exit code 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCube } from '../test/server/support/demo-cube';
import { ServerProcess, startServerProcess } from './support/server-process';

let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cube-processes-'));
  const config = path.join(dir, 'cubes.yaml');
  writeFileSync(config, `Datasets:\n  - Identifier: demo\n    Path: ${demoCube()}\n`);
  server = await startServerProcess(config, ['--workers', '2']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('worker processes', () => {
  it('replaces a worker that dies, keeps answering, and stops cleanly on SIGTERM', async () => {
    const [primary, ...workers] = server.pids();
    expect(workers).toHaveLength(2);
    process.kill(workers[0], 'SIGKILL');
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${server.url}/tiles/demo/sst/1/0/${i % 4}?crs=CRS84`)).status).toBe(200);
    }
    await expect.poll(() => server.pids().length, { timeout: 10_000 }).toBe(3);
    expect(server.pids()).not.toContain(workers[0]);
    expect(server.output()).toMatch(new RegExp(`worker ${workers[0]} exited .*starting another`));
    const all = server.pids();
    expect(await server.stop()).toBe(0);
    expect(alive(primary)).toBe(false);
    await expect.poll(() => all.filter(alive).length, { timeout: 10_000 }).toBe(0);
  });
});
