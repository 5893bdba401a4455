/**
 * What a dataset's details view shows, derived from the server's JSON (and, when the server has xcube's S3
 * API, the dataset's consolidated Zarr metadata): extent, dimensions, variables, licence and citation,
 * provenance and known limitations from cube-gen's attributes, and every attribute. DOM-free.
 */
import { BBox, IZarrConsolidated } from '@esdl-lab/core';
import { ICatalogEntry } from './entry';

export interface IVariableRow {
  name: string;
  longName: string;
  standardName: string;
  units: string;
  dtype: string;
  dims: string[];
  shape: number[];
  /** chunk shape from the Zarr metadata, null when unknown */
  chunks: number[] | null;
  compressor: string | null;
  validRange: string | null;
  colorMap: string | null;
  description: string | null;
}

export interface IProvenanceSource {
  path: string;
  format: string | null;
  bytes: number | null;
  sha256: string | null;
}

export interface IProvenance {
  tool: string | null;
  toolVersion: string | null;
  created: string | null;
  sources: IProvenanceSource[];
  steps: string[];
  accuracy: { variable: string | null; note: string }[];
  recipe: unknown;
}

export interface IDatasetDetails {
  title: string;
  description: string;
  bbox: BBox | null;
  spatialRef: string | null;
  time: { start: string; end: string; count: number; step: string | null } | null;
  dimensions: { name: string; size: number; dtype: string; first: string | null; last: string | null }[];
  variables: IVariableRow[];
  version: string | null;
  licence: string | null;
  doi: string | null;
  citation: string | null;
  attributions: string[];
  provenance: IProvenance | null;
  limitations: string[];
  /** every global attribute as [name, value as text], sorted by name */
  attributes: [string, string][];
}

function text(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed ? trimmed : null;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return null;
}

/** The first non-empty text among fields, looked up case-insensitively in each record in turn. */
function pick(records: Record<string, unknown>[], ...names: string[]): string | null {
  for (const record of records) {
    const keys = Object.keys(record);
    for (const name of names) {
      const key = keys.find(k => k.toLowerCase() === name.toLowerCase());
      const value = key !== undefined ? text(record[key]) : null;
      if (value) {
        return value;
      }
    }
  }
  return null;
}

/** An attribute that may be stored as JSON text (netCDF attributes) or as JSON (Zarr attributes). */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

function record(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function strings(value: unknown): string[] {
  const parsed = jsonValue(value);
  if (Array.isArray(parsed)) {
    return parsed
      .map(item => (typeof item === 'string' ? item.trim() : (text(record(item)?.note) ?? JSON.stringify(item))))
      .filter(Boolean);
  }
  const single = text(parsed);
  return single
    ? single
        .split(/\n+/)
        .map(line => line.trim())
        .filter(Boolean)
    : [];
}

/** Reads cube-gen's `esdl_provenance` (or a server's `provenance` field); null when there is none. */
export function readProvenance(value: unknown): IProvenance | null {
  const data = record(jsonValue(value));
  if (!data) {
    return null;
  }
  const sources = (Array.isArray(data.sources) ? data.sources : []).map((source): IProvenanceSource => {
    const item = record(source);
    if (!item) {
      return { path: String(source), format: null, bytes: null, sha256: null };
    }
    return {
      path: text(item.path) ?? text(item.url) ?? text(item.name) ?? '(unnamed)',
      format: text(item.format),
      bytes: typeof item.bytes === 'number' ? item.bytes : null,
      sha256: text(item.sha256) ?? text(item.checksum)
    };
  });
  const accuracy = (Array.isArray(data.accuracy) ? data.accuracy : []).map(item => {
    const note = record(item);
    return note
      ? { variable: text(note.variable), note: text(note.note) ?? JSON.stringify(note) }
      : { variable: null, note: String(item) };
  });
  return {
    tool: text(data.tool),
    toolVersion: text(data.tool_version) ?? text(data.toolVersion),
    created: text(data.created),
    sources,
    steps: strings(data.steps),
    accuracy,
    recipe: data.recipe ?? null
  };
}

/** An attribute value as text: strings as they are, anything else as JSON. */
export function attributeText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

function validRange(attrs: Record<string, unknown>): string | null {
  const range = attrs.valid_range;
  if (Array.isArray(range) && range.length === 2) {
    return `${range[0]} … ${range[1]}`;
  }
  const min = text(attrs.valid_min);
  const max = text(attrs.valid_max);
  if (min !== null || max !== null) {
    return `${min ?? '−∞'} … ${max ?? '∞'}`;
  }
  return null;
}

function coordinateText(value: unknown): string | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  }
  return text(value);
}

