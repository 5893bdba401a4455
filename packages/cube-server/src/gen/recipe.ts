/**
 * The cube recipe (YAML): what to read, which variables to keep under which names, how to chunk, compress and
 * describe the cube. Parsed strictly: an unknown or ill-typed key stops generation with the key's path.
 * The format is documented in recipes/README.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { parseDocument } from 'yaml';

import { CubeGenError } from './errors';

export type AxisName = 'lon' | 'lat' | 'time' | 'depth';
export type OutputDtype = 'float32' | 'float64';

export type CompressorConfig =
  | { id: 'blosc'; cname: 'lz4' | 'lz4hc' | 'zstd' | 'zlib' | 'blosclz'; clevel: number; shuffle: 0 | 1 | 2 }
  | { id: 'zlib'; level: number }
  | { id: 'gzip'; level: number }
  | { id: 'none' };

export interface RecipeVariable {
  /** Name in the cube. */
  name: string;
  /** Name in the input files. */
  source: string;
  dtype: OutputDtype;
  /** Mantissa bits kept by bit rounding (float32 only), or undefined for none. */
  keepbits?: number;
  attrs: Record<string, string | number | boolean | number[]>;
}

export interface RecipeMetadata {
  title: string;
  description?: string;
  license?: string;
  version?: string;
  doi?: string;
  attribution?: string;
  references?: string;
  source?: string;
  knownLimitations: string[];
}

export interface Recipe {
  /** The recipe file, when it came from one. */
  path?: string;
  /** sha256 of the recipe file's bytes. */
  sha256?: string;
  /** The YAML as parsed, recorded in the cube's provenance. */
  raw: unknown;
  name: string;
  /** Absolute output folder from the recipe, if it names one. */
  outputDir?: string;
  /** Absolute input paths, environment variables expanded. */
  inputs: string[];
  axes: Partial<Record<AxisName, string>>;
  calendar?: string;
  regular: ('lon' | 'lat')[];
  variables: RecipeVariable[];
  chunks: { time: number; depth: number; lat: number; lon: number };
  compressor: CompressorConfig;
  /** 'auto' (until the grid fits one 512x512 chunk), a number of levels, or 0 for none. */
  overviews: 'auto' | number;
  timeseries: false | { lat: number; lon: number; time: number };
  metadata: RecipeMetadata;
}

/** Largest spatial chunk edge: the contract's tile-aligned bound. */
export const MAX_SPATIAL_CHUNK = 512;

const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const VARIABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Reads and validates a recipe file. */
export function loadRecipe(path: string): Recipe {
  const absolute = resolve(path);
  let text: Buffer;
  try {
    text = readFileSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CubeGenError(code === 'ENOENT' ? 'no such recipe file' : `cannot read the recipe: ${code}`, path);
  }
  const recipe = parseRecipe(text.toString('utf8'), absolute);
  recipe.sha256 = createHash('sha256').update(text).digest('hex');
  return recipe;
}

