/**
 * The cube server as a real process, started from the package's bin script (which bundles the current
 * sources when they changed), on a free port, stopped with SIGTERM like the Jupyter extension stops it.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_ROOT = path.resolve(__dirname, '../..');
export const REPO_ROOT = path.resolve(PACKAGE_ROOT, '../..');
export const DEMO_CUBES = path.join(REPO_ROOT, 'data/cubes');

export interface ServerProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** process ids of the primary and its workers */
  pids(): number[];
  output(): string;
  stop(): Promise<number | null>;
}

export async function startServerProcess(configFile: string, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [path.join(PACKAGE_ROOT, 'bin/esdl-cube-server.mjs'), '--config', configFile, '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe']
    }
  );
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /esdl-cube-server listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    process: child,
    pids: () => {
      const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      return [child.pid!, ...children];
    },
    output: () => output,
    stop: () =>
      new Promise(resolve => {
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        child.once('exit', code => resolve(code));
        child.kill('SIGTERM');
      })
  };
}

/** Resident memory of a process in bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The Python with xarray and zarr: $ESDL_PYTHON, the repo's .venv, or python3. */
export function python(): string {
  const venv = path.join(REPO_ROOT, '.venv/bin/python');
  return process.env.ESDL_PYTHON ?? (existsSync(venv) ? venv : 'python3');
}

/** Whether cube-gen's demo cube exists (built by scripts/build-demo-cubes.sh). */
export function hasDemoCube(id: string): boolean {
  return existsSync(path.join(DEMO_CUBES, `${id}.zarr`, '.zmetadata'));
}
