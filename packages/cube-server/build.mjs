// Bundles the cube server and cube-gen CLIs into single ES modules (every dependency inlined, wasm included)
// in packages/server/esdl_lab/node/, which the esdl-lab Python package ships:
//   node packages/cube-server/build.mjs
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '../server/esdl_lab/node');

const entries = [
  ['src/cli/cube-server.ts', 'cube-server.mjs'],
  ['src/cli/cube-gen.ts', 'cube-gen.mjs']
];

/** Bundles one entry point; returns false when its source does not exist yet. */
export async function bundle(entry, outName, { quiet = false } = {}) {
  const source = path.join(here, entry);
  if (!existsSync(source)) {
    if (!quiet) {
      console.log(`skipping ${entry}: it does not exist yet`);
    }
    return false;
  }
  await build({
    entryPoints: [source],
    outfile: path.join(outdir, outName),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    logLevel: quiet ? 'error' : 'warning',
    loader: { '.wasm': 'binary' },
    // CommonJS dependencies call require(): give the ES module one
    banner: {
      js: "import { createRequire as __esdlCreateRequire } from 'node:module'; const require = __esdlCreateRequire(import.meta.url);"
    }
  });
  if (!quiet) {
    console.log(`built ${path.relative(process.cwd(), path.join(outdir, outName))}`);
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [entry, outName] of entries) {
    await bundle(entry, outName);
  }
}
