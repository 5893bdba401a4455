/**
 * Colour maps as 256-entry RGBA lookup tables, with xcube's names and groups.
 *
 * The named maps are matplotlib's. Their tables are derived from the 256x1 colour-bar PNGs that a real xcube
 * 1.7.1 server answered on `/colorbars` (recorded in `matplotlib-colorbars.json`): pixel i of such a PNG is
 * matplotlib's colour for the normalised value i/255, truncated to bytes exactly as xcube truncates tile
 * colours, so the table reproduces xcube's tiles. Suffixes as in xcube: `_r` reverses a map, `_alpha` ramps
 * the opacity from 0 at the low end to 1 at the middle (`_r_alpha` both). A JSON object in place of a name is
 * a custom map, as xcube's viewer sends them:
 * `{"name": "mine", "type": "continuous"|"stepwise"|"categorical", "colors": [[value, colour], …]}` with
 * colours as names, `#rrggbb[aa]` or `[r, g, b(, a)]` (fractions, or 0..255 when any exceeds 1).
 */
import { decodePng } from '../png';
import { parseColorText } from './css-colors';
import recorded from './matplotlib-colorbars.json';

/** A colour map ready for rendering. */
export interface ColorMap {
  /** the name as requested (custom maps: their `name`) */
  name: string;
  /** 256 RGBA entries: entry i is the colour of the normalised value in [i/256, (i+1)/256) */
  lut: Uint8Array;
  /**
   * For categorical maps: the bin boundaries (value v falls in bin i when boundaries[i] <= v <
   * boundaries[i+1]) and the RGBA colour of each bin; values outside every bin are transparent. The value
   * range of a request does not apply to them.
   */
  categories?: { boundaries: Float64Array; colors: Uint8Array };
}

type Group = [string, string, [string, string][]];

const GROUPS = recorded as unknown as Group[];

let base: Map<string, Uint8Array> | null = null;

/** The base (unsuffixed) named maps, decoded once. */
function baseMaps(): Map<string, Uint8Array> {
  if (!base) {
    base = new Map();
    for (const [, , entries] of GROUPS) {
      for (const [name, png] of entries) {
        const image = decodePng(Buffer.from(png, 'base64'));
        if (image.width !== 256) {
          throw new Error(`colour bar '${name}' is ${image.width} pixels wide, not 256`);
        }
        base.set(name, image.data.slice(0, 256 * 4));
      }
    }
  }
  return base;
}

/** Every named map (without suffixes), in xcube's group order. */
export function colormapNames(): string[] {
  return GROUPS.flatMap(([, , entries]) => entries.map(([name]) => name));
}

/** `/colorbars`: xcube's groups of `[name, base64 PNG 256x1]`. */
export function colorbarGroups(): Group[] {
  return GROUPS;
}

function reversed(lut: Uint8Array): Uint8Array {
  const out = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    out.set(lut.subarray((255 - i) * 4, (255 - i) * 4 + 4), i * 4);
  }
  return out;
}

function withAlphaRamp(lut: Uint8Array): Uint8Array {
  const out = lut.slice();
  for (let i = 0; i < 256; i++) {
    const alpha = Math.min(1, (2 * i) / 255);
    out[i * 4 + 3] = Math.min(out[i * 4 + 3], Math.floor(255 * alpha));
  }
  return out;
}

/** Splits `name_r_alpha` into the base name and its suffixes. */
export function parseColormapName(name: string): { base: string; reverse: boolean; alpha: boolean } {
  let rest = name;
  const alpha = rest.endsWith('_alpha');
  if (alpha) {
    rest = rest.slice(0, -'_alpha'.length);
  }
  const reverse = rest.endsWith('_r');
  if (reverse) {
    rest = rest.slice(0, -'_r'.length);
  }
  return { base: rest, reverse, alpha };
}

const resolved = new Map<string, ColorMap>();

/**
 * The colour map of a `cmap` parameter (a name with suffixes, or a JSON custom map). Throws an Error whose
 * message says what is wrong (unknown name, malformed JSON map).
 */
export function resolveColormap(spec: string): ColorMap {
  const cached = resolved.get(spec);
  if (cached) {
    return cached;
  }
  const map = spec.trimStart().startsWith('{') ? customColormap(spec) : namedColormap(spec);
  if (resolved.size > 1000) {
    // custom maps come from clients: keep the memo bounded
    resolved.clear();
  }
  resolved.set(spec, map);
  return map;
}

