/**
 * Every bad input stops generation with a message that names the file and the problem, and leaves nothing in the
 * output folder: no cube, no temporary folder. An existing cube survives a failed or interrupted replacement.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { CubeGenAborted, CubeGenError } from '../../src/gen/errors';
import { generateCube } from '../../src/gen/generate';
import { FERRET_DATA, FIXTURES, temporaryFolder, writeRecipe } from './helpers';

const work = temporaryFolder();
afterAll(() => work.remove());

let counter = 0;

/** Runs a recipe into a fresh output folder and returns the error and what the folder holds afterwards. */
async function fail(recipeText: string, prepare?: (folder: string) => void) {
  const folder = join(work.path, `case-${++counter}`);
  const output = join(folder, 'cubes');
  const inputs = join(folder, 'inputs');
  mkdirSync(inputs, { recursive: true });
  prepare?.(inputs);
  const recipe = writeRecipe(inputs, recipeText.replaceAll('FIXTURES', FIXTURES).replaceAll('FERRET', FERRET_DATA));
  const error = await generateCube({ recipe, outputDir: output }).then(
    () => undefined,
    (reason: unknown) => reason
  );
  return { error: error as CubeGenError, left: existsSync(output) ? readdirSync(output) : [], recipe, inputs };
}

const recipe = (inputs: string, variables = 'SST: {}', extra = '') =>
  `name: bad\ninputs: [${inputs}]\nvariables: {${variables}}\nmetadata: {title: bad}\n${extra}`;

