/**
 * `/datasets`, `/datasets/{id}`, `/datasets/{id}/coords/{dim}` and the places endpoints, in xcube 1.7's
 * shapes. Ours add fields: description, groupTitle, tags, licence, doi, version, knownLimitations, provenance
 * (the cube's `esdl_provenance`), and per variable its chunks and validRange.
 */
import type { ServerResponse } from 'node:http';
import { Context } from '../context';
import { Cube, Level } from '../cube';
import { DatasetConfig } from '../config';
import { ApiError, notFound } from '../errors';
import { Request, sendJson } from '../http';
import { defaultColor, styleMapping, validRangeOf } from '../selection';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value : undefined;
}

/** [west, south, east, north] of the cube's cells, longitudes as stored (e.g. -180..180). */
export function cubeBbox(cube: Cube): [number, number, number, number] {
  const { lat, lon } = cube.levels[0].grid;
  const lons = [lon.edges[0], lon.edges[lon.edges.length - 1]];
  const lats = [lat.edges[0], lat.edges[lat.edges.length - 1]];
  let west = Math.min(...lons);
  let east = Math.max(...lons);
  if (lon.global) {
    west = -180;
    east = 180;
  } else if (west >= 180) {
    west -= 360;
    east -= 360;
  }
  const round = (v: number) => Math.round(v * 1e9) / 1e9;
  return [round(west), round(Math.max(-90, Math.min(...lats))), round(east), round(Math.min(90, Math.max(...lats)))];
}

/** The bounding box as a GeoJSON polygon with 5 segments a side, as xcube draws it. */
function bboxGeometry([w, s, e, n]: [number, number, number, number]): unknown {
  const ring: [number, number][] = [];
  const steps = 5;
  for (let i = 0; i < steps; i++) {
    ring.push([w, s + ((n - s) * i) / steps]);
  }
  for (let i = 0; i < steps; i++) {
    ring.push([w + ((e - w) * i) / steps, n]);
  }
  for (let i = 0; i < steps; i++) {
    ring.push([e, n - ((n - s) * i) / steps]);
  }
  for (let i = 0; i < steps; i++) {
    ring.push([e - ((e - w) * i) / steps, s]);
  }
  ring.push([w, s]);
  return { type: 'Polygon', coordinates: [ring] };
}

/** The highest tile level worth asking for: where a Web Mercator pixel reaches the cube's cell size. */
export function tileLevelMax(cube: Cube): number {
  const lon = cube.levels[0].grid.lon;
  const step = Math.abs(lon.edges[lon.edges.length - 1] - lon.edges[0]) / lon.centres.length;
  return Math.max(0, Math.ceil(Math.log2(360 / 256 / step)));
}

