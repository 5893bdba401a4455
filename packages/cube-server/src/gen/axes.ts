/**
 * Finds the time, depth/level, lat and lon axes of a variable, and plans the output axes: longitudes wrapped into
 * -180..180 and rotated to ascending order, latitudes north-to-south, regular grids snapped when the recipe asks.
 */
import { CubeGenError } from './errors';
import type { AxisName } from './recipe';
import type { SourceFile, SourceVariable } from './source';
import { attrString } from './source';

export type AxisRole = 'time' | 'depth' | 'level' | 'lat' | 'lon';

/** The role of each dimension of a variable; dimensions of size 1 without a role are squeezed. */
export interface VariableAxes {
  /** Source dimension name per role. */
  dims: Partial<Record<AxisRole, string>>;
  /** Size-1 dimensions that are dropped. */
  squeezed: string[];
}

const LON_UNITS = /^degrees?_?e(ast)?$|^degreese$/i;
const LAT_UNITS = /^degrees?_?n(orth)?$|^degreesn$/i;
const PRESSURE_UNITS = /^(hpa|pa|mb|mbar|millibars?|bar|dbar|decibars?)$/i;
const LENGTH_UNITS = /^(m|meters?|metres?|km|cm)$/i;

/** Decides which role each dimension of `variable` plays, from its coordinate variable or the recipe's `axes`. */
export function findAxes(
  file: SourceFile,
  variable: SourceVariable,
  recipeAxes: Partial<Record<AxisName, string>>
): VariableAxes {
  const dims: Partial<Record<AxisRole, string>> = {};
  const squeezed: string[] = [];
  const unknown: string[] = [];
  for (const dim of variable.dims) {
    const role = roleOf(file, dim, recipeAxes);
    if (role === undefined) {
      (file.dims.get(dim) === 1 ? squeezed : unknown).push(dim);
      continue;
    }
    if (dims[role] !== undefined) {
      throw new CubeGenError(`variable ${variable.name} has two ${role} axes: ${dims[role]} and ${dim}`, file.path);
    }
    dims[role] = dim;
  }
  if (dims.lat === undefined || dims.lon === undefined) {
    const missing = [dims.lat === undefined ? 'latitude' : '', dims.lon === undefined ? 'longitude' : '']
      .filter(Boolean)
      .join(' and ');
    throw new CubeGenError(
      `variable ${variable.name} has no ${missing} axis (its dimensions: ${variable.dims.join(', ') || 'none'}; ` +
        'a latitude axis is a coordinate variable with units degrees_north, a longitude axis one with units ' +
        'degrees_east); name them under axes: in the recipe if they exist under other names',
      file.path
    );
  }
  if (unknown.length > 0) {
    throw new CubeGenError(
      `variable ${variable.name} has the dimension ${unknown[0]}, which is not a time, depth, latitude or longitude ` +
        'axis (name its role under axes: in the recipe, or select another variable)',
      file.path
    );
  }
  if (dims.depth !== undefined && dims.level !== undefined) {
    throw new CubeGenError(
      `variable ${variable.name} has two vertical axes: ${dims.depth} and ${dims.level}`,
      file.path
    );
  }
  return { dims, squeezed };
}

function roleOf(file: SourceFile, dim: string, recipeAxes: Partial<Record<AxisName, string>>): AxisRole | undefined {
  for (const [axis, name] of Object.entries(recipeAxes)) {
    if (name === dim) {
      return axis === 'depth' ? verticalRole(file, dim) : (axis as AxisRole);
    }
  }
  const coordinate = file.variables.get(dim);
  if (!coordinate || coordinate.dims.length !== 1 || coordinate.dims[0] !== dim) {
    return undefined;
  }
  const units = attrString(coordinate.attrs, 'units') ?? '';
  const standardName = (attrString(coordinate.attrs, 'standard_name') ?? '').toLowerCase();
  const axis = (attrString(coordinate.attrs, 'axis') ?? '').toUpperCase();
  const name = dim.toLowerCase();
  if (LON_UNITS.test(units) || standardName === 'longitude' || (axis === 'X' && /deg/i.test(units))) {
    return 'lon';
  }
  if (LAT_UNITS.test(units) || standardName === 'latitude' || (axis === 'Y' && /deg/i.test(units))) {
    return 'lat';
  }
  if (axis === 'T' || standardName === 'time' || /\ssince\s/i.test(units)) {
    return 'time';
  }
  if (
    axis === 'Z' ||
    attrString(coordinate.attrs, 'positive') !== undefined ||
    ['depth', 'height', 'altitude', 'air_pressure'].includes(standardName) ||
    ['depth', 'lev', 'level', 'z', 'plev'].includes(name)
  ) {
    return verticalRole(file, dim);
  }
  if (!units && (name === 'lon' || name === 'longitude')) {
    return 'lon';
  }
  if (!units && (name === 'lat' || name === 'latitude')) {
    return 'lat';
  }
  return undefined;
}

/** Ocean depths (positive down, or lengths) become `depth`; pressure and other levels stay `level`. */
function verticalRole(file: SourceFile, dim: string): 'depth' | 'level' {
  const coordinate = file.variables.get(dim);
  if (!coordinate) {
    return 'level';
  }
  const units = attrString(coordinate.attrs, 'units') ?? '';
  const positive = (attrString(coordinate.attrs, 'positive') ?? '').toLowerCase();
  if (PRESSURE_UNITS.test(units)) {
    return 'level';
  }
  return positive === 'down' || LENGTH_UNITS.test(units) || dim.toLowerCase().includes('depth') ? 'depth' : 'level';
}