/** The details of an entry; `zarr` adds chunks and compressors when the server has xcube's S3 API. */
export function datasetDetails(entry: ICatalogEntry, zarr?: IZarrConsolidated | null): IDatasetDetails {
  const dataset = entry.dataset;
  const attrs = record(dataset.attrs) ?? {};
  const fields = dataset as unknown as Record<string, unknown>;
  const meta = zarr?.metadata ?? {};
  const variables = entry.variables.map((variable): IVariableRow => {
    const zarray = record(meta[`${variable.name}/.zarray`]);
    const compressor = record(zarray?.compressor);
    const codec = compressor
      ? [
          text(compressor.id),
          text(compressor.cname),
          compressor.clevel !== undefined ? `level ${compressor.clevel}` : null
        ]
          .filter(Boolean)
          .join(' ')
      : zarray
        ? 'none'
        : null;
    return {
      name: variable.name,
      longName: variable.longName ?? (variable.title !== variable.name ? variable.title : ''),
      standardName: variable.standardName ?? '',
      units: variable.units,
      dtype: variable.dtype,
      dims: variable.dims,
      shape: variable.shape,
      chunks: Array.isArray(zarray?.chunks) ? (zarray!.chunks as number[]) : variable.chunks,
      compressor: codec,
      validRange:
        validRange(variable.attrs) ??
        (variable.validRange ? `${variable.validRange[0]} … ${variable.validRange[1]}` : null),
      colorMap: variable.colorBarName
        ? `${variable.colorBarName}${
            variable.colorBarMin !== null && variable.colorBarMax !== null
              ? ` (${variable.colorBarMin} … ${variable.colorBarMax}${variable.colorBarNorm === 'log' ? ', log' : ''})`
              : ''
          }`
        : null,
      description: variable.description
    };
  });
  const dimensions = (Array.isArray(dataset.dimensions) ? dataset.dimensions : []).map(dim => {
    const coords = Array.isArray(dim.coordinates) ? dim.coordinates : [];
    return {
      name: String(dim.name),
      size: Number(dim.size),
      dtype: String(dim.dtype ?? ''),
      first: coords.length ? coordinateText(coords[0]) : null,
      last: coords.length ? coordinateText(coords[coords.length - 1]) : null
    };
  });
  const order = ['time', 'depth', 'level', 'lat', 'lon'];
  dimensions.sort((a, b) => {
    const ia = order.indexOf(a.name);
    const ib = order.indexOf(b.name);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.name.localeCompare(b.name);
  });
  const attributions = [
    ...(Array.isArray(dataset.attributions) ? dataset.attributions.map(text) : []),
    text(attrs.attribution)
  ].filter((value, index, all): value is string => !!value && all.indexOf(value) === index);
  const doi = pick([fields, attrs], 'doi');
  const limitations = [
    ...strings(fields.knownLimitations ?? fields.known_limitations),
    ...strings(attrs.esdl_known_limitations)
  ].filter((value, index, all) => all.indexOf(value) === index);
  return {
    title: entry.title,
    description: entry.description,
    bbox: entry.bbox,
    spatialRef: text(dataset.spatialRef),
    time:
      entry.timeStart && entry.timeEnd
        ? { start: entry.timeStart, end: entry.timeEnd, count: entry.timeCount, step: entry.timeStep }
        : null,
    dimensions,
    variables,
    version: pick([fields, attrs], 'version', 'product_version'),
    licence: pick([fields, attrs], 'licence', 'license'),
    doi: doi ? doi.replace(/^https?:\/\/(dx\.)?doi\.org\//i, '').replace(/^doi:/i, '') : null,
    citation: pick([fields, attrs], 'citation', 'references'),
    attributions,
    provenance: readProvenance(fields.provenance ?? attrs.esdl_provenance),
    limitations,
    attributes: Object.keys(attrs)
      .sort()
      .map(key => [key, attributeText(attrs[key])])
  };
}

/** A link target for text that is a web address, or null: nothing else may become an href. */
export function safeHref(value: string | null): string | null {
  if (!value) {
    return null;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Bytes in words, e.g. "2.3 MB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) {
    return '';
  }
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}
