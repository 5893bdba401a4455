#!/usr/bin/env node
// Pins every @jupyterlab/* package in the root package.json `overrides` to the exact versions of the
// jupyterlab Python release in use, so npm never resolves a newer patch that the registry lacks.
// Usage: node scripts/pin-jupyterlab.mjs [path/to/jupyterlab/staging/package.json]
// Without a path, the staging/package.json of the jupyterlab installed in .venv is used.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function stagingPackageJson() {
  if (process.argv[2]) {
    return resolve(process.argv[2]);
  }
  const python = existsSync(join(root, '.venv/bin/python')) ? join(root, '.venv/bin/python') : 'python3';
  const dir = execFileSync(python, ['-c', 'import jupyterlab, os; print(os.path.dirname(jupyterlab.__file__))'], {
    encoding: 'utf8'
  }).trim();
  return join(dir, 'staging', 'package.json');
}

const staging = JSON.parse(readFileSync(stagingPackageJson(), 'utf8'));
const exact = range => range.replace(/^[~^]/, '');
const overrides = {};
for (const [name, range] of Object.entries(staging.resolutions).sort(([a], [b]) => a.localeCompare(b))) {
  if (name.startsWith('@jupyterlab/')) {
    overrides[name] = exact(range);
  }
}
const pkgPath = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
pkg.overrides = {
  ...Object.fromEntries(Object.entries(pkg.overrides ?? {}).filter(([k]) => !k.startsWith('@jupyterlab/'))),
  ...overrides
};
pkg.jupyterlabRelease = staging.version;
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
console.log(`pinned ${Object.keys(overrides).length} @jupyterlab/* packages to jupyterlab ${staging.version}`);
