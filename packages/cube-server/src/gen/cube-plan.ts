/**
 * Checks the inputs against the recipe and plans the cube before anything is written: which file and index each
 * output plane comes from, the output axes, and how each variable is decoded. Every problem found here names
 * the file it is in.
 */
import { basename } from 'node:path';

import type { AxisPlan, AxisRole, VariableAxes } from './axes';
import { findAxes, planIdentity, planLatitude, planLongitude, regularise } from './axes';
import type { Decoding } from './cf-decode';
import { planDecoding } from './cf-decode';
import { decodeTime, isoFromInstant } from './cf-time';
import { CubeGenError } from './errors';
import type { Recipe, RecipeVariable } from './recipe';
import type { SourceFile, SourceVariable } from './source';
import { attrString } from './source';

export interface PlannedVariable {
  recipe: RecipeVariable;
  /** Per input file (in time order): the source variable, its axes and its decoding. */
  sources: { variable: SourceVariable; axes: VariableAxes; decoding: Decoding }[];
}

export interface VerticalAxis {
  name: 'depth' | 'level';
  plan: AxisPlan;
  attrs: Record<string, unknown>;
}

export interface CubePlan {
  /** Inputs in time order. */
  files: SourceFile[];
  variables: PlannedVariable[];
  /** Output time: instants and, per step, the file and the index in it. */
  time?: { instants: Float64Array; file: Int32Array; index: Int32Array };
  vertical?: VerticalAxis;
  lat: AxisPlan;
  lon: AxisPlan;
  /** Names and sizes of the dimensions before lat and lon (time, depth/level). */
  outerDims: string[];
  outerShape: number[];
  steps: string[];
  accuracy: { variable: string; note: string }[];
}

const COORDINATE_TOLERANCE = 1e-6;

export function planCube(recipe: Recipe, inputs: SourceFile[]): CubePlan {
  const steps: string[] = [];
  const accuracy: CubePlan['accuracy'] = [];
  const first = inputs[0];
  const firstVariable = sourceVariable(first, recipe.variables[0], recipe);
  const axes = findAxes(first, firstVariable, recipe.axes);
  const roles = Object.keys(axes.dims).sort().join(', ');

  // Time first: it decides the order of the files.
  let timePlan: { file: SourceFile; instants: Float64Array }[] = [];
  if (axes.dims.time !== undefined) {
    timePlan = inputs.map(file => ({
      file,
      instants: readTime(file, axisName(file, recipe, 'time'), recipe, steps, accuracy)
    }));
    if (inputs.length > 1) {
      timePlan.sort((a, b) => a.instants[0] - b.instants[0]);
      steps.push(`concatenated ${inputs.length} inputs along time, in the order of their first time step`);
    }
  } else if (inputs.length > 1) {
    throw new CubeGenError(
      `the recipe lists ${inputs.length} inputs, but ${firstVariable.name} has no time axis to concatenate them along`,
      recipe.path
    );
  }
  const files = timePlan.length > 0 ? timePlan.map(entry => entry.file) : inputs;

  const variables: PlannedVariable[] = recipe.variables.map(spec => ({
    recipe: spec,
    sources: files.map(file => {
      const variable = sourceVariable(file, spec, recipe);
      const variableAxes = findAxes(file, variable, recipe.axes);
      const variableRoles = Object.keys(variableAxes.dims).sort().join(', ');
      const reference = findAxes(file, sourceVariable(file, recipe.variables[0], recipe), recipe.axes).dims;
      const sameDims = Object.entries(variableAxes.dims).every(([role, dim]) => reference[role as AxisRole] === dim);
      if (variableRoles !== roles || !sameDims) {
        throw new CubeGenError(
          `variable ${variable.name} has the axes (${Object.values(variableAxes.dims).join(', ')}) but ` +
            `${recipe.variables[0].source} has (${Object.values(reference).join(', ')}); ` +
            "a cube's variables share their axes (make a second recipe for the others)",
          file.path
        );
      }
      return { variable, axes: variableAxes, decoding: planDecoding(variable, file.path) };
    })
  }));
  // One line per decoding step, naming every variable it applies to.
  const decodingSteps = new Map<string, Set<string>>();
  for (const variable of variables) {
    for (const source of variable.sources) {
      for (const step of source.decoding.steps) {
        decodingSteps.set(step, (decodingSteps.get(step) ?? new Set()).add(variable.recipe.source));
      }
    }
  }
  for (const [step, names] of decodingSteps) {
    steps.push(`${[...names].join(', ')}: ${step}`);
  }

  const lat = planSpatial(files, recipe, 'lat', steps, accuracy);
  const lon = planSpatial(files, recipe, 'lon', steps, accuracy);

  const outerDims: string[] = [];
  const outerShape: number[] = [];
  let time: CubePlan['time'];
  if (timePlan.length > 0) {
    const total = timePlan.reduce((sum, entry) => sum + entry.instants.length, 0);
    time = {
      instants: new Float64Array(total),
      file: new Int32Array(total),
      index: new Int32Array(total)
    };
    let t = 0;
    timePlan.forEach((entry, fileIndex) => {
      entry.instants.forEach((instant, index) => {
        if (t > 0 && !(instant > time!.instants[t - 1])) {
          throw new CubeGenError(
            `time step ${index} (${isoFromInstant(instant)}) does not come after ${isoFromInstant(time!.instants[t - 1])}` +
              (inputs.length > 1 ? ' of the previous input; the inputs overlap' : '; the time axis must increase'),
            entry.file.path
          );
        }
        time!.instants[t] = instant;
        time!.file[t] = fileIndex;
        time!.index[t] = index;
        t++;
      });
    });
    outerDims.push('time');
    outerShape.push(total);
  }

  let vertical: VerticalAxis | undefined;
  const verticalRole = axes.dims.depth !== undefined ? 'depth' : axes.dims.level !== undefined ? 'level' : undefined;
  if (verticalRole) {
    vertical = planVertical(files, recipe, verticalRole, steps);
    outerDims.push(vertical.name);
    outerShape.push(vertical.plan.values.length);
  }
  for (const name of axes.squeezed) {
    steps.push(`dropped the size-1 dimension ${name}`);
  }
  return { files, variables, time, vertical, lat, lon, outerDims, outerShape, steps, accuracy };
}

