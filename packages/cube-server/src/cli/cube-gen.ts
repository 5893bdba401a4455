/**
 * `esdl-cube-gen RECIPE.yaml [--output DIR] [--force] [--quiet]`: netCDF files → an analysis-ready Zarr cube.
 * Exit status 0 when the cube is complete, 1 on bad input, 2 on bad usage, 130 when interrupted; in every case
 * but 0 no part of a new cube is left behind.
 */
import { parseArgs } from 'node:util';

import { removeAllPending } from '../gen/atomic-dir';
import { CubeGenAborted, CubeGenError } from '../gen/errors';
import { generateCube } from '../gen/generate';
import { TOOL_NAME, TOOL_VERSION } from '../gen/version';

const USAGE = `Usage: ${TOOL_NAME} RECIPE.yaml [--output DIR] [--force] [--quiet]

Turns netCDF-3 and netCDF-4/HDF5 files into an analysis-ready Zarr v2 cube (consolidated metadata,
CF-decoded values, longitudes -180..180, latitudes north to south, tile-sized chunks, provenance),
as the recipe says. The recipe format is described in packages/cube-server/recipes/README.md.

Options:
  -o, --output DIR  folder to write <name>.zarr into (default: the recipe's output_dir, else the
                    current folder)
  -f, --force       replace an existing cube (only once the new one is complete)
  -q, --quiet       print errors only
  -h, --help        show this help
  -v, --version     show the version

The cube is written to a hidden folder beside the target and renamed into place when complete:
an error or Ctrl-C leaves no partial cube.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean', short: 'f' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      }
    });
  } catch (error) {
    process.stderr.write(`${TOOL_NAME}: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${TOOL_NAME} ${TOOL_VERSION}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`${TOOL_NAME}: expected exactly one recipe file, got ${positionals.length}\n\n${USAGE}\n`);
    return 2;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = (): void => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort();
      return;
    }
    // A second Ctrl-C does not wait for the current chunk.
    removeAllPending();
    process.exit(130);
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  process.on('exit', () => removeAllPending());
  const log = values.quiet ? undefined : (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    await generateCube({
      recipe: positionals[0],
      outputDir: values.output,
      force: values.force,
      log,
      signal: controller.signal
    });
    return 0;
  } catch (error) {
    if (error instanceof CubeGenAborted) {
      process.stderr.write(`${TOOL_NAME}: ${error.message}\n`);
      return 130;
    }
    if (error instanceof CubeGenError) {
      process.stderr.write(`${TOOL_NAME}: error: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`${TOOL_NAME}: unexpected error (please report it): ${(error as Error).stack ?? error}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(code => {
  process.exitCode = code;
});
