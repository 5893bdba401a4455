/**
 * cube-gen's entry point for programs: recipe in, finished Zarr v2 cube out (or nothing, on any error or abort).
 * One variable is held in memory at a time, decoded plane by plane and written chunk by chunk.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { AtomicDirectory } from './atomic-dir';
import { bitRound, decodePlane, emptyStats, formatStored } from './cf-decode';
import type { DecodeStats } from './cf-decode';
import { OUTPUT_CALENDAR, OUTPUT_TIME_UNITS, isoFromInstant } from './cf-time';
import { fileChecksum } from './checksum';
import type { ChunkCodec } from './chunk-codec';
import { RAW_CODEC, makeCodec } from './chunk-codec';
import type { CubePlan, PlannedVariable } from './cube-plan';
import { planCube } from './cube-plan';
import { CubeGenAborted, CubeGenError } from './errors';
import { autoOverviewLevels, halve, halveCoordinate } from './overviews';
import type { Recipe } from './recipe';
import { loadRecipe } from './recipe';
import type { SourceFile } from './source';
import { attrString, openSource, product, trimText } from './source';
import { TOOL_NAME, TOOL_VERSION } from './version';
import type { ArraySpec, FloatArray } from './zarr-writer';
import { ZarrWriter } from './zarr-writer';

export interface GenerateOptions {
  /** A recipe file's path, or a recipe already parsed (see `parseRecipe`). */
  recipe: string | Recipe;
  /** Folder the cube `<name>.zarr` goes into; defaults to the recipe's `output_dir`, else the working folder. */
  outputDir?: string;
  /** Replace an existing cube (only once the new one is complete). */
  force?: boolean;
  /** Receives one line per thing done. */
  log?: (line: string) => void;
  /** Aborting removes the partial cube and rejects with `CubeGenAborted`. */
  signal?: AbortSignal;
}

export interface GenerateResult {
  path: string;
  name: string;
  seconds: number;
  /** Bytes and files written, all groups included. */
  bytes: number;
  files: number;
  variables: string[];
  dims: Record<string, number>;
  overviewLevels: number;
  timeseries: boolean;
}

/** Values read from a source at once (4 MB of float32). */
const STRIP_VALUES = 1 << 20;

/** Source attributes that describe the stored encoding, which the cube no longer has. */
const ENCODING_ATTRIBUTES = new Set([
  '_FillValue',
  'missing_value',
  'scale_factor',
  'add_offset',
  'valid_min',
  'valid_max',
  'valid_range',
  '_Unsigned',
  '_ChunkSizes',
  '_Storage',
  '_DeflateLevel',
  '_Shuffle',
  '_Endianness',
  'history',
  'coordinates'
]);