describe('bad input', () => {
  const cases: [string, string, RegExp, ((inputs: string) => void)?][] = [
    ['a missing input file', recipe('missing.nc'), /inputs\/missing.nc: cannot open the input: no such file/],
    [
      'a file that is not netCDF',
      recipe('text.nc'),
      /text.nc: not a netCDF file: neither the netCDF-3 \("CDF"\) nor the HDF5 signature is there \(it starts with "hello w/,
      inputs => writeFileSync(join(inputs, 'text.nc'), 'hello world\n')
    ],
    [
      'an empty file',
      recipe('empty.nc'),
      /empty.nc: not a netCDF file: it is empty/,
      inputs => writeFileSync(join(inputs, 'empty.nc'), '')
    ],
    [
      'a truncated netCDF-3 file',
      recipe('coads-cut.nc'),
      /coads-cut.nc: the file is truncated or corrupt: variable \w+ needs bytes up to \d+ but the file has 2000000/,
      inputs =>
        writeFileSync(
          join(inputs, 'coads-cut.nc'),
          readFileSync(join(FERRET_DATA, 'coads_climatology.cdf')).subarray(0, 2e6)
        )
    ],
    [
      'a netCDF-3 file with a corrupt header',
      recipe('garbage.nc'),
      /garbage.nc: not a readable netCDF-3 file: its header is corrupt/,
      inputs =>
        writeFileSync(join(inputs, 'garbage.nc'), Buffer.concat([Buffer.from('CDF\x01'), Buffer.alloc(300, 0x7f)]))
    ],
    [
      'a truncated netCDF-4/HDF5 file',
      recipe('packed-cut.nc', 'sst: {source: sst_packed}'),
      /packed-cut.nc: not a readable netCDF-4\/HDF5 file: truncated file: eof = 8000/,
      inputs =>
        writeFileSync(join(inputs, 'packed-cut.nc'), readFileSync(join(FIXTURES, 'packed-nc4.nc')).subarray(0, 8000))
    ],
    [
      'a variable without latitude and longitude axes',
      recipe('FIXTURES/no-latlon.nc', 'field: {}'),
      /no-latlon.nc: variable field has no latitude and longitude axis \(its dimensions: y, x;/
    ],
    [
      'a recipe naming a variable the file lacks',
      recipe('FERRET/coads_climatology.cdf', 'SST: {}, sal: {source: SALT}'),
      /coads_climatology.cdf: the recipe \(recipe.yaml, variables.sal\) names the variable SALT, which this file does not have; it has: SST, AIRT, SPEH, WSPD, UWND, VWND, SLP/
    ],
    [
      'an unknown codec',
      recipe('x.nc', 'SST: {}', 'compressor: {id: lzma}'),
      /recipe.yaml: recipe key "compressor.id" unknown codec "lzma"/
    ],
    ['bad recipe YAML', 'name: [bad\n', /recipe.yaml: the recipe is not valid YAML at line \d+, column \d+/],
    [
      'a recipe key of the wrong type',
      recipe('x.nc', 'SST: {}', 'chunks: {lat: many}'),
      /recipe key "chunks.lat" must be an integer/
    ],
    [
      'a 360_day date the Gregorian calendar lacks',
      recipe('FIXTURES/cal-360day.nc', 'tas: {}'),
      /cal-360day.nc: time axis time: time step 1 is 2001-02-30 in the 360_day calendar/
    ],
    [
      'inputs that overlap in time',
      recipe('FIXTURES/part1.nc, FIXTURES/part1.nc', 'T2M: {}'),
      /part1.nc: time step 0 \(1990-01-01T00:00:00Z\) does not come after 1990-01-01T06:00:00Z of the previous input; the inputs overlap/
    ],
    [
      'several inputs without a time axis',
      recipe('FERRET/etopo5.cdf, FERRET/etopo5.cdf', 'ROSE: {}'),
      /recipe.yaml: the recipe lists 2 inputs, but ROSE has no time axis to concatenate them along/
    ],
    [
      'inputs on different grids',
      recipe('FIXTURES/part1.nc, FIXTURES/part3-other-grid.nc', 'T2M: {}'),
      /part3-other-grid.nc: its latitude axis differs from that of part1.nc; inputs concatenated along time must share their grid/
    ],
    // These fail after the temporary folder exists: it must be gone too.
    [
      'a time-series copy of a cube without time',
      recipe('FERRET/levitus_climatology.cdf', 'TEMP: {}', 'timeseries: true'),
      /recipe.yaml: recipe key "timeseries" asks for a time-series copy, but the cube has no time axis/
    ],
    [
      'more overview levels than the grid allows',
      recipe('FIXTURES/packed-nc4.nc', 'sst: {source: sst_packed}', 'overviews: 4'),
      /recipe.yaml: overviews: level 4 would have fewer than 2 cells along lat or lon/
    ]
  ];
  for (const [what, text, message, prepare] of cases) {
    it(`stops on ${what}, naming the file, and leaves nothing behind`, async () => {
      const { error, left } = await fail(text, prepare);
      expect(error).toBeInstanceOf(CubeGenError);
      expect(error.message).toMatch(message);
      expect(left).toEqual([]);
    });
  }

  it('refuses to overwrite a cube without force, and keeps it when a forced rebuild fails', async () => {
    const output = join(work.path, 'existing');
    const good = writeRecipe(
      work.path,
      recipe(`${FIXTURES}/part1.nc`, 'T2M: {}').replace('name: bad', 'name: kept'),
      'kept.yaml'
    );
    const { path } = await generateCube({ recipe: good, outputDir: output });
    const before = readFileSync(join(path, '.zattrs'), 'utf8');
    await expect(generateCube({ recipe: good, outputDir: output })).rejects.toThrow(
      /kept.zarr: the cube exists already; pass --force/
    );
    const broken = writeRecipe(
      work.path,
      recipe(`${FIXTURES}/part1.nc`, 'T2M: {}', 'overviews: 5').replace('name: bad', 'name: kept'),
      'broken.yaml'
    );
    await expect(generateCube({ recipe: broken, outputDir: output, force: true })).rejects.toThrow(/overviews/);
    expect(readFileSync(join(path, '.zattrs'), 'utf8')).toBe(before);
    expect(readdirSync(output)).toEqual(['kept.zarr']);
  });

  it('removes the partial cube when aborted in the middle of writing, keeping the old one', async () => {
    const output = join(work.path, 'aborted');
    const coads = join(FERRET_DATA, 'coads_climatology.cdf');
    const text = recipe(coads, 'SST: {}, AIRT: {}, SLP: {}').replace('name: bad', 'name: coads');
    const file = writeRecipe(work.path, text, 'abort.yaml');
    await generateCube({ recipe: file, outputDir: output });
    const before = readFileSync(join(output, 'coads.zarr', '.zattrs'), 'utf8');
    const controller = new AbortController();
    const run = generateCube({
      recipe: file,
      outputDir: output,
      force: true,
      signal: controller.signal,
      log: line => {
        if (line.startsWith('SST:')) {
          controller.abort();
        }
      }
    });
    await expect(run).rejects.toBeInstanceOf(CubeGenAborted);
    expect(readdirSync(output)).toEqual(['coads.zarr']);
    expect(readFileSync(join(output, 'coads.zarr', '.zattrs'), 'utf8')).toBe(before);
  });

  it('does not replace a cube that another run finished meanwhile, unless forced', async () => {
    const output = join(work.path, 'race');
    const file = writeRecipe(
      work.path,
      recipe(`${FIXTURES}/part1.nc`, 'T2M: {}').replace('name: bad', 'name: raced'),
      'race.yaml'
    );
    const run = generateCube({
      recipe: file,
      outputDir: output,
      log: line => {
        if (line.startsWith('T2M:')) {
          mkdirSync(join(output, 'raced.zarr', 'theirs'), { recursive: true });
        }
      }
    });
    await expect(run).rejects.toThrow(/raced.zarr: another run wrote this cube meanwhile; pass --force/);
    expect(readdirSync(output)).toEqual(['raced.zarr']);
    expect(readdirSync(join(output, 'raced.zarr'))).toEqual(['theirs']);
  });

  it('removes temporary folders left by a killed run before writing a new cube', async () => {
    const output = join(work.path, 'stale');
    const stale = join(output, '.joined.zarr.tmp-999999-abc');
    mkdirSync(stale, { recursive: true });
    copyFileSync(join(FIXTURES, 'part1.nc'), join(stale, 'leftover'));
    const file = writeRecipe(
      work.path,
      recipe(`${FIXTURES}/part1.nc`, 'T2M: {}').replace('name: bad', 'name: joined'),
      'stale.yaml'
    );
    await generateCube({ recipe: file, outputDir: output });
    expect(readdirSync(output)).toEqual(['joined.zarr']);
  });
});