/** Validates recipe text; relative paths in it resolve against the recipe's folder (or `baseDir`). */
export function parseRecipe(text: string, path?: string, baseDir?: string): Recipe {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const where = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new CubeGenError(`the recipe is not valid YAML${where}: ${reason}`, path);
  }
  const raw: unknown = document.toJS();
  const base = baseDir ?? (path ? dirname(path) : process.cwd());
  const check = new Checker(path);
  const top = check.object(raw, '', [
    'name',
    'output_dir',
    'inputs',
    'axes',
    'time',
    'grid',
    'variables',
    'chunks',
    'compressor',
    'overviews',
    'timeseries',
    'metadata'
  ]);
  const name = check.string(top.name, 'name', true)!;
  if (!NAME_PATTERN.test(name)) {
    check.fail('name', `must use only letters, digits, "_", "." and "-" (got ${JSON.stringify(name)})`);
  }
  const outputDir = check.string(top.output_dir, 'output_dir');
  const inputs = parseInputs(check, top.inputs, base);
  const axes = check.object(top.axes ?? {}, 'axes', ['lon', 'lat', 'time', 'depth']);
  const time = check.object(top.time ?? {}, 'time', ['calendar']);
  const grid = check.object(top.grid ?? {}, 'grid', ['regular']);
  const regular = (check.stringList(grid.regular, 'grid.regular') ?? []).map((axis, i) => {
    if (axis !== 'lon' && axis !== 'lat') {
      check.fail(`grid.regular[${i}]`, `must be lon or lat (got ${JSON.stringify(axis)})`);
    }
    return axis as 'lon' | 'lat';
  });
  return {
    path,
    raw,
    name,
    outputDir: outputDir === undefined ? undefined : resolve(base, expandEnvironment(outputDir, 'output_dir', check)),
    inputs,
    axes: Object.fromEntries(
      Object.entries(axes).map(([key, value]) => [key, check.string(value, `axes.${key}`, true)])
    ) as Recipe['axes'],
    calendar: check.string(time.calendar, 'time.calendar'),
    regular,
    variables: parseVariables(check, top.variables),
    chunks: parseChunks(check, top.chunks),
    compressor: parseCompressor(check, top.compressor),
    overviews: parseOverviews(check, top.overviews),
    timeseries: parseTimeseries(check, top.timeseries),
    metadata: parseMetadata(check, top.metadata)
  };
}

function parseInputs(check: Checker, value: unknown, base: string): string[] {
  const list = typeof value === 'string' ? [value] : check.stringList(value, 'inputs');
  if (!list || list.length === 0) {
    check.fail('inputs', 'is required: the netCDF file(s) to read, concatenated along time when several');
  }
  return list.map((input, i) => resolve(base, expandEnvironment(input, `inputs[${i}]`, check)));
}

/** `${VAR}` and `${VAR:-default}` in paths, so a recipe can point at data installed elsewhere. */
function expandEnvironment(text: string, key: string, check: Checker): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, variable: string, fallback?: string) => {
    const value = process.env[variable];
    if (value !== undefined && value !== '') {
      return value;
    }
    if (fallback !== undefined) {
      return fallback;
    }
    return check.fail(
      key,
      `uses the environment variable ${variable}, which is not set (write \${${variable}:-default})`
    );
  });
}

const VARIABLE_KEYS = ['source', 'dtype', 'keepbits', 'attrs'];

function parseVariables(check: Checker, value: unknown): RecipeVariable[] {
  if (value === undefined || value === null) {
    check.fail('variables', 'is required: a mapping from cube variable names to their options');
  }
  if (Array.isArray(value)) {
    check.fail('variables', 'must be a mapping (NAME: {source: …}), not a list');
  }
  const entries = Object.entries(check.object(value, 'variables'));
  if (entries.length === 0) {
    check.fail('variables', 'names no variable');
  }
  const sources = new Set<string>();
  return entries.map(([name, options]) => {
    const key = `variables.${name}`;
    if (!VARIABLE_NAME_PATTERN.test(name) || ['time', 'lat', 'lon', 'depth', 'level'].includes(name)) {
      check.fail(key, 'is not a usable variable name (letters, digits, "_", ".", "-"; not a coordinate name)');
    }
    const spec = check.object(options ?? {}, key, VARIABLE_KEYS);
    const source = check.string(spec.source, `${key}.source`) ?? name;
    if (sources.has(source)) {
      check.fail(`${key}.source`, `reads ${source}, which another variable already reads`);
    }
    sources.add(source);
    const dtype = check.string(spec.dtype, `${key}.dtype`) ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') {
      check.fail(`${key}.dtype`, `must be float32 or float64 (got ${JSON.stringify(dtype)})`);
    }
    const keepbits = check.integer(spec.keepbits, `${key}.keepbits`, 1, 23);
    if (keepbits !== undefined && dtype !== 'float32') {
      check.fail(`${key}.keepbits`, 'bit rounding is implemented for float32 output only');
    }
    const attrs = check.object(spec.attrs ?? {}, `${key}.attrs`);
    for (const [attr, attrValue] of Object.entries(attrs)) {
      const ok =
        ['string', 'number', 'boolean'].includes(typeof attrValue) ||
        (Array.isArray(attrValue) && attrValue.every(v => typeof v === 'number'));
      if (!ok) {
        check.fail(`${key}.attrs.${attr}`, 'must be a string, a number, a boolean or a list of numbers');
      }
    }
    return {
      name,
      source,
      dtype,
      keepbits,
      attrs: attrs as RecipeVariable['attrs']
    };
  });
}

