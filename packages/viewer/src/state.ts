/**
 * What a viewer shows, as plain JSON: saved with the JupyterLab workspace, carried by the MIME bundle that
 * `esdl_lab.show(...)` outputs, and turned into the same tile requests xcube's own viewer makes.
 */
import { ITileRequest, IXcubeDataset, IXcubeVariable } from '@esdl-lab/core';

export interface IViewState {
  longitude: number;
  latitude: number;
  zoom: number;
}

export interface IViewerState {
  /** the configured cube server (`/esdl-lab/cubes/<server>/`) */
  server: string;
  dataset: string;
  variable?: string;
  /** the time label (ISO 8601) shown; the server picks the nearest step */
  time?: string;
  /** matplotlib colour map name; `_r` reverses it */
  cmap?: string;
  vmin?: number;
  vmax?: number;
  /** 0..1 */
  opacity?: number;
  /** `log` for a logarithmic colour scale */
  norm?: 'lin' | 'log';
  /** labels of the other non-spatial dimensions, e.g. `{depth: 100}` */
  dims?: Record<string, string | number>;
  view?: IViewState;
}

/** A longitude in -180..180 (the map repeats the world; the cube server wants it in that range). */
export function wrapLongitude(longitude: number): number {
  return ((((longitude + 180) % 360) + 360) % 360) - 180;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length < 500 ? value : undefined;
}

/**
 * A viewer state from untrusted JSON (a workspace, a notebook output), or an Error saying what is wrong.
 * Unknown keys are dropped; out-of-range numbers are clamped or dropped.
 */
export function parseViewerState(value: unknown): IViewerState | Error {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return new Error('The viewer state must be a JSON object with at least "server" and "dataset".');
  }
  const raw = value as Record<string, unknown>;
  const server = text(raw.server);
  const dataset = text(raw.dataset);
  if (!server || !dataset) {
    return new Error(
      `The viewer state names no ${server ? 'dataset' : 'cube server'}: give "server" (a configured cube ` +
        'server, e.g. "demo") and "dataset" (e.g. "coads").'
    );
  }
  const state: IViewerState = { server, dataset };
  const variable = text(raw.variable);
  if (variable) {
    state.variable = variable;
  }
  const time = text(raw.time);
  if (time) {
    state.time = time;
  }
  const cmap = text(raw.cmap);
  if (cmap && /^[\w.-]+$/.test(cmap)) {
    state.cmap = cmap;
  }
  if (isFiniteNumber(raw.vmin)) {
    state.vmin = raw.vmin;
  }
  if (isFiniteNumber(raw.vmax)) {
    state.vmax = raw.vmax;
  }
  if (state.vmin !== undefined && state.vmax !== undefined && state.vmin > state.vmax) {
    [state.vmin, state.vmax] = [state.vmax, state.vmin];
  }
  if (isFiniteNumber(raw.opacity)) {
    state.opacity = Math.min(1, Math.max(0, raw.opacity));
  }
  if (raw.norm === 'log' || raw.norm === 'lin') {
    state.norm = raw.norm;
  }
  if (raw.dims && typeof raw.dims === 'object' && !Array.isArray(raw.dims)) {
    const dims: Record<string, string | number> = {};
    for (const [name, label] of Object.entries(raw.dims as Record<string, unknown>)) {
      if (/^\w{1,64}$/.test(name) && (isFiniteNumber(label) || text(label))) {
        dims[name] = label as string | number;
      }
    }
    if (Object.keys(dims).length > 0) {
      state.dims = dims;
    }
  }
  const view = raw.view as Record<string, unknown> | undefined;
  if (view && isFiniteNumber(view.longitude) && isFiniteNumber(view.latitude) && isFiniteNumber(view.zoom)) {
    state.view = {
      longitude: wrapLongitude(view.longitude),
      latitude: Math.min(85, Math.max(-85, view.latitude)),
      zoom: Math.min(20, Math.max(0, view.zoom))
    };
  }
  return state;
}

