/**
 * `POST /timeseries/{id}/{var}` and `POST|GET /statistics/{id}/{var}` with a GeoJSON point or polygon, as
 * xcube 1.7 answers them. A point takes the cell that holds it; a polygon takes the cells whose centres lie
 * inside it. Time series read the cube's time-series copy (`esdl_timeseries`, chunked along time) when it has
 * one, so a point over all time steps reads one chunk.
 */
import type { ServerResponse } from 'node:http';
import { Context } from '../context';
import { ArrayInfo, Cube, cellIndex } from '../cube';
import { ApiError, badRequest } from '../errors';
import { Request, readJsonBody, sendJson } from '../http';
import { labelIndex, parseTimeLabel } from '../selection';

type Position = [number, number];
type Ring = Position[];

/** A geometry we can aggregate over: a point, or polygons (each an outer ring and holes). */
type Shape = { kind: 'point'; lon: number; lat: number } | { kind: 'polygons'; polygons: Ring[][] };

const AGG_METHODS = ['mean', 'median', 'std', 'min', 'max', 'count'] as const;
type AggMethod = (typeof AGG_METHODS)[number];

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function position(value: unknown, where: string): Position {
  if (
    !Array.isArray(value) ||
    value.length < 2 ||
    !value.slice(0, 2).every(v => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw badRequest('body', `${where} is not a [longitude, latitude] position`);
  }
  if (value[1] < -90 || value[1] > 90) {
    throw badRequest('body', `${where} has latitude ${value[1]} outside -90..90`);
  }
  return [value[0], value[1]];
}

function ring(value: unknown, where: string): Ring {
  if (!Array.isArray(value) || value.length < 4) {
    throw badRequest('body', `${where} is not a linear ring of at least 4 positions`);
  }
  if (value.length > 100_000) {
    throw badRequest('body', `${where} has more than 100000 positions`);
  }
  return value.map((p, i) => position(p, `${where}[${i}]`));
}

function polygon(value: unknown, where: string): Ring[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest('body', `${where} is not a list of linear rings`);
  }
  return value.map((r, i) => ring(r, `${where}[${i}]`));
}

/** One GeoJSON geometry as a shape; 400 naming what is wrong. */
function shapeOf(geometry: unknown, where = 'geometry'): Shape {
  if (!isRecord(geometry)) {
    throw badRequest('body', `${where} is not a GeoJSON object`);
  }
  switch (geometry.type) {
    case 'Point': {
      const [lon, lat] = position(geometry.coordinates, `${where}.coordinates`);
      return { kind: 'point', lon, lat };
    }
    case 'Polygon':
      return { kind: 'polygons', polygons: [polygon(geometry.coordinates, `${where}.coordinates`)] };
    case 'MultiPolygon':
      if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) {
        throw badRequest('body', `${where}.coordinates is not a list of polygons`);
      }
      return {
        kind: 'polygons',
        polygons: geometry.coordinates.map((p: unknown, i: number) => polygon(p, `${where}.coordinates[${i}]`))
      };
    default:
      throw badRequest(
        'body',
        `${where} has type ${JSON.stringify(geometry.type)}; Point, Polygon or MultiPolygon expected`
      );
  }
}

/** The shapes of a GeoJSON body (geometry, feature, or collections of them) and whether it was a collection. */
export function shapesOf(body: unknown): { shapes: Shape[]; collection: boolean } {
  if (!isRecord(body)) {
    throw badRequest('body', 'a GeoJSON object is expected');
  }
  if (body.type === 'Feature') {
    return { shapes: [shapeOf(body.geometry, 'feature.geometry')], collection: false };
  }
  if (body.type === 'FeatureCollection') {
    const features = Array.isArray(body.features) ? body.features : [];
    return {
      shapes: features.map((f: unknown, i: number) =>
        shapeOf(isRecord(f) ? f.geometry : null, `features[${i}].geometry`)
      ),
      collection: true
    };
  }
  if (body.type === 'GeometryCollection') {
    const geometries = Array.isArray(body.geometries) ? body.geometries : [];
    return { shapes: geometries.map((g: unknown, i: number) => shapeOf(g, `geometries[${i}]`)), collection: true };
  }
  return { shapes: [shapeOf(body)], collection: false };
}

function insideRing(r: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i];
    const [xj, yj] = r[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
      inside = !inside;
    }
  }
  return inside;
}