export async function generateCube(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const log = options.log ?? ((): void => undefined);
  const recipe = typeof options.recipe === 'string' ? loadRecipe(options.recipe) : options.recipe;
  const outputDir = resolve(options.outputDir ?? recipe.outputDir ?? process.cwd());
  const target = join(outputDir, `${recipe.name}.zarr`);
  if (existsSync(target) && !options.force) {
    throw new CubeGenError('the cube exists already; pass --force (force: true) to replace it', target);
  }
  const inputs: SourceFile[] = [];
  try {
    for (const path of recipe.inputs) {
      const source = await openSource(path);
      inputs.push(source);
      log(`read ${path} (${source.format}, ${[...source.dims].map(([name, size]) => `${name} ${size}`).join(', ')})`);
    }
    const plan = planCube(recipe, inputs);
    const sources = await Promise.all(
      recipe.inputs.map(async (path, i) => ({ path, ...(await fileChecksum(path)), format: inputs[i].format }))
    );
    const directory = AtomicDirectory.begin(target, options.force ?? false);
    try {
      const writer = new ZarrWriter(directory.temporary, options.signal);
      const summary = await writeCube(writer, plan, recipe, sources, log, options.signal);
      await writer.consolidate();
      throwIfAborted(options.signal);
      directory.commit();
      const seconds = (performance.now() - started) / 1000;
      log(
        `wrote ${target}: ${recipe.variables.length} variable(s), ${writer.files} files, ` +
          `${(writer.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`
      );
      return { path: target, name: recipe.name, seconds, bytes: writer.bytes, files: writer.files, ...summary };
    } catch (error) {
      directory.discard();
      if (options.signal?.aborted) {
        throw new CubeGenAborted();
      }
      throw error;
    }
  } finally {
    for (const input of inputs) {
      input.close();
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CubeGenAborted();
  }
}

interface SourceRecord {
  path: string;
  bytes: number;
  sha256: string;
  format: string;
}

async function writeCube(
  writer: ZarrWriter,
  plan: CubePlan,
  recipe: Recipe,
  sources: SourceRecord[],
  log: (line: string) => void,
  signal: AbortSignal | undefined
): Promise<Omit<GenerateResult, 'path' | 'name' | 'seconds' | 'bytes' | 'files'>> {
  const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const steps = [...plan.steps];
  const accuracy = [...plan.accuracy];
  const codec = makeCodec(recipe.compressor);
  const nLat = plan.lat.values.length;
  const nLon = plan.lon.values.length;
  const shape = [...plan.outerShape, nLat, nLon];
  const dims = [...plan.outerDims, 'lat', 'lon'];
  const chunks = [
    ...plan.outerDims.map((dim, d) =>
      Math.min(dim === 'time' ? recipe.chunks.time : recipe.chunks.depth, plan.outerShape[d])
    ),
    Math.min(recipe.chunks.lat, nLat),
    Math.min(recipe.chunks.lon, nLon)
  ];
  steps.push(
    `chunked as ${dims.map((dim, d) => `${dim} ${chunks[d]}`).join(' × ')} for map tiles; compressed with ${codec.label}`
  );

  const levels =
    recipe.overviews === 'auto'
      ? autoOverviewLevels(nLat, nLon, Math.max(chunks.at(-1)!, chunks.at(-2)!))
      : recipe.overviews;
  const levelShapes: { lat: Float64Array; lon: Float64Array }[] = [];
  for (let k = 1, lat = plan.lat.values, lon = plan.lon.values; k <= levels; k++) {
    if (lat.length < 2 || lon.length < 2) {
      throw new CubeGenError(
        `overviews: level ${k} would have fewer than 2 cells along lat or lon; ask for fewer levels`,
        recipe.path
      );
    }
    lat = halveCoordinate(lat);
    lon = halveCoordinate(lon);
    levelShapes.push({ lat, lon });
  }
  if (recipe.timeseries && !plan.time) {
    throw new CubeGenError(
      'recipe key "timeseries" asks for a time-series copy, but the cube has no time axis',
      recipe.path
    );
  }

  // Groups and coordinates of every group the cube has.
  await writer.group('', {});
  await writeCoordinates(writer, '', plan, plan.lat.values, plan.lon.values);
  if (levels > 0) {
    await writer.group('overviews', { description: 'overview levels (a pyramid) of the cube, coarser by 2 per level' });
    for (let k = 1; k <= levels; k++) {
      await writer.group(`overviews/${k}`, {
        title: `${recipe.metadata.title} (overview level ${k})`,
        esdl_overview_level: k,
        esdl_overview_factor: 2 ** k
      });
      await writeCoordinates(writer, `overviews/${k}`, plan, levelShapes[k - 1].lat, levelShapes[k - 1].lon);
    }
    steps.push(
      `overview levels 1..${levels} (factors 2..${2 ** levels}): means of the valid cells of 2×2 blocks of the level above, ` +
        'an odd last row or column averaging one source row or column'
    );
    accuracy.push({
      variable: '*',
      note: `overview levels 1..${levels} hold block means (resampling): use level 0 (the root arrays) for analysis`
    });
  }
  const timeseriesChunks = recipe.timeseries
    ? [
        ...plan.outerDims.map((dim, d) =>
          dim === 'time' ? Math.min((recipe.timeseries as { time: number }).time, plan.outerShape[d]) : 1
        ),
        Math.min(recipe.timeseries.lat, nLat),
        Math.min(recipe.timeseries.lon, nLon)
      ]
    : undefined;
  if (timeseriesChunks) {
    await writer.group('timeseries', {
      description: 'the same variables chunked for time series (all time, small areas)'
    });
    await writeCoordinates(writer, 'timeseries', plan, plan.lat.values, plan.lon.values);
    steps.push(
      `time-series copy in timeseries/, chunked as ${dims.map((dim, d) => `${dim} ${timeseriesChunks[d]}`).join(' × ')}`
    );
  }

  for (const variable of plan.variables) {
    throwIfAborted(signal);
    const variableStarted = performance.now();
    const { data, stats } = readVariable(plan, variable, signal);
    const name = variable.recipe.name;
    const first = variable.sources[0].variable;
    if (variable.recipe.keepbits !== undefined && data instanceof Float32Array) {
      const change = bitRound(data, variable.recipe.keepbits);
      const note = `bit rounding to ${variable.recipe.keepbits} mantissa bits; largest change ${change.toPrecision(3)}`;
      steps.push(`${name}: ${note}`);
      accuracy.push({ variable: name, note });
    }
    noteAccuracy(name, variable, stats, accuracy, steps);
    if (name !== first.name) {
      steps.push(`renamed ${first.name} to ${name}`);
    }
    const attrs = variableAttributes(variable, stats);
    const base: Omit<ArraySpec, 'path' | 'shape' | 'chunks'> = {
      dtype: variable.recipe.dtype,
      dims,
      attrs,
      codec,
      fillValue: NaN
    };
    await writeArray(writer, { ...base, path: name, shape, chunks }, data);
    if (timeseriesChunks) {
      await writeArray(writer, { ...base, path: `timeseries/${name}`, shape, chunks: timeseriesChunks }, data);
    }
    let level = data;
    const planes = product(plan.outerShape);
    for (let k = 1; k <= levels; k++) {
      const above = level;
      const aboveShape = k === 1 ? [nLat, nLon] : [levelShapes[k - 2].lat.length, levelShapes[k - 2].lon.length];
      level = halve(above, planes, aboveShape[0], aboveShape[1]);
      const levelShape = [...plan.outerShape, levelShapes[k - 1].lat.length, levelShapes[k - 1].lon.length];
      const levelChunks = [
        ...chunks.slice(0, -2),
        Math.min(chunks.at(-2)!, levelShape.at(-2)!),
        Math.min(chunks.at(-1)!, levelShape.at(-1)!)
      ];
      await writeArray(
        writer,
        { ...base, path: `overviews/${k}/${name}`, shape: levelShape, chunks: levelChunks },
        level
      );
    }
    log(
      `${name}: ${shape.join('×')} ${variable.recipe.dtype}, ${stats.valid} valid values, range ` +
        `${stats.valid ? formatStored([stats.min, stats.max], variable.recipe.dtype).replace(', ', '..') : 'none'} (${((performance.now() - variableStarted) / 1000).toFixed(2)} s)`
    );
  }

  const rootAttrs = globalAttributes(
    plan,
    recipe,
    sources,
    steps,
    accuracy,
    created,
    levels,
    levelShapes,
    Boolean(timeseriesChunks)
  );
  await writer.groupAttrs('', rootAttrs);
  return {
    variables: recipe.variables.map(v => v.name),
    dims: Object.fromEntries(dims.map((dim, d) => [dim, shape[d]])),
    overviewLevels: levels,
    timeseries: Boolean(timeseriesChunks)
  };
}

async function writeArray(writer: ZarrWriter, spec: ArraySpec, data: FloatArray): Promise<void> {
  await writer.array(spec);
  await writer.writeAll(spec, data);
}

/** Decodes a whole variable into output order: (time, vertical, lat north-to-south, lon ascending). */
function readVariable(
  plan: CubePlan,
  variable: PlannedVariable,
  signal: AbortSignal | undefined
): { data: FloatArray; stats: DecodeStats } {
  const nLat = plan.lat.values.length;
  const nLon = plan.lon.values.length;
  const planeSize = nLat * nLon;
  const planes = product(plan.outerShape);
  const data =
    variable.recipe.dtype === 'float32' ? new Float32Array(planes * planeSize) : new Float64Array(planes * planeSize);
  const stats = emptyStats();
  const timeCount = plan.time ? plan.time.instants.length : 1;
  const verticalCount = plan.vertical ? plan.vertical.plan.values.length : 1;
  for (let t = 0; t < timeCount; t++) {
    const fileIndex = plan.time ? plan.time.file[t] : 0;
    const { variable: source, axes, decoding } = variable.sources[fileIndex];
    const file = plan.files[fileIndex];
    for (let z = 0; z < verticalCount; z++) {
      if (signal?.aborted) {
        throw new CubeGenAborted();
      }
      const start = source.dims.map(() => 0);
      const count = source.dims.map(dim => file.dims.get(dim)!);
      source.dims.forEach((dim, d) => {
        if (dim === axes.dims.time) {
          start[d] = plan.time!.index[t];
          count[d] = 1;
        } else if (dim === axes.dims.depth || dim === axes.dims.level) {
          start[d] = plan.vertical!.plan.sourceIndex[z];
          count[d] = 1;
        } else if (axes.squeezed.includes(dim)) {
          count[d] = 1;
        }
      });
      // Sources stored latitude-major are read in strips of rows, so a large plane is never held twice.
      const latDim = source.dims.indexOf(axes.dims.lat!);
      const sourceRows = count[latDim];
      const rowsPerStrip =
        latDim < source.dims.indexOf(axes.dims.lon!)
          ? Math.max(1, Math.floor(STRIP_VALUES / (planeSize / nLat)))
          : sourceRows;
      for (let first = 0; first < sourceRows; first += rowsPerStrip) {
        start[latDim] = first;
        count[latDim] = Math.min(rowsPerStrip, sourceRows - first);
        const raw = file.read(source.name, start, count);
        const stride = (dim: string): number => product(count.slice(source.dims.indexOf(dim) + 1));
        const latStride = stride(axes.dims.lat!);
        const lonStride = stride(axes.dims.lon!);
        // The output rows of this strip are contiguous: latitudes are only ever kept or flipped.
        const rows: number[] = [];
        plan.lat.sourceIndex.forEach((index, row) => {
          if (index >= first && index < first + count[latDim]) rows.push(row);
        });
        const rowBase = Int32Array.from(rows, row => (plan.lat.sourceIndex[row] - first) * latStride);
        const columnOffset = Int32Array.from(plan.lon.sourceIndex, index => index * lonStride);
        const offset = (t * verticalCount + z) * planeSize + rows[0] * nLon;
        decodePlane(raw, rowBase, columnOffset, data, offset, decoding, stats);
      }
    }
  }
  return { data, stats };
}

function noteAccuracy(
  name: string,
  variable: PlannedVariable,
  stats: DecodeStats,
  accuracy: CubePlan['accuracy'],
  steps: string[]
): void {
  const { decoding, variable: source } = variable.sources[0];
  const outType = variable.recipe.dtype;
  if (stats.fillMasked > 0) {
    accuracy.push({
      variable: name,
      note: `fill value${decoding.fills.length > 1 ? 's' : ''} ${formatStored(decoding.fills, source.dtype)} remapped to NaN in ${stats.fillMasked} cells (the cube's fill value is NaN)`
    });
  }
  if (stats.rangeMasked > 0) {
    accuracy.push({
      variable: name,
      note: `${stats.rangeMasked} values outside the valid range [${decoding.validMin}, ${decoding.validMax}] set to NaN`
    });
  }
  const changed = `largest change seen ${stats.maxAbsChange.toPrecision(3)} (relative ${stats.maxRelChange.toPrecision(3)})`;
  if (decoding.packed) {
    const [scale, offset] = formatStored([decoding.scale, decoding.offset], 'float32').split(', ');
    accuracy.push({
      variable: name,
      note: `packed ${source.dtype} unpacked (× ${scale} + ${offset}) to ${outType}; the packing's resolution ${scale.replace('-', '')} is the data's; ${outType} rounding: ${changed}`
    });
  } else if (source.dtype === 'float64' && outType === 'float32') {
    accuracy.push({ variable: name, note: `float64 → float32 (about 7 significant digits); ${changed}` });
  } else if (source.dtype !== outType && source.dtype !== 'float32') {
    accuracy.push({ variable: name, note: `${source.dtype} → ${outType}; ${changed}` });
  }
  if (stats.overflow > 0) {
    accuracy.push({ variable: name, note: `${stats.overflow} values beyond the float32 range became ±Infinity` });
  }
  if (source.dtype !== outType) {
    steps.push(`${name}: stored as ${outType} (source ${source.dtype})`);
  }
}

function variableAttributes(variable: PlannedVariable, stats: DecodeStats): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const [key, attribute] of variable.sources[0].variable.attrs) {
    if (!ENCODING_ATTRIBUTES.has(key)) {
      attrs[key] = typeof attribute.value === 'string' ? trimText(attribute.value) : attribute.value;
    }
  }
  Object.assign(attrs, variable.recipe.attrs);
  if (stats.valid > 0) {
    const dtype = variable.recipe.dtype;
    attrs.actual_range = [stats.min, stats.max].map(v => Number(formatStored([v], dtype)));
  }
  return attrs;
}

