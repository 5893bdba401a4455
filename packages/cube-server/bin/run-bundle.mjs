// Runs a CLI of this package from its bundle in packages/server/esdl_lab/node/, rebuilding the bundle first
// when a source file is newer (so `npx esdl-cube-server` in the repo always runs the current code).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

export async function runBundle(entry, outName) {
  const bundlePath = path.resolve(root, '../server/esdl_lab/node', outName);
  // a worker process of the server runs what its primary checked
  const stale =
    !process.env.ESDL_CUBE_SERVER_WORKER &&
    (!existsSync(bundlePath) || newest(path.join(root, 'src')) > statSync(bundlePath).mtimeMs);
  if (stale) {
    const { bundle } = await import(pathToFileURL(path.join(root, 'build.mjs')).href);
    const built = await bundle(entry, outName, { quiet: true });
    // esbuild keeps a service process for further builds: this process has none to make
    (await import('esbuild')).stop();
    if (!built) {
      console.error(`${outName}: ${entry} does not exist yet`);
      process.exit(1);
    }
  }
  await import(pathToFileURL(bundlePath).href);
}
