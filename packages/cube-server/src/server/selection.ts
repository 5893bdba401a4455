/**
 * Choosing what to draw or read from request parameters: indices of non-spatial dimensions by label
 * (nearest, as xcube's `sel(method="nearest")`; `first`, `last`/`current`; a WMTS range `a/b` takes `a`), and
 * the colour mapping (request, then the dataset's Style, then the variable's xcube attributes).
 */
import { ColorMap, resolveColormap } from './colormaps/colormaps';
import { ArrayInfo, Cube, Dimension } from './cube';
import { cfDateToEpochMs, parseCfDate } from '../common/cf-time';
import { ColorMapping, ServerConfig, DatasetConfig } from './config';
import { badRequest } from './errors';
import { ColorSpec } from './render';

/** Milliseconds since 1970 of an ISO 8601 date or date-time label; null when it is not one. */
export function parseTimeLabel(label: string): number | null {
  // ISO 8601's reduced precision: a year, or a year and month, means its first day
  const text = /^-?\d{1,4}$/.test(label) ? `${label}-01-01` : /^-?\d{1,4}-\d{1,2}$/.test(label) ? `${label}-01` : label;
  try {
    return cfDateToEpochMs(parseCfDate(text));
  } catch {
    return null;
  }
}

function nearest(values: number[], target: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < values.length; i++) {
    const distance = Math.abs(values[i] - target);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

/** The index of a label on a dimension; 400 naming the dimension when the label cannot be read. */
export function labelIndex(dim: Dimension, label: string | null): number {
  if (label === null || label === '' || dim.size === 0) {
    return 0;
  }
  const text = label.split('/')[0].trim();
  const lower = text.toLowerCase();
  if (lower === 'first') {
    return 0;
  }
  if (lower === 'last' || lower === 'current') {
    return dim.size - 1;
  }
  if (dim.isTime) {
    const ms = parseTimeLabel(text);
    if (ms === null) {
      throw badRequest(
        dim.name,
        `'${label}' is not a date or date-time (ISO 8601, e.g. 2024-01-01T12:00:00Z), 'first' or 'last'`
      );
    }
    return nearest(dim.values, ms);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw badRequest(dim.name, `'${label}' is not a number, 'first' or 'last'`);
  }
  return nearest(dim.values, value);
}

/** Indices of a variable's non-spatial dimensions from the query (in the variable's dimension order). */
export function outerIndices(cube: Cube, info: ArrayInfo, query: URLSearchParams): number[] {
  return info.dims.slice(0, -2).map(dim => labelIndex(cube.dimensions.get(dim)!, query.get(dim)));
}

/** The configured colour mapping of a variable (its dataset's Style), if any. */
export function styleMapping(config: ServerConfig, dataset: DatasetConfig, variable: string): ColorMapping {
  const style = dataset.style ? config.styles.get(dataset.style) : undefined;
  return style?.colorMappings[variable] ?? {};
}

/** The default colour bar, range and norm of a variable, as xcube derives them. */
export function defaultColor(
  info: ArrayInfo,
  mapping: ColorMapping
): { name: string; vmin: number; vmax: number; norm: 'lin' | 'log' } {
  const attrs = info.attrs;
  const validRange = validRangeOf(attrs);
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    name: mapping.colorBar ?? (typeof attrs.color_bar_name === 'string' ? attrs.color_bar_name : 'viridis'),
    vmin: mapping.valueRange?.[0] ?? num(attrs.color_value_min) ?? validRange?.[0] ?? 0,
    vmax: mapping.valueRange?.[1] ?? num(attrs.color_value_max) ?? validRange?.[1] ?? 1,
    norm: mapping.norm ?? (attrs.color_norm === 'log' ? 'log' : 'lin')
  };
}

/** `valid_range`, or `valid_min`/`valid_max` (physical values), or null. */
export function validRangeOf(attrs: Record<string, unknown>): [number, number] | null {
  const range = attrs.valid_range;
  let lo: number | undefined;
  let hi: number | undefined;
  if (Array.isArray(range) && range.length === 2 && range.every(v => typeof v === 'number')) {
    [lo, hi] = range as number[];
  }
  lo = typeof attrs.valid_min === 'number' ? attrs.valid_min : lo;
  hi = typeof attrs.valid_max === 'number' ? attrs.valid_max : hi;
  if (lo === undefined && hi === undefined) {
    return null;
  }
  const scale = typeof attrs.scale_factor === 'number' ? attrs.scale_factor : 1;
  const offset = typeof attrs.add_offset === 'number' ? attrs.add_offset : 0;
  return [lo === undefined ? -Infinity : lo * scale + offset, hi === undefined ? Infinity : hi * scale + offset];
}

function numberParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') {
    return undefined;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw badRequest(name, `'${text}' is not a finite number`);
  }
  return value;
}

/** The colour mapping of a tile request (`cmap`, `vmin`, `vmax`, `norm`), with 400s naming what is wrong. */
export function colorSpec(query: URLSearchParams, info: ArrayInfo, mapping: ColorMapping): ColorSpec {
  const defaults = defaultColor(info, mapping);
  const vmin = numberParam(query, 'vmin') ?? defaults.vmin;
  const vmax = numberParam(query, 'vmax') ?? defaults.vmax;
  if (vmin > vmax) {
    throw badRequest('vmin', `vmin ${vmin} is greater than vmax ${vmax}`);
  }
  const normText = query.get('norm') ?? defaults.norm;
  const norm = normText === 'linear' ? 'lin' : normText;
  if (norm !== 'lin' && norm !== 'log') {
    throw badRequest('norm', `'${normText}' is not one of lin, log`);
  }
  if (norm === 'log' && !(vmin > 0)) {
    throw badRequest('vmin', `a logarithmic norm needs vmin > 0, not ${vmin}`);
  }
  let colormap: ColorMap;
  const name = query.get('cmap') || defaults.name;
  try {
    colormap = resolveColormap(name);
  } catch (error) {
    throw badRequest('cmap', (error as Error).message);
  }
  return { colormap, vmin, vmax, norm };
}