function parseChunks(check: Checker, value: unknown): Recipe['chunks'] {
  const chunks = check.object(value ?? {}, 'chunks', ['time', 'depth', 'lat', 'lon']);
  return {
    time: check.integer(chunks.time, 'chunks.time', 1, 1_000_000) ?? 1,
    depth: check.integer(chunks.depth, 'chunks.depth', 1, 1_000_000) ?? 1,
    lat: check.integer(chunks.lat, 'chunks.lat', 1, MAX_SPATIAL_CHUNK) ?? MAX_SPATIAL_CHUNK,
    lon: check.integer(chunks.lon, 'chunks.lon', 1, MAX_SPATIAL_CHUNK) ?? MAX_SPATIAL_CHUNK
  };
}

const BLOSC_CNAMES = ['lz4', 'lz4hc', 'zstd', 'zlib', 'blosclz'];
const SHUFFLE_NAMES: Record<string, 0 | 1 | 2> = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };

function parseCompressor(check: Checker, value: unknown): CompressorConfig {
  if (value === undefined || value === null) {
    return { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1 };
  }
  if (value === 'none' || value === false) {
    return { id: 'none' };
  }
  const spec = check.object(value, 'compressor', ['id', 'cname', 'clevel', 'shuffle', 'level']);
  const id = check.string(spec.id, 'compressor.id', true);
  const allowed = (keys: string[]): void => {
    for (const key of Object.keys(spec)) {
      if (key !== 'id' && !keys.includes(key)) {
        check.fail(`compressor.${key}`, `is not an option of the ${id} codec (it takes ${keys.join(', ')})`);
      }
    }
  };
  switch (id) {
    case 'blosc': {
      allowed(['cname', 'clevel', 'shuffle']);
      const cname = check.string(spec.cname, 'compressor.cname') ?? 'lz4';
      if (!BLOSC_CNAMES.includes(cname)) {
        check.fail(
          'compressor.cname',
          `unknown blosc compressor ${JSON.stringify(cname)}; use ${BLOSC_CNAMES.join(', ')}`
        );
      }
      let shuffle: 0 | 1 | 2 = 1;
      if (typeof spec.shuffle === 'string') {
        if (!(spec.shuffle in SHUFFLE_NAMES)) {
          check.fail('compressor.shuffle', 'must be noshuffle, shuffle, bitshuffle or 0, 1, 2');
        }
        shuffle = SHUFFLE_NAMES[spec.shuffle];
      } else if (spec.shuffle !== undefined) {
        shuffle = check.integer(spec.shuffle, 'compressor.shuffle', 0, 2) as 0 | 1 | 2;
      }
      return {
        id: 'blosc',
        cname: cname as 'lz4',
        clevel: check.integer(spec.clevel, 'compressor.clevel', 0, 9) ?? 5,
        shuffle
      };
    }
    case 'zlib':
    case 'gzip':
      allowed(['level']);
      return { id, level: check.integer(spec.level, 'compressor.level', 0, 9) ?? 5 };
    case 'none':
      allowed([]);
      return { id: 'none' };
    default:
      return check.fail(
        'compressor.id',
        `unknown codec ${JSON.stringify(id)}; use blosc (cname lz4 or zstd), zlib, gzip or none`
      );
  }
}

function parseOverviews(check: Checker, value: unknown): 'auto' | number {
  if (value === undefined || value === null || value === false) {
    return 0;
  }
  if (value === 'auto' || value === true) {
    return 'auto';
  }
  const levels = check.integer(value, 'overviews', 0, 16);
  if (levels === undefined) {
    return check.fail('overviews', 'must be auto, false or a number of levels');
  }
  return levels;
}