/** The dimensions of a variable that are neither space nor time (depth, level, …). */
export function extraDims(variable: IXcubeVariable): string[] {
  return (variable.dims ?? []).filter(dim => !['time', 'lat', 'lon', 'y', 'x'].includes(dim));
}

/** The labels of the variable's other dimensions, as the tile, time-series and statistics requests take them. */
export function dimLabels(state: IViewerState, variable: IXcubeVariable): Record<string, string | number> {
  const labels: Record<string, string | number> = {};
  for (const dim of extraDims(variable)) {
    if (state.dims?.[dim] !== undefined) {
      labels[dim] = state.dims[dim];
    }
  }
  return labels;
}

/** The variables a map can show: those with lat and lon (or y and x) as their last two dimensions. */
export function mappableVariables(dataset: IXcubeDataset): IXcubeVariable[] {
  return dataset.variables.filter(variable => {
    const dims = variable.dims ?? [];
    const [y, x] = dims.slice(-2);
    return dims.length >= 2 && ((y === 'lat' && x === 'lon') || (y === 'y' && x === 'x'));
  });
}

/** The colour mapping a variable gets: the state's, else the server's defaults for the variable. */
export function colourMapping(
  state: IViewerState,
  variable: IXcubeVariable | undefined,
  defaultColourMap = 'viridis'
): { cmap: string; vmin: number; vmax: number } {
  const vmin = state.vmin ?? variable?.colorBarMin ?? 0;
  const vmax = state.vmax ?? variable?.colorBarMax ?? 1;
  return {
    cmap: state.cmap ?? variable?.colorBarName ?? defaultColourMap,
    vmin,
    vmax: vmax > vmin ? vmax : vmin + 1
  };
}

/** The request of one tile of the state's variable, in the form xcube's viewer uses. */
export function tileRequest(
  state: IViewerState,
  variable: IXcubeVariable,
  tile: { z: number; y: number; x: number },
  defaultColourMap = 'viridis'
): ITileRequest {
  const { cmap, vmin, vmax } = colourMapping(state, variable, defaultColourMap);
  return {
    dataset: state.dataset,
    variable: variable.name,
    ...tile,
    crs: 'EPSG:3857',
    vmin,
    vmax,
    cmap,
    norm: state.norm === 'log' ? 'log' : undefined,
    time: variable.dims.includes('time') ? state.time : undefined,
    dims: dimLabels(state, variable)
  };
}

/** The Python call that reopens this state in a notebook. */
export function pythonCall(state: IViewerState): string {
  const args = [JSON.stringify(state.dataset)];
  if (state.variable) {
    args.push(JSON.stringify(state.variable));
  }
  args.push(`server=${JSON.stringify(state.server)}`);
  if (state.time) {
    args.push(`time=${JSON.stringify(state.time)}`);
  }
  if (state.cmap) {
    args.push(`cmap=${JSON.stringify(state.cmap)}`);
  }
  if (state.vmin !== undefined) {
    args.push(`vmin=${state.vmin}`);
  }
  if (state.vmax !== undefined) {
    args.push(`vmax=${state.vmax}`);
  }
  if (state.norm === 'log') {
    args.push('norm="log"');
  }
  for (const [dim, label] of Object.entries(state.dims ?? {})) {
    args.push(`${dim}=${JSON.stringify(label)}`);
  }
  return `esdl_lab.show(${args.join(', ')})`;
}

/** A link that opens JupyterLab with this view (the reader must be able to log in to the same server). */
export function shareLink(state: IViewerState, baseUrl: string): string {
  const { server, dataset, variable, time, cmap, vmin, vmax, norm, dims, opacity, view } = state;
  const shared = { server, dataset, variable, time, cmap, vmin, vmax, norm, dims, opacity, view };
  return `${baseUrl.replace(/\/?$/, '/')}lab?esdl-viewer=${encodeURIComponent(JSON.stringify(shared))}`;
}