/** An output axis: its values and, per output index, the source index it comes from. */
export interface AxisPlan {
  values: Float64Array;
  sourceIndex: Int32Array;
  steps: string[];
  accuracy: string[];
}

function isMonotonic(values: ArrayLike<number>): 1 | -1 | 0 {
  let up = true;
  let down = true;
  for (let i = 1; i < values.length; i++) {
    if (!(values[i] > values[i - 1])) up = false;
    if (!(values[i] < values[i - 1])) down = false;
  }
  return up ? 1 : down ? -1 : 0;
}

function range(values: ArrayLike<number>): string {
  const format = (v: number): string => String(Number(v.toFixed(4)));
  return `${format(values[0])}..${format(values[values.length - 1])}`;
}

/**
 * Snaps an almost regular axis onto exact spacing (a global longitude axis onto 360/n degrees), refusing when a
 * value would move by more than a tenth of a cell.
 */
export function regularise(
  values: Float64Array,
  name: string,
  global: boolean
): { values: Float64Array; note?: string } {
  const n = values.length;
  if (n < 2) {
    return { values };
  }
  const meanStep = (values[n - 1] - values[0]) / (n - 1);
  const step =
    global && Math.abs(Math.abs(meanStep) * n - 360) < Math.abs(meanStep) / 2
      ? Math.sign(meanStep) * (360 / n)
      : meanStep;
  const snapped = new Float64Array(n);
  let shift = 0;
  for (let i = 0; i < n; i++) {
    snapped[i] = values[0] + i * step;
    shift = Math.max(shift, Math.abs(snapped[i] - values[i]));
  }
  if (shift > Math.abs(step) / 10) {
    throw new Error(
      `${name} is not a regular axis (a value would move by ${shift.toPrecision(3)}, more than a tenth of the ` +
        `${Math.abs(step).toPrecision(6)} spacing); remove it from grid.regular`
    );
  }
  if (shift === 0) {
    return { values };
  }
  return {
    values: snapped,
    note: `${name} snapped to a regular ${Math.abs(step).toPrecision(8)}° grid from ${values[0]}; largest shift ${shift.toPrecision(3)}°`
  };
}

/** Longitudes wrapped into [-180, 180) and rotated (or reversed) to ascending order; a repeated column is dropped. */
export function planLongitude(source: Float64Array, name: string): AxisPlan {
  const steps: string[] = [];
  const direction = isMonotonic(source);
  if (direction === 0) {
    throw new Error(`longitude axis ${name} is not monotonic`);
  }
  if (Math.abs(source[source.length - 1] - source[0]) > 360 + 1e-6) {
    throw new Error(`longitude axis ${name} spans more than 360° (${range(source)})`);
  }
  const wrapped = Array.from(source, (v, i) => ({ value: ((((v + 180) % 360) + 360) % 360) - 180, index: i }));
  wrapped.sort((a, b) => a.value - b.value || a.index - b.index);
  const kept = wrapped.filter((entry, k) => k === 0 || Math.abs(entry.value - wrapped[k - 1].value) > 1e-9);
  if (kept.length < wrapped.length) {
    steps.push(
      `dropped ${wrapped.length - kept.length} longitude column(s) of ${name} that repeat another modulo 360°`
    );
  }
  const values = Float64Array.from(kept, entry => entry.value);
  const sourceIndex = Int32Array.from(kept, entry => entry.index);
  const unchanged = sourceIndex.every((index, i) => index === i) && values.every((v, i) => v === source[i]);
  if (!unchanged) {
    const rotation = direction > 0 ? ` (rotated by ${sourceIndex[0]} columns)` : ' (reversed to ascending order)';
    steps.push(`normalised longitudes of ${name} from ${range(source)} to ${range(values)}${rotation}`);
  }
  return { values, sourceIndex, steps, accuracy: [] };
}

/** Latitudes in north-to-south (descending) order, the order cube-gen always writes. */
export function planLatitude(source: Float64Array, name: string): AxisPlan {
  const direction = isMonotonic(source);
  if (direction === 0) {
    throw new Error(`latitude axis ${name} is not monotonic`);
  }
  if (source.some(v => v < -90 - 1e-6 || v > 90 + 1e-6)) {
    throw new Error(`latitude axis ${name} has values outside -90..90 (${range(source)})`);
  }
  const n = source.length;
  const flip = direction > 0 && n > 1;
  const sourceIndex = Int32Array.from({ length: n }, (_, i) => (flip ? n - 1 - i : i));
  const values = Float64Array.from(sourceIndex, index => source[index]);
  const steps = flip
    ? [`flipped latitudes of ${name} (${range(source)}) to north-to-south order (${range(values)})`]
    : [];
  return { values, sourceIndex, steps, accuracy: [] };
}

/** Any other axis (time, depth) is kept in source order. */
export function planIdentity(values: Float64Array): AxisPlan {
  return { values, sourceIndex: Int32Array.from(values, (_, i) => i), steps: [], accuracy: [] };
}
