/**
 * The CLI as users run it: bundled with esbuild (as build.mjs does) and run with node in a child process; exit
 * statuses, messages, --force/--quiet, and Ctrl-C in the middle of writing chunks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TOOL_VERSION } from '../../src/gen/version';
import { FERRET_DATA, FIXTURES, PACKAGE_ROOT, temporaryFolder, writeRecipe } from './helpers';

const folder = temporaryFolder();
const cli = join(folder.path, 'cube-gen.mjs');
afterAll(() => folder.remove());

beforeAll(async () => {
  await build({
    entryPoints: [join(PACKAGE_ROOT, 'src/cli/cube-gen.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: cli,
    logLevel: 'silent',
    // CommonJS dependencies (yaml) require node built-ins, which an ES module bundle must provide.
    banner: {
      js: "import { createRequire as __cubeGenRequire } from 'node:module'; const require = __cubeGenRequire(import.meta.url);"
    }
  });
});

const run = (...args: string[]) => {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: folder.path });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

const partsRecipe = (name: string) =>
  writeRecipe(
    folder.path,
    `name: ${name}\ninputs: [${FIXTURES}/part1.nc, ${FIXTURES}/part2.nc]\nvariables: {T2M: {}}\nmetadata: {title: parts}\n`,
    `${name}.yaml`
  );

describe('esdl-cube-gen CLI', () => {
  it('prints its usage with --help and its version with --version', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: esdl-cube-gen RECIPE.yaml \[--output DIR\] \[--force\] \[--quiet\]/);
    const version = run('--version');
    expect(version.stdout.trim()).toBe(`esdl-cube-gen ${TOOL_VERSION}`);
    expect(TOOL_VERSION).toBe(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version);
  });

  it('exits 2 on bad usage', () => {
    expect(run()).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/expected exactly one recipe file, got 0/)
    });
    expect(run('a.yaml', '--colour')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/Unknown option '--colour'/)
    });
  });

  it('builds a cube, says what it does and how long it took; refuses to overwrite without --force', () => {
    const recipe = partsRecipe('parts');
    const output = join(folder.path, 'out');
    const first = run(recipe, '--output', output);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^read .*part1.nc \(netCDF3, TIME 2, Y 4, X 4\)$/m);
    expect(first.stdout).toMatch(/^wrote .*parts.zarr: 1 variable\(s\), \d+ files, [\d.]+ MB in [\d.]+ s$/m);
    const again = run(recipe, '--output', output);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^esdl-cube-gen: error: .*parts.zarr: the cube exists already; pass --force/);
    const forced = run(recipe, '--output', output, '--force', '--quiet');
    expect(forced).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(readdirSync(output)).toEqual(['parts.zarr']);
  });

  it('exits 1 with the file and the problem on bad input', () => {
    const recipe = writeRecipe(
      folder.path,
      'name: x\ninputs: [nowhere.nc]\nvariables: {a: {}}\nmetadata: {title: x}\n',
      'bad.yaml'
    );
    const result = run(recipe, '--output', join(folder.path, 'bad-out'));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `esdl-cube-gen: error: ${join(folder.path, 'nowhere.nc')}: cannot open the input: no such file\n`
    );
    expect(existsSync(join(folder.path, 'bad-out'))).toBe(false);
  });

  it('leaves no partial cube when interrupted with Ctrl-C while writing chunks', async () => {
    // Small chunks make ETOPO5 tens of thousands of files: the signal lands in the middle of writing them.
    const recipe = writeRecipe(
      folder.path,
      `name: etopo5\ninputs: [${FERRET_DATA}/etopo5.cdf]\nvariables: {ROSE: {}}\nchunks: {lat: 16, lon: 16}\nmetadata: {title: x}\n`,
      'slow.yaml'
    );
    const output = join(folder.path, 'interrupted');
    const child = spawn(process.execPath, [cli, recipe, '--output', output], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', chunk => (stderr += chunk));
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
    let written = 0;
    while (written < 50) {
      await new Promise(resolve => setTimeout(resolve, 20));
      const temporary = existsSync(output)
        ? readdirSync(output).find(name => name.startsWith('.etopo5.zarr.tmp-'))
        : undefined;
      const variable = temporary && join(output, temporary, 'ROSE');
      written = variable && existsSync(variable) ? readdirSync(variable).length : 0;
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/esdl-cube-gen: interrupted; the partial cube was removed/);
    expect(readdirSync(output)).toEqual([]);
  });
});