function sourceVariable(file: SourceFile, spec: RecipeVariable, recipe: Recipe): SourceVariable {
  const variable = file.variables.get(spec.source);
  if (!variable) {
    const coordinates = new Set(
      [...file.variables.values()].filter(v => v.dims.length === 1 && v.dims[0] === v.name).map(v => v.name)
    );
    const available = [...file.variables.keys()].filter(name => !coordinates.has(name));
    throw new CubeGenError(
      `the recipe (${recipe.path ? basename(recipe.path) : 'recipe'}, variables.${spec.name}) names the variable ` +
        `${spec.source}, which this file does not have; it has: ${available.join(', ') || 'no data variables'}`,
      file.path
    );
  }
  return variable;
}

/** The source dimension (= coordinate variable) playing `role`, found on the first recipe variable. */
function axisName(file: SourceFile, recipe: Recipe, role: 'time' | 'lat' | 'lon' | 'depth' | 'level'): string {
  const variable = sourceVariable(file, recipe.variables[0], recipe);
  return findAxes(file, variable, recipe.axes).dims[role]!;
}

function readCoordinate(file: SourceFile, name: string): Float64Array {
  const variable = file.variables.get(name);
  if (!variable || variable.dims.length !== 1) {
    throw new CubeGenError(`the axis ${name} has no coordinate variable with its values`, file.path);
  }
  const values = Float64Array.from(file.read(name, [0], [variable.shape[0]]));
  if (values.some(v => !Number.isFinite(v))) {
    throw new CubeGenError(`the coordinate variable ${name} has missing or infinite values`, file.path);
  }
  return values;
}

