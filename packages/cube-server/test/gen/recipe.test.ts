import { describe, expect, it } from 'vitest';

import { parseRecipe } from '../../src/gen/recipe';

const MINIMAL = `
name: demo
inputs: [a.nc]
variables:
  SST: {}
metadata:
  title: Demo
`;

const parse = (text: string) => parseRecipe(text, '/recipes/demo.yaml');

describe('recipe parsing', () => {
  it('fills in the defaults and resolves inputs against the recipe folder', () => {
    const recipe = parse(MINIMAL);
    expect(recipe.inputs).toEqual(['/recipes/a.nc']);
    expect(recipe.variables).toEqual([
      { name: 'SST', source: 'SST', dtype: 'float32', keepbits: undefined, attrs: {} }
    ]);
    expect(recipe.compressor).toEqual({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1 });
    expect(recipe.chunks).toEqual({ time: 1, depth: 1, lat: 512, lon: 512 });
    expect(recipe.overviews).toBe(0);
    expect(recipe.timeseries).toBe(false);
    expect(recipe.metadata).toMatchObject({ title: 'Demo', knownLimitations: [] });
  });

  it('reads every option', () => {
    const recipe = parse(`
name: full
output_dir: ../cubes
inputs: [one.nc, /abs/two.nc]
axes: {lon: X, lat: Y, time: T, depth: Z}
time: {calendar: proleptic_gregorian}
grid: {regular: [lon, lat]}
variables:
  sst:
    source: SST
    dtype: float32
    keepbits: 12
    attrs: {units: degC, color_value_min: -2, valid: true, range: [1, 2]}
chunks: {time: 2, lat: 256, lon: 128}
compressor: {id: blosc, cname: zstd, clevel: 3, shuffle: bitshuffle}
overviews: auto
timeseries: {lat: 32}
metadata:
  title: T
  description: "**Markdown**"
  license: CC-BY-4.0
  version: 2
  doi: 10.1234/x
  attribution: A
  references: [R1, R2]
  source: S
  known_limitations: one limitation
`);
    expect(recipe.outputDir).toBe('/cubes');
    expect(recipe.inputs).toEqual(['/recipes/one.nc', '/abs/two.nc']);
    expect(recipe.axes).toEqual({ lon: 'X', lat: 'Y', time: 'T', depth: 'Z' });
    expect(recipe.regular).toEqual(['lon', 'lat']);
    expect(recipe.variables[0]).toMatchObject({ name: 'sst', source: 'SST', keepbits: 12 });
    expect(recipe.compressor).toEqual({ id: 'blosc', cname: 'zstd', clevel: 3, shuffle: 2 });
    expect(recipe.timeseries).toEqual({ lat: 32, lon: 64, time: 4096 });
    expect(recipe.metadata).toMatchObject({ version: '2', references: 'R1\nR2', knownLimitations: ['one limitation'] });
  });

  it('expands environment variables in paths, with defaults', () => {
    process.env.CUBE_GEN_TEST_DATA = '/data';
    const recipe = parse(
      MINIMAL.replace('[a.nc]', '["${CUBE_GEN_TEST_DATA}/a.nc", "${CUBE_GEN_UNSET:-/fallback}/b.nc"]')
    );
    expect(recipe.inputs).toEqual(['/data/a.nc', '/fallback/b.nc']);
    expect(() => parse(MINIMAL.replace('[a.nc]', '["${CUBE_GEN_UNSET}/a.nc"]'))).toThrow(
      /recipe key "inputs\[0\]" uses the environment variable CUBE_GEN_UNSET, which is not set/
    );
    delete process.env.CUBE_GEN_TEST_DATA;
  });

  const bad: [string, string, RegExp][] = [
    ['YAML syntax', 'name: [unclosed', /demo.yaml: the recipe is not valid YAML at line \d+, column \d+/],
    ['not a mapping', '- a\n- b', /must be a YAML mapping/],
    ['unknown top-level key', `${MINIMAL}\nextra: 1`, /recipe key "extra" is not a recipe option \(known keys: name, /],
    [
      'misspelt licence',
      MINIMAL.replace('title: Demo', 'title: Demo\n  licence: x'),
      /"metadata.licence" .*did you mean license\?/
    ],
    ['missing name', MINIMAL.replace('name: demo', ''), /recipe key "name" is required/],
    ['bad name', MINIMAL.replace('name: demo', 'name: a/b'), /recipe key "name" must use only letters/],
    ['missing inputs', MINIMAL.replace('inputs: [a.nc]', ''), /recipe key "inputs" is required/],
    ['variables as a list', MINIMAL.replace('  SST: {}', '  - SST'), /"variables" must be a mapping/],
    [
      'unknown variable option',
      MINIMAL.replace('SST: {}', 'SST: {units: K}'),
      /"variables.SST.units" is not a recipe option/
    ],
    ['bad dtype', MINIMAL.replace('SST: {}', 'SST: {dtype: f32}'), /"variables.SST.dtype" must be float32 or float64/],
    ['keepbits on float64', MINIMAL.replace('SST: {}', 'SST: {dtype: float64, keepbits: 8}'), /float32 output only/],
    ['coordinate name', MINIMAL.replace('SST: {}', 'lat: {}'), /"variables.lat" is not a usable variable name/],
    ['unknown codec', `${MINIMAL}\ncompressor: {id: lzma}`, /"compressor.id" unknown codec "lzma"; use blosc/],
    ['unknown blosc cname', `${MINIMAL}\ncompressor: {id: blosc, cname: snappy}`, /unknown blosc compressor "snappy"/],
    [
      'option of another codec',
      `${MINIMAL}\ncompressor: {id: zlib, cname: lz4}`,
      /"compressor.cname" is not an option of the zlib codec/
    ],
    [
      'spatial chunk > 512',
      `${MINIMAL}\nchunks: {lat: 1024}`,
      /"chunks.lat" must be an integer from 1 to 512 \(got 1024\)/
    ],
    ['bad overviews', `${MINIMAL}\noverviews: many`, /"overviews" must be an integer/],
    ['missing title', MINIMAL.replace('title: Demo', 'version: 1'), /"metadata.title" is required/],
    ['duplicate key', MINIMAL.replace('name: demo', 'name: demo\nname: again'), /not valid YAML/]
  ];
  for (const [what, text, message] of bad) {
    it(`names the key for ${what}`, () => {
      expect(() => parse(text)).toThrow(message);
    });
  }
});