/** The most cells a polygon may cover: beyond it, a request would hold the server for seconds. */
export const MAX_POLYGON_CELLS = 1_000_000;

/** Cells [row, col] of level 0 whose centres lie inside the polygons; 400 beyond MAX_POLYGON_CELLS. */
export function polygonCells(cube: Cube, polygons: Ring[][]): [number, number][] {
  const { lat, lon } = cube.levels[0].grid;
  const cells: [number, number][] = [];
  for (const rings of polygons) {
    let west = Infinity;
    let east = -Infinity;
    let south = Infinity;
    let north = -Infinity;
    for (const [x, y] of rings[0]) {
      west = Math.min(west, x);
      east = Math.max(east, x);
      south = Math.min(south, y);
      north = Math.max(north, y);
    }
    // each cell centre is tried at its longitude and ±360, so a polygon in -180..180 finds cells of 0..360 axes
    const cols: [number, number][] = [];
    for (let c = 0; c < lon.centres.length; c++) {
      for (const shift of [0, -360, 360]) {
        const x = lon.centres[c] + shift;
        if (x >= west && x <= east) {
          cols.push([c, x]);
          break;
        }
      }
    }
    let candidateRows = 0;
    for (let r = 0; r < lat.centres.length; r++) {
      candidateRows += lat.centres[r] >= south && lat.centres[r] <= north ? 1 : 0;
    }
    const vertices = rings.reduce((n, ring) => n + ring.length, 0);
    if (candidateRows * cols.length * vertices > 2e8) {
      throw badRequest(
        'body',
        `the polygon is too large or too detailed for dataset '${cube.id}' (${candidateRows * cols.length} cells in its box, ${vertices} vertices)`
      );
    }
    for (let r = 0; r < lat.centres.length; r++) {
      const y = lat.centres[r];
      if (y < south || y > north) {
        continue;
      }
      for (const [c, x] of cols) {
        if (insideRing(rings[0], x, y) && !rings.slice(1).some(hole => insideRing(hole, x, y))) {
          cells.push([r, c]);
          if (cells.length > MAX_POLYGON_CELLS) {
            throw badRequest(
              'body',
              `the polygon covers more than ${MAX_POLYGON_CELLS} cells of dataset '${cube.id}'; use a smaller one`
            );
          }
        }
      }
    }
  }
  return cells;
}

/**
 * Values of cells at the given indices of one outer dimension (`axis`, e.g. time), the other outer
 * dimensions fixed: out[k * cells.length + c]. Cells are grouped by the chunk that holds them, so each chunk
 * is read once per step (once in all for a time-series copy chunked along time).
 */
export async function gatherSeries(
  cube: Cube,
  info: ArrayInfo,
  fixed: number[],
  axis: number,
  steps: number[],
  cells: [number, number][]
): Promise<Float64Array> {
  const rank = info.dims.length;
  const chunks = info.meta.chunks;
  const chunkH = chunks[rank - 2];
  const chunkW = chunks[rank - 1];
  const spatial = chunkH * chunkW;
  const groups = new Map<string, { row: number; col: number; cells: number[]; offsets: number[] }>();
  cells.forEach(([r, c], i) => {
    const row = Math.floor(r / chunkH);
    const col = Math.floor(c / chunkW);
    const key = `${row}.${col}`;
    let group = groups.get(key);
    if (!group) {
      group = { row, col, cells: [], offsets: [] };
      groups.set(key, group);
    }
    group.cells.push(i);
    group.offsets.push((r % chunkH) * chunkW + (c % chunkW));
  });
  const out = new Float64Array(steps.length * cells.length);
  const index = fixed.slice();
  for (let k = 0; k < steps.length; k++) {
    if (axis >= 0) {
      index[axis] = steps[k];
    }
    // the chunk of the outer indices and the offset of their slab inside it
    const outerChunk = index.map((v, d) => Math.floor(v / chunks[d]));
    let outerOffset = 0;
    for (let d = 0; d < rank - 2; d++) {
      outerOffset = outerOffset * chunks[d] + (index[d] % chunks[d]);
    }
    outerOffset *= spatial;
    const base = k * cells.length;
    await Promise.all(
      [...groups.values()].map(async group => {
        const values = await cube.chunk(info, [...outerChunk, group.row, group.col]);
        for (let j = 0; j < group.cells.length; j++) {
          out[base + group.cells[j]] = values[outerOffset + group.offsets[j]];
        }
      })
    );
  }
  return out;
}

