/**
 * A cube is either whole or absent: it is written into a hidden temporary folder beside the target and renamed
 * into place when complete; an existing cube is moved aside only then. On any failure the temporary folder goes.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { CubeGenError } from './errors';

const TEMPORARY = /^\.(.+)\.tmp-(\d+)-[0-9a-z]+$/;

/** Temporary folders of this process, removed by `removeAllPending` when the process is about to exit. */
const pending = new Set<string>();

export class AtomicDirectory {
  private committed = false;

  private constructor(
    readonly target: string,
    readonly temporary: string,
    private readonly replace: boolean
  ) {}

  /** Makes the temporary folder; refuses an existing target unless `replace`. */
  static begin(target: string, replace: boolean): AtomicDirectory {
    if (existsSync(target) && !replace) {
      throw new CubeGenError('the cube exists already; pass --force (force: true) to replace it', target);
    }
    const parent = dirname(target);
    try {
      mkdirSync(parent, { recursive: true });
    } catch (error) {
      throw new CubeGenError(`cannot create the output folder: ${(error as NodeJS.ErrnoException).code}`, parent);
    }
    removeStale(parent, basename(target));
    const temporary = join(
      parent,
      `.${basename(target)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`
    );
    try {
      mkdirSync(temporary);
    } catch (error) {
      throw new CubeGenError(`cannot write in the output folder: ${(error as NodeJS.ErrnoException).code}`, parent);
    }
    pending.add(temporary);
    return new AtomicDirectory(target, temporary, replace);
  }

  /** Moves the finished folder into place; the two renames run back to back, with no await between them. */
  commit(): void {
    const old = `${this.temporary}.old`;
    const hadTarget = existsSync(this.target);
    if (hadTarget && !this.replace) {
      throw new CubeGenError(
        'another run wrote this cube meanwhile; pass --force (force: true) to replace it',
        this.target
      );
    }
    if (hadTarget) {
      renameSync(this.target, old);
    }
    try {
      renameSync(this.temporary, this.target);
    } catch (error) {
      if (hadTarget) {
        renameSync(old, this.target);
      }
      throw new CubeGenError(`cannot move the finished cube into place: ${(error as Error).message}`, this.target);
    }
    this.committed = true;
    pending.delete(this.temporary);
    if (hadTarget) {
      rmSync(old, { recursive: true, force: true });
    }
  }

  /** Removes the temporary folder (a no-op after commit). */
  discard(): void {
    if (!this.committed) {
      rmSync(this.temporary, { recursive: true, force: true });
      pending.delete(this.temporary);
    }
  }
}

/** Synchronously removes every unfinished temporary folder of this process (for signal and exit handlers). */
export function removeAllPending(): string[] {
  const removed = [...pending];
  for (const path of removed) {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
  }
  return removed;
}

/** Temporary folders left by a cube-gen that was killed (its process is gone) are removed before a new run. */
function removeStale(parent: string, name: string): void {
  for (const entry of readdirSync(parent)) {
    const match = TEMPORARY.exec(entry.replace(/\.old$/, ''));
    if (!match || match[1] !== name || isAlive(Number(match[2]))) {
      continue;
    }
    rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) {
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