function readTime(
  file: SourceFile,
  name: string,
  recipe: Recipe,
  steps: string[],
  accuracy: CubePlan['accuracy']
): Float64Array {
  const variable = file.variables.get(name)!;
  const units = attrString(variable?.attrs ?? new Map(), 'units');
  if (!units) {
    throw new CubeGenError(`the time axis ${name} has no units attribute ("days since …")`, file.path);
  }
  const values = readCoordinate(file, name);
  try {
    const decoded = decodeTime(values, units, attrString(variable.attrs, 'calendar'), recipe.calendar);
    for (const step of decoded.steps) {
      if (!steps.includes(step)) steps.push(step);
    }
    for (const note of decoded.accuracy) {
      if (!accuracy.some(entry => entry.note === note)) accuracy.push({ variable: 'time', note });
    }
    return decoded.instants;
  } catch (error) {
    if (error instanceof CubeGenError) throw error;
    throw new CubeGenError(`time axis ${name}: ${(error as Error).message}`, file.path);
  }
}

/** Plans lat or lon from the first file and checks that every other file has the same axis. */
function planSpatial(
  files: SourceFile[],
  recipe: Recipe,
  role: 'lat' | 'lon',
  steps: string[],
  accuracy: CubePlan['accuracy']
): AxisPlan {
  const name = axisName(files[0], recipe, role);
  let values = readCoordinate(files[0], name);
  for (const file of files.slice(1)) {
    const other = readCoordinate(file, axisName(file, recipe, role));
    const step = values.length > 1 ? Math.abs(values[1] - values[0]) : 1;
    if (
      other.length !== values.length ||
      other.some((v, i) => Math.abs(v - values[i]) > COORDINATE_TOLERANCE * Math.max(step, 1))
    ) {
      throw new CubeGenError(
        `its ${role === 'lat' ? 'latitude' : 'longitude'} axis differs from that of ${basename(files[0].path)}; ` +
          'inputs concatenated along time must share their grid',
        file.path
      );
    }
  }
  try {
    if (recipe.regular.includes(role)) {
      const snapped = regularise(values, name, role === 'lon');
      if (snapped.note) {
        steps.push(snapped.note);
        accuracy.push({ variable: role, note: `${snapped.note} (the source's coordinate values were irregular)` });
      }
      values = snapped.values;
    }
    const plan = role === 'lat' ? planLatitude(values, name) : planLongitude(values, name);
    steps.push(...plan.steps);
    return plan;
  } catch (error) {
    if (error instanceof CubeGenError) throw error;
    throw new CubeGenError((error as Error).message, files[0].path);
  }
}

const LENGTH_TO_METRES: Record<string, number> = {
  m: 1,
  meter: 1,
  meters: 1,
  metre: 1,
  metres: 1,
  km: 1000,
  cm: 0.01
};

function planVertical(files: SourceFile[], recipe: Recipe, role: 'depth' | 'level', steps: string[]): VerticalAxis {
  const name = axisName(files[0], recipe, role);
  const source = files[0].variables.get(name)!;
  const values = readCoordinate(files[0], name);
  const units = attrString(source.attrs, 'units') ?? '';
  if (role === 'level') {
    const attrs: Record<string, unknown> = { long_name: 'vertical level', axis: 'Z' };
    if (units) attrs.units = units;
    const positive = attrString(source.attrs, 'positive');
    if (positive) attrs.positive = positive;
    if (name !== 'level') steps.push(`renamed the vertical axis ${name} to level`);
    return { name: 'level', plan: planIdentity(values), attrs };
  }
  const factor = LENGTH_TO_METRES[units.toLowerCase()];
  if (units && factor === undefined) {
    throw new CubeGenError(
      `the depth axis ${name} has units "${units}", which are not a length cube-gen converts to m`,
      files[0].path
    );
  }
  if (factor !== undefined && factor !== 1) {
    for (let i = 0; i < values.length; i++) values[i] *= factor;
    steps.push(`converted depths of ${name} from ${units} to m`);
  } else if (units !== 'm') {
    steps.push(`depth units of ${name} "${units || '(none)'}" written as "m"`);
  }
  if (name !== 'depth') steps.push(`renamed the vertical axis ${name} to depth`);
  return {
    name: 'depth',
    plan: planIdentity(values),
    attrs: { standard_name: 'depth', long_name: 'depth below the sea surface', units: 'm', positive: 'down', axis: 'Z' }
  };
}