function parseTimeseries(check: Checker, value: unknown): Recipe['timeseries'] {
  if (value === undefined || value === null || value === false) {
    return false;
  }
  if (value === true) {
    return { lat: 64, lon: 64, time: 4096 };
  }
  const spec = check.object(value, 'timeseries', ['lat', 'lon', 'time']);
  return {
    lat: check.integer(spec.lat, 'timeseries.lat', 1, 512) ?? 64,
    lon: check.integer(spec.lon, 'timeseries.lon', 1, 512) ?? 64,
    time: check.integer(spec.time, 'timeseries.time', 1, 1_000_000) ?? 4096
  };
}

const METADATA_KEYS = [
  'title',
  'description',
  'license',
  'version',
  'doi',
  'attribution',
  'references',
  'source',
  'known_limitations'
];

function parseMetadata(check: Checker, value: unknown): RecipeMetadata {
  if (value === undefined || value === null) {
    check.fail('metadata', 'is required: at least metadata.title');
  }
  const spec = check.object(value, 'metadata', METADATA_KEYS);
  const text = (key: string): string | undefined => {
    const item = spec[key];
    return typeof item === 'number' ? String(item) : check.string(item, `metadata.${key}`);
  };
  const references = Array.isArray(spec.references)
    ? check.stringList(spec.references, 'metadata.references')!.join('\n')
    : text('references');
  const limitations = spec.known_limitations;
  return {
    title: check.string(spec.title, 'metadata.title', true)!,
    description: text('description'),
    license: text('license'),
    version: text('version'),
    doi: text('doi'),
    attribution: text('attribution'),
    references,
    source: text('source'),
    knownLimitations:
      typeof limitations === 'string'
        ? [limitations]
        : (check.stringList(limitations, 'metadata.known_limitations') ?? [])
  };
}

const SPELLINGS: Record<string, string> = {
  licence: 'license',
  limitations: 'known_limitations',
  knownlimitations: 'known_limitations',
  output: 'output_dir',
  input: 'inputs',
  variable: 'variables',
  compression: 'compressor',
  codec: 'compressor',
  overview: 'overviews',
  time_series: 'timeseries',
  chunk: 'chunks'
};

/** Type checks that fail with the key's dotted path. */
class Checker {
  constructor(private readonly path: string | undefined) {}

  fail(key: string, message: string): never {
    throw new CubeGenError(`recipe key "${key}" ${message}`, this.path);
  }

  object(value: unknown, key: string, allowed?: string[]): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      if (key === '') {
        throw new CubeGenError('the recipe must be a YAML mapping (name: …, inputs: …, variables: …)', this.path);
      }
      this.fail(key, `must be a mapping (got ${describe(value)})`);
    }
    if (allowed) {
      for (const name of Object.keys(value)) {
        if (!allowed.includes(name)) {
          const full = key ? `${key}.${name}` : name;
          const guess = SPELLINGS[name.toLowerCase()] ?? allowed.find(a => a.toLowerCase() === name.toLowerCase());
          const hint =
            guess && allowed.includes(guess) ? ` (did you mean ${guess}?)` : ` (known keys: ${allowed.join(', ')})`;
          this.fail(full, `is not a recipe option${hint}`);
        }
      }
    }
    return value as Record<string, unknown>;
  }

  string(value: unknown, key: string, required = false): string | undefined {
    if (value === undefined || value === null) {
      if (required) {
        this.fail(key, 'is required');
      }
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      // YAML reads unquoted text with ": " in it as a mapping.
      const hint = describe(value) === 'a mapping' ? '; put text that contains ": " in quotes' : '';
      this.fail(key, `must be a non-empty string (got ${describe(value)}${hint})`);
    }
    return value;
  }

  stringList(value: unknown, key: string): string[] | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.fail(key, `must be a list (got ${describe(value)})`);
    }
    return value.map((item, i) => this.string(item, `${key}[${i}]`, true)!);
  }

  integer(value: unknown, key: string, min: number, max: number): number | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(key, `must be an integer from ${min} to ${max} (got ${describe(value)})`);
    }
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) {
    return 'nothing';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  return JSON.stringify(value);
}