async function writeCoordinates(
  writer: ZarrWriter,
  group: string,
  plan: CubePlan,
  lat: Float64Array,
  lon: Float64Array
): Promise<void> {
  const prefix = group ? `${group}/` : '';
  const coordinate = async (
    name: string,
    values: Float64Array,
    attrs: Record<string, unknown>,
    codec: ChunkCodec = RAW_CODEC
  ): Promise<void> => {
    const spec: ArraySpec = {
      path: `${prefix}${name}`,
      shape: [values.length],
      chunks: [values.length],
      dtype: 'float64',
      dims: [name],
      attrs,
      codec,
      fillValue: null
    };
    await writeArray(writer, spec, values);
  };
  if (plan.time) {
    await coordinate('time', plan.time.instants, {
      standard_name: 'time',
      long_name: 'time',
      axis: 'T',
      units: OUTPUT_TIME_UNITS,
      calendar: OUTPUT_CALENDAR
    });
  }
  if (plan.vertical) {
    await coordinate(plan.vertical.name, plan.vertical.plan.values, plan.vertical.attrs);
  }
  await coordinate('lat', lat, { standard_name: 'latitude', long_name: 'latitude', units: 'degrees_north', axis: 'Y' });
  await coordinate('lon', lon, {
    standard_name: 'longitude',
    long_name: 'longitude',
    units: 'degrees_east',
    axis: 'X'
  });
}

