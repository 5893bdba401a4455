/**
 * A catalogue entry: one dataset of one cube server, normalised from xcube's JSON into what the list, the
 * search and the details need, with its search text computed once.
 */
import { BBox, IXcubeDataset, IXcubeVariable } from '@esdl-lab/core';

export interface ICatalogVariable {
  name: string;
  /** xcube's `title` (the `title` or `long_name` attribute) */
  title: string;
  longName: string | null;
  standardName: string | null;
  units: string;
  dtype: string;
  dims: string[];
  shape: number[];
  description: string | null;
  colorBarName: string | null;
  colorBarMin: number | null;
  colorBarMax: number | null;
  colorBarNorm: string | null;
  /** the chunk shape, when the server says it (ours does; xcube does not) */
  chunks: number[] | null;
  /** `[min, max]` when the server gives it */
  validRange: [number, number] | null;
  attrs: Record<string, unknown>;
}

export interface ICatalogEntry {
  /** `<server>/<dataset id>`: unique across servers */
  key: string;
  server: string;
  serverTitle: string;
  id: string;
  title: string;
  /** Markdown, possibly empty */
  description: string;
  groupTitle: string | null;
  tags: string[];
  variables: ICatalogVariable[];
  bbox: BBox | null;
  /** first and last time label (ISO 8601), null without a time dimension */
  timeStart: string | null;
  timeEnd: string | null;
  /** the same as milliseconds since 1970 (NaN without time), for filters and sorting */
  timeStartMs: number;
  timeEndMs: number;
  timeCount: number;
  /** the typical step between time labels in words ("1 day", "1 month"), null when unknown */
  timeStep: string | null;
  /** the dataset as the server sent it */
  dataset: IXcubeDataset;
  /** lower-case text that search matches against */
  haystack: string;
  /** lower-case title, the key of sorting by title */
  sortTitle: string;
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

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function toVariable(variable: IXcubeVariable): ICatalogVariable {
  const attrs = variable.attrs && typeof variable.attrs === 'object' ? variable.attrs : {};
  return {
    name: String(variable.name),
    title: text(variable.title) ?? String(variable.name),
    longName: text(attrs.long_name),
    standardName: text(attrs.standard_name) ?? text(variable.standardName),
    units: text(variable.units) ?? text(attrs.units) ?? '',
    dtype: text(variable.dtype) ?? '',
    dims: Array.isArray(variable.dims) ? variable.dims.map(String) : [],
    shape: Array.isArray(variable.shape) ? variable.shape.map(Number) : [],
    description: text(variable.description) ?? text(attrs.description) ?? text(attrs.comment),
    colorBarName: text(variable.colorBarName),
    colorBarMin: numberOrNull(variable.colorBarMin),
    colorBarMax: numberOrNull(variable.colorBarMax),
    colorBarNorm: text(variable.colorBarNorm),
    chunks: Array.isArray(variable.chunks) && variable.chunks.every(n => Number.isInteger(n)) ? variable.chunks : null,
    validRange:
      Array.isArray(variable.validRange) && variable.validRange.length === 2
        ? (variable.validRange as [number, number])
        : null,
    attrs
  };
}

function toBBox(value: unknown): BBox | null {
  if (Array.isArray(value) && value.length === 4 && value.every(v => typeof v === 'number' && Number.isFinite(v))) {
    return value as BBox;
  }
  return null;
}

const DAY = 86_400_000;

/** The typical step of a time axis in words, from the median gap between its labels. */
export function describeStep(times: number[]): string | null {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const gap = times[i] - times[i - 1];
    if (Number.isFinite(gap) && gap > 0) {
      gaps.push(gap);
    }
  }
  if (!gaps.length) {
    return null;
  }
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)];
  const units: [number, string, number][] = [
    [365.2425 * DAY, 'year', 20 * DAY],
    [30.436875 * DAY, 'month', 3.5 * DAY],
    [7 * DAY, 'week', 0.5 * DAY],
    [DAY, 'day', 0.1 * DAY],
    [3_600_000, 'hour', 300_000],
    [60_000, 'minute', 5_000],
    [1_000, 'second', 100]
  ];
  for (const [size, name, tolerance] of units) {
    const count = Math.round(median / size);
    if (count >= 1 && Math.abs(median - count * size) <= tolerance * count) {
      const step = `${count} ${name}${count === 1 ? '' : 's'}`;
      // months and years vary by days; anything that varies more is an irregular axis
      const slack = Math.max(tolerance * count, median * 0.1);
      const regular = gaps.every(gap => Math.abs(gap - median) <= slack);
      return regular ? step : `irregular, ~${step}`;
    }
  }
  return `${(median / DAY).toFixed(2)} days`;
}

/** Milliseconds of an ISO 8601 label, also for years before 1000 (climatologies in year 0 or 1). */
export function parseTime(label: unknown): number {
  if (typeof label !== 'string') {
    return NaN;
  }
  const iso = /^\d{4}-\d{2}-\d{2}T[^Z+]*$/.test(label) ? `${label}Z` : label;
  return Date.parse(iso);
}

/** Builds the entry of one dataset of one server. */
export function toEntry(server: string, serverTitle: string, dataset: IXcubeDataset): ICatalogEntry {
  const attrs = dataset.attrs && typeof dataset.attrs === 'object' ? dataset.attrs : {};
  const variables = (Array.isArray(dataset.variables) ? dataset.variables : []).map(toVariable);
  const time = (Array.isArray(dataset.dimensions) ? dataset.dimensions : []).find(dim => dim?.name === 'time');
  const labels = Array.isArray(time?.coordinates) ? time.coordinates.filter(c => typeof c === 'string') : [];
  const times = labels.map(parseTime);
  const title = text(dataset.title) ?? text(attrs.title) ?? String(dataset.id);
  const description =
    text(dataset.description) ?? text(attrs.description) ?? text(attrs.summary) ?? text(attrs.comment) ?? '';
  const tags = Array.isArray(dataset.tags) ? dataset.tags.map(text).filter((t): t is string => !!t) : [];
  const groupTitle = text(dataset.groupTitle);
  const haystack = [
    title,
    dataset.id,
    description,
    groupTitle ?? '',
    tags.join(' '),
    serverTitle,
    ...variables.flatMap(v => [v.name, v.title, v.longName ?? '', v.standardName ?? '', v.units])
  ]
    .join('\n')
    .toLowerCase();
  return {
    key: `${server}/${dataset.id}`,
    server,
    serverTitle,
    id: String(dataset.id),
    title,
    description,
    groupTitle,
    tags,
    variables,
    bbox: toBBox(dataset.bbox),
    timeStart: labels.length ? labels[0] : null,
    timeEnd: labels.length ? labels[labels.length - 1] : null,
    timeStartMs: times.length ? times[0] : NaN,
    timeEndMs: times.length ? times[times.length - 1] : NaN,
    timeCount: labels.length,
    timeStep: describeStep(times),
    dataset,
    haystack,
    sortTitle: title.toLowerCase()
  };
}
