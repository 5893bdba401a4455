/**
 * The synthetic `demo` cube of the recorded xcube fixtures, rebuilt with Debian's xarray + zarr by
 * `test/fixtures/make-demo-cube.py` once per version of that script (kept in the temporary folder).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PACKAGE_ROOT = path.resolve(__dirname, '../../..');
const REPO_ROOT = path.resolve(PACKAGE_ROOT, '../..');
const SCRIPT = path.join(PACKAGE_ROOT, 'test/fixtures/make-demo-cube.py');

/** The Python with xarray and zarr: $ESDL_PYTHON, the repo's .venv, or python3. */
export function python(): string {
  const venv = path.join(REPO_ROOT, '.venv/bin/python');
  return process.env.ESDL_PYTHON ?? (existsSync(venv) ? venv : 'python3');
}

export function demoCube(): string {
  const hash = createHash('sha1').update(readFileSync(SCRIPT)).digest('hex').slice(0, 10);
  const target = path.join(tmpdir(), `esdl-demo-cube-${hash}.zarr`);
  if (!existsSync(path.join(target, '.zmetadata'))) {
    const work = mkdtempSync(path.join(tmpdir(), 'esdl-demo-build-'));
    const out = path.join(work, 'demo.zarr');
    execFileSync(python(), [SCRIPT, out], { stdio: 'pipe' });
    try {
      renameSync(out, target);
    } catch (error) {
      // another test file built it at the same time: theirs is as good
      if (!existsSync(path.join(target, '.zmetadata'))) {
        throw error;
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
  return target;
}