function spacing(values: Float64Array): number {
  return values.length > 1 ? Math.abs(values[values.length - 1] - values[0]) / (values.length - 1) : 0;
}

function globalAttributes(
  plan: CubePlan,
  recipe: Recipe,
  sources: SourceRecord[],
  steps: string[],
  accuracy: CubePlan['accuracy'],
  created: string,
  levels: number,
  levelShapes: { lat: Float64Array; lon: Float64Array }[],
  timeseries: boolean
): Record<string, unknown> {
  const meta = recipe.metadata;
  const lat = plan.lat.values;
  const lon = plan.lon.values;
  const sourceHistory = plan.files.flatMap(file => {
    const line = attrString(file.attrs, 'history');
    return line ? [`${basename(file.path)}: ${line}`] : [];
  });
  const history = [...sourceHistory, ...steps.map(step => `${created} ${TOOL_NAME} ${TOOL_VERSION}: ${step}`)];
  const attrs: Record<string, unknown> = {
    Conventions: 'CF-1.8',
    title: meta.title
  };
  const optional: [string, string | undefined][] = [
    ['description', meta.description],
    ['license', meta.license],
    ['version', meta.version],
    ['doi', meta.doi],
    ['attribution', meta.attribution],
    ['references', meta.references]
  ];
  for (const [key, value] of optional) {
    if (value !== undefined) attrs[key] = value;
  }
  attrs.source = meta.source ?? sources.map(s => `${basename(s.path)} (${s.format})`).join(', ');
  attrs.history = history.join('\n');
  attrs.date_created = created;
  attrs.geospatial_lat_min = Math.min(lat[0], lat[lat.length - 1]);
  attrs.geospatial_lat_max = Math.max(lat[0], lat[lat.length - 1]);
  attrs.geospatial_lat_resolution = spacing(lat);
  attrs.geospatial_lat_units = 'degrees_north';
  attrs.geospatial_lon_min = lon[0];
  attrs.geospatial_lon_max = lon[lon.length - 1];
  attrs.geospatial_lon_resolution = spacing(lon);
  attrs.geospatial_lon_units = 'degrees_east';
  if (plan.time) {
    attrs.time_coverage_start = isoFromInstant(plan.time.instants[0]);
    attrs.time_coverage_end = isoFromInstant(plan.time.instants[plan.time.instants.length - 1]);
  }
  attrs.esdl_known_limitations = meta.knownLimitations;
  if (levels > 0) {
    attrs.esdl_overviews = levelShapes.map((shape, i) => ({
      level: i + 1,
      path: `overviews/${i + 1}`,
      factor: 2 ** (i + 1),
      shape: { lat: shape.lat.length, lon: shape.lon.length }
    }));
  }
  if (timeseries) {
    attrs.esdl_timeseries = 'timeseries';
  }
  attrs.esdl_provenance = {
    tool: TOOL_NAME,
    tool_version: TOOL_VERSION,
    created,
    recipe: recipe.raw,
    recipe_path: recipe.path ?? null,
    recipe_sha256: recipe.sha256 ?? null,
    sources: sources.map(({ path, bytes, sha256, format }) => ({ path, bytes, sha256, format })),
    steps,
    accuracy
  };
  return attrs;
}