function namedColormap(spec: string): ColorMap {
  const { base: name, reverse, alpha } = parseColormapName(spec);
  const table = baseMaps().get(name);
  if (!table) {
    throw new Error(
      `unknown colour map '${spec}' (names as matplotlib's, e.g. viridis, RdBu_r, plasma_alpha; GET /colorbars lists them)`
    );
  }
  let lut = reverse ? reversed(table) : table;
  if (alpha) {
    lut = withAlphaRamp(lut);
  }
  return { name: spec, lut };
}

function parseColor(value: unknown, scale255: boolean): [number, number, number, number] {
  if (typeof value === 'string') {
    const color = parseColorText(value);
    if (!color) {
      throw new Error(`'${value}' is not a colour (a name such as 'red', or '#rrggbb')`);
    }
    return color;
  }
  if (
    Array.isArray(value) &&
    (value.length === 3 || value.length === 4) &&
    value.every(v => typeof v === 'number' && Number.isFinite(v))
  ) {
    const channels = value.map(v => Math.min(1, Math.max(0, scale255 ? v / 255 : v)));
    return [channels[0], channels[1], channels[2], channels[3] ?? 1];
  }
  throw new Error(`${JSON.stringify(value)} is not a colour (a name, '#rrggbb' or [r, g, b(, a)])`);
}

function toBytes(color: [number, number, number, number]): number[] {
  // truncation, as matplotlib's byte conversion
  return color.map(c => Math.floor(c * 255 + 1e-9));
}

function customColormap(spec: string): ColorMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(spec);
  } catch {
    throw new Error(
      'a custom colour map must be JSON: {"name": …, "type": "continuous", "colors": [[value, colour], …]}'
    );
  }
  const record = parsed as Record<string, unknown>;
  const items = record?.colors;
  if (!Array.isArray(items) || items.length < 1 || !items.every(item => Array.isArray(item) && item.length >= 2)) {
    throw new Error('a custom colour map needs "colors": a list of [value, colour] pairs');
  }
  const type = record.type === undefined ? 'continuous' : record.type;
  if (!['continuous', 'stepwise', 'categorical', 'key'].includes(type as string)) {
    throw new Error(`custom colour map type ${JSON.stringify(type)} is not one of continuous, stepwise, categorical`);
  }
  const values = items.map(item => item[0]);
  if (!values.every(v => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error('the values of a custom colour map must be numbers');
  }
  for (let i = 1; i < values.length; i++) {
    if (values[i] <= values[i - 1]) {
      throw new Error('the values of a custom colour map must increase');
    }
  }
  const scale255 = items.some(
    item => Array.isArray(item[1]) && item[1].some((c: unknown) => typeof c === 'number' && c > 1)
  );
  const colors = items.map(item => parseColor(item[1], scale255));
  const name = typeof record.name === 'string' ? record.name : 'custom';
  if (type === 'categorical' || type === 'key') {
    return categorical(name, values as number[], colors);
  }
  if (items.length < 2) {
    throw new Error('a continuous or stepwise colour map needs at least two colours');
  }
  const v0 = values[0] as number;
  const v1 = values[values.length - 1] as number;
  const positions = (values as number[]).map(v => (v - v0) / (v1 - v0));
  const lut = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    let k = 0;
    while (k < positions.length - 2 && positions[k + 1] <= x) {
      k++;
    }
    let color: [number, number, number, number];
    if (type === 'stepwise') {
      // as xcube's: each colour holds from its value to the next; the last value only closes the last step
      color = colors[Math.min(k, colors.length - 2)];
    } else {
      const t = Math.min(1, Math.max(0, (x - positions[k]) / (positions[k + 1] - positions[k])));
      color = colors[k].map((c, j) => c + (colors[k + 1][j] - c) * t) as [number, number, number, number];
    }
    lut.set(toBytes(color), i * 4);
  }
  return { name, lut };
}

function categorical(name: string, keys: number[], colors: [number, number, number, number][]): ColorMap {
  if (keys.some(k => !Number.isInteger(k))) {
    throw new Error('the values of a categorical colour map must be integers');
  }
  const boundaries: number[] = [];
  const bins: number[][] = [];
  keys.forEach((key, i) => {
    boundaries.push(key);
    bins.push(toBytes(colors[i]));
    if (i < keys.length - 1 && keys[i + 1] !== key + 1) {
      // the gap between two keys is transparent
      boundaries.push(key + 1);
      bins.push([0, 0, 0, 0]);
    }
  });
  boundaries.push(keys[keys.length - 1] + 1);
  if (bins.length > 255) {
    throw new Error('a categorical colour map may have at most 255 categories and gaps');
  }
  return {
    name,
    lut: new Uint8Array(256 * 4),
    categories: { boundaries: Float64Array.from(boundaries), colors: Uint8Array.from(bins.flat()) }
  };
}