function aggregate(
  values: Float64Array,
  from: number,
  count: number,
  methods: AggMethod[]
): Record<string, number | null> {
  const valid: number[] = [];
  for (let i = from; i < from + count; i++) {
    if (values[i] === values[i]) {
      valid.push(values[i]);
    }
  }
  const out: Record<string, number | null> = {};
  const n = valid.length;
  const mean = n ? valid.reduce((a, b) => a + b, 0) / n : NaN;
  for (const method of methods) {
    if (method === 'count') {
      out.count = n;
    } else if (!n) {
      out[method] = null;
    } else if (method === 'mean') {
      out.mean = mean;
    } else if (method === 'std') {
      out.std = Math.sqrt(valid.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    } else if (method === 'min') {
      out.min = Math.min(...valid);
    } else if (method === 'max') {
      out.max = Math.max(...valid);
    } else {
      const sorted = valid.slice().sort((a, b) => a - b);
      out.median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
  }
  return out;
}

function parseAggMethods(query: URLSearchParams): AggMethod[] {
  const text = query.get('aggMethods') ?? query.get('aggMethod') ?? 'mean';
  const methods = text
    .split(',')
    .map(m => m.trim())
    .filter(Boolean);
  for (const method of methods) {
    if (!(AGG_METHODS as readonly string[]).includes(method)) {
      throw badRequest('aggMethods', `'${method}' is not one of ${AGG_METHODS.join(', ')}`);
    }
  }
  return methods.length ? (methods as AggMethod[]) : ['mean'];
}

function dateParam(query: URLSearchParams, name: string): number | null {
  const text = query.get(name);
  if (text === null || text === '') {
    return null;
  }
  const ms = parseTimeLabel(text);
  if (ms === null) {
    throw badRequest(name, `'${text}' is not a date or date-time (ISO 8601)`);
  }
  return ms;
}

/** The cell of a point at level 0, or null when it is outside the grid. */
function pointCell(cube: Cube, lon: number, lat: number): [number, number] | null {
  const { lat: latAxis, lon: lonAxis } = cube.levels[0].grid;
  const r = cellIndex(latAxis, lat);
  const c = cellIndex(lonAxis, lon);
  return r < 0 || c < 0 ? null : [r, c];
}

async function timeSeries(
  ctx: Context,
  req: Request,
  res: ServerResponse,
  id: string,
  variable: string
): Promise<void> {
  if (req.method !== 'POST') {
    throw new ApiError(405, 'Time series are requested with POST and a GeoJSON body');
  }
  const body = await readJsonBody(req);
  const { cube } = await ctx.registry.variable(id, variable);
  const methods = parseAggMethods(req.query);
  const start = dateParam(req.query, 'startDate');
  const end = dateParam(req.query, 'endDate');
  const maxValidsText = req.query.get('maxValids');
  const maxValids = maxValidsText === null || maxValidsText === '' ? null : Number(maxValidsText);
  if (maxValids !== null && !(Number.isInteger(maxValids) && (maxValids === -1 || maxValids > 0))) {
    throw badRequest('maxValids', `'${maxValidsText}' is not -1 or a positive integer`);
  }
  const { shapes, collection } = shapesOf(body);
  const root = cube.array(variable)!;
  const info = (cube.timeseriesPrefix && cube.array(cube.timeseriesPrefix + variable)) || root;
  const outerDims = root.dims.slice(0, -2);
  const axis = outerDims.findIndex(dim => cube.dimensions.get(dim)?.isTime);
  if (axis < 0) {
    throw badRequest('varName', `variable '${variable}' has no time dimension`);
  }
  const time = cube.dimensions.get(outerDims[axis])!;
  const fixed = outerDims.map(dim => labelIndex(cube.dimensions.get(dim)!, req.query.get(dim)));
  const steps: number[] = [];
  time.values.forEach((ms, i) => {
    if ((start === null || ms >= start) && (end === null || ms <= end)) {
      steps.push(i);
    }
  });
  const results = [];
  for (const shape of shapes) {
    let cells: [number, number][];
    let keys: AggMethod[];
    if (shape.kind === 'point') {
      const cell = pointCell(cube, shape.lon, shape.lat);
      cells = cell ? [cell] : [];
      const key = methods.includes('mean')
        ? 'mean'
        : methods.includes('median')
          ? 'median'
          : methods.includes('min') || methods.includes('max')
            ? 'min'
            : null;
      if (!key) {
        throw badRequest('aggMethods', 'for a point, the methods must include one of mean, median, min, max');
      }
      keys = [key];
    } else {
      cells = polygonCells(cube, shape.polygons);
      keys = methods;
    }
    if (!cells.length) {
      results.push([]);
      continue;
    }
    const values = await gatherSeries(cube, info, fixed, axis, steps, cells);
    let series = steps.map((step, k) => {
      const entry: Record<string, number | string | null> = aggregate(values, k * cells.length, cells.length, keys);
      if (keys.includes('count')) {
        entry.count_tot = cells.length;
      }
      entry.time = time.labels[step] as string;
      return entry;
    });
    if (maxValids !== null) {
      const valid = series.filter(e => keys.some(key => key !== 'count' && e[key] !== null) && e.count !== 0);
      series = maxValids > 0 ? valid.slice(-maxValids) : valid;
    }
    results.push(series);
  }
  sendJson(req, res, 200, { result: collection ? results : results[0] });
}

async function statistics(
  ctx: Context,
  req: Request,
  res: ServerResponse,
  id: string,
  variable: string
): Promise<void> {
  const { cube } = await ctx.registry.variable(id, variable);
  let body: unknown;
  if (req.method === 'POST') {
    body = await readJsonBody(req);
  } else {
    const lon = Number(req.query.get('lon'));
    const lat = Number(req.query.get('lat'));
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
      throw badRequest('lon', 'GET /statistics needs lon and lat (or POST a GeoJSON geometry)');
    }
    body = { type: 'Point', coordinates: [lon, lat] };
  }
  const { shapes, collection } = shapesOf(body);
  if (collection) {
    throw badRequest('body', 'statistics take one geometry or feature, not a collection');
  }
  const shape = shapes[0];
  const info = cube.array(variable)!;
  const outer = info.dims.slice(0, -2).map(dim => labelIndex(cube.dimensions.get(dim)!, req.query.get(dim)));
  if (shape.kind === 'point') {
    const cell = pointCell(cube, shape.lon, shape.lat);
    const value = cell ? (await gatherSeries(cube, info, outer, -1, [0], [cell]))[0] : NaN;
    sendJson(req, res, 200, { result: { value: value === value ? value : null } });
    return;
  }
  const cells = polygonCells(cube, shape.polygons);
  const values = cells.length ? await gatherSeries(cube, info, outer, -1, [0], cells) : new Float64Array(0);
  const valid = Array.from(values).filter(v => v === v);
  if (!valid.length) {
    sendJson(req, res, 200, { result: { count: 0 } });
    return;
  }
  const n = valid.length;
  let minimum = Infinity;
  let maximum = -Infinity;
  let sum = 0;
  for (const v of valid) {
    minimum = Math.min(minimum, v);
    maximum = Math.max(maximum, v);
    sum += v;
  }
  const mean = sum / n;
  const deviation = Math.sqrt(valid.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  // 100 bins from the minimum to the maximum, as a density (numpy's histogram with density=True)
  const bins = 100;
  const width = (maximum - minimum) / bins || 1;
  const counts = new Array(bins).fill(0);
  for (const v of valid) {
    counts[Math.min(bins - 1, Math.floor((v - minimum) / width))]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? maximum : minimum + i * width));
  sendJson(req, res, 200, {
    result: {
      count: n,
      minimum,
      maximum,
      mean,
      deviation,
      histogram: { values: counts.map(c => c / n / width), edges }
    }
  });
}

/** Routes under `/timeseries` and `/statistics`; returns false when the path is not theirs. */
export async function timeseriesRoutes(ctx: Context, req: Request, res: ServerResponse): Promise<boolean> {
  const s = req.segments;
  if (s.length !== 3) {
    return false;
  }
  if (s[0] === 'timeseries') {
    await timeSeries(ctx, req, res, s[1], s[2]);
    return true;
  }
  if (s[0] === 'statistics') {
    await statistics(ctx, req, res, s[1], s[2]);
    return true;
  }
  return false;
}