function timeChunkSize(cube: Cube, name: string): number | null {
  const info = cube.array(name)!;
  const index = info.dims.findIndex(dim => cube.dimensions.get(dim)?.isTime);
  return index >= 0 ? info.meta.chunks[index] : null;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A small HTML summary of a variable, where xcube sends xarray's HTML representation. */
function htmlRepr(name: string, rows: [string, unknown][]): string {
  const cells = rows.map(
    ([key, value]) =>
      `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`
  );
  return `<table><caption>${escapeHtml(name)}</caption>${cells.join('')}</table>`;
}

function variableJson(
  ctx: Context,
  req: Request,
  dataset: DatasetConfig,
  cube: Cube,
  name: string
): Record<string, unknown> {
  const info = cube.array(name)!;
  const attrs = { ...info.attrs };
  delete attrs._ARRAY_DIMENSIONS;
  const color = defaultColor(info, styleMapping(ctx.registry.config, dataset, name));
  const packed = info.decoding.packed;
  const validRange = validRangeOf(info.attrs);
  const description = text(attrs.description) ?? text(attrs.comment);
  return {
    id: `${dataset.identifier}.${name}`,
    name,
    dims: info.dims,
    shape: info.meta.shape,
    dtype: packed ? 'float32' : info.dtype.numpyName,
    units: typeof attrs.units === 'string' ? attrs.units : '',
    title: text(attrs.title) ?? text(attrs.long_name) ?? name,
    ...(description ? { description } : {}),
    timeChunkSize: timeChunkSize(cube, name),
    tileUrl: `${req.baseUrl}/tiles/${encodeURIComponent(dataset.identifier)}/${encodeURIComponent(name)}/{z}/{y}/{x}`,
    tileLevelMin: 0,
    tileLevelMax: tileLevelMax(cube),
    colorBarName: color.name,
    colorBarNorm: color.norm,
    colorBarMin: color.vmin,
    colorBarMax: color.vmax,
    htmlRepr: htmlRepr(name, [
      ['dims', info.dims.join(', ')],
      ['shape', info.meta.shape.join(' × ')],
      ['dtype', info.dtype.numpyName],
      ['chunks', info.meta.chunks.join(' × ')],
      ['compressor', info.meta.compressor],
      ...Object.entries(attrs)
    ]),
    attrs,
    chunks: info.meta.chunks,
    validRange,
    ...(typeof attrs.standard_name === 'string' ? { standardName: attrs.standard_name } : {})
  };
}

function dimensionJson(cube: Cube, dim: string): Record<string, unknown> {
  const d = cube.dimensions.get(dim)!;
  return { name: d.name, size: d.size, dtype: d.dtype, coordinates: d.labels };
}

function summaryJson(dataset: DatasetConfig, cube: Cube | null): Record<string, unknown> {
  const attrs = cube?.attrs ?? {};
  const description = dataset.description ?? text(attrs.description);
  return {
    id: dataset.identifier,
    title: dataset.title ?? text(attrs.title) ?? dataset.identifier,
    ...(description ? { description } : {}),
    ...(dataset.groupTitle ? { groupTitle: dataset.groupTitle } : {}),
    ...(dataset.groupId ? { groupId: dataset.groupId } : {}),
    ...(dataset.tags.length ? { tags: dataset.tags } : {}),
    ...(dataset.sortValue !== undefined ? { sortValue: dataset.sortValue } : {})
  };
}

/** The details of a dataset, as `/datasets/{id}` and `/datasets?details=1` answer them. */
export function datasetJson(ctx: Context, req: Request, dataset: DatasetConfig, cube: Cube): Record<string, unknown> {
  const attrs = cube.attrs;
  const names = ctx.registry.variables(dataset.identifier, cube);
  const dims: string[] = [];
  for (const name of names) {
    for (const dim of cube.array(name)!.dims) {
      if (!dims.includes(dim)) {
        dims.push(dim);
      }
    }
  }
  if (!dims.length) {
    dims.push(cube.latDim, cube.lonDim);
  }
  const bbox = cubeBbox(cube);
  const attribution = dataset.attribution.length
    ? dataset.attribution
    : text(attrs.attribution)
      ? [attrs.attribution as string]
      : [];
  const licence = dataset.licence ?? text(attrs.license) ?? text(attrs.licence);
  const doi = dataset.doi ?? text(attrs.doi);
  const version = dataset.version ?? text(attrs.version) ?? text(attrs.product_version);
  const limitations = [
    ...dataset.knownLimitations,
    ...(Array.isArray(attrs.esdl_known_limitations)
      ? attrs.esdl_known_limitations.filter(v => typeof v === 'string')
      : [])
  ];
  const timeDim = [...cube.dimensions.values()].find(d => d.isTime && dims.includes(d.name));
  return {
    ...summaryJson(dataset, cube),
    bbox,
    geometry: bboxGeometry(bbox),
    spatialRef: 'EPSG:4326',
    variables: names.map(name => variableJson(ctx, req, dataset, cube, name)),
    dimensions: dims.map(dim => dimensionJson(cube, dim)),
    attrs,
    attributions: attribution,
    ...(licence ? { licence } : {}),
    ...(doi ? { doi } : {}),
    ...(version ? { version } : {}),
    knownLimitations: limitations,
    provenance: attrs.esdl_provenance ?? null,
    placeGroups: [],
    ...(timeDim ? { timeChunkSize: Math.min(...names.map(n => timeChunkSize(cube, n) ?? Infinity)) } : {}),
    levels: cube.levels.map((level: Level) => ({
      factor: level.factor,
      shape: [level.grid.lat.centres.length, level.grid.lon.centres.length]
    }))
  };
}

function placeGroupNotFound(id: string): ApiError {
  return notFound(`Place group '${id}' not found`, 'placeGroupId');
}

/** Routes under `/datasets` and `/places`; returns false when the path is not theirs. */
export async function datasetRoutes(ctx: Context, req: Request, res: ServerResponse): Promise<boolean> {
  const [root, id, sub, name] = req.segments;
  const n = req.segments.length;
  if (root === 'places') {
    if (n === 1) {
      sendJson(req, res, 200, { placeGroups: [] });
      return true;
    }
    throw placeGroupNotFound(id);
  }
  if (root !== 'datasets') {
    return false;
  }
  if (n === 1) {
    const details = ['1', 'true'].includes(req.query.get('details') ?? '');
    const datasets = await Promise.all(
      ctx.registry.listed().map(async dataset => {
        let cube: Cube | null = null;
        try {
          cube = await ctx.registry.cube(dataset.identifier);
        } catch (error) {
          // one broken store must not hide the others: it is listed with its error
          if (!details) {
            return summaryJson(dataset, null);
          }
          return { ...summaryJson(dataset, null), variables: [], error: (error as Error).message };
        }
        return details ? datasetJson(ctx, req, dataset, cube) : summaryJson(dataset, cube);
      })
    );
    sendJson(req, res, 200, { datasets });
    return true;
  }
  const dataset = ctx.registry.dataset(id);
  if (n === 2) {
    const cube = await ctx.registry.cube(id);
    sendJson(req, res, 200, datasetJson(ctx, req, dataset, cube));
    return true;
  }
  if (sub === 'coords' && n === 4) {
    const cube = await ctx.registry.cube(id);
    if (!cube.dimensions.has(name)) {
      throw notFound(`Dimension '${name}' not found in dataset '${id}'`, 'dimName');
    }
    sendJson(req, res, 200, dimensionJson(cube, name));
    return true;
  }
  if (sub === 'places' && n === 4) {
    throw placeGroupNotFound(name);
  }
  return false;
}
