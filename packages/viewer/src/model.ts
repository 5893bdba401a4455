/**
 * The viewer's model: the state, the datasets of the cube server, the time steps of the chosen variable,
 * the colour bars, the places clicked and their time series. The map and the controls only read it and call
 * its setters; every change emits `changed`.
 */
import {
  EsdlApiError,
  histogramQuantile,
  IXcubeColorBarGroup,
  IXcubeDataset,
  IXcubeTimeSeriesValue,
  IXcubeVariable,
  XcubeClient
} from '@esdl-lab/core';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import { IViewerState, IViewState, colourMapping, dimLabels, extraDims, mappableVariables } from './state';

/** A place clicked on the map, and its time series once loaded. */
export interface IPlace {
  id: number;
  longitude: number;
  latitude: number;
  variable: string;
  dataset: string;
  /** for an area: its outline (closed), longitude and latitude are then its first vertex */
  ring?: [number, number][];
  /** null while loading */
  values: IXcubeTimeSeriesValue[] | null;
  error?: string;
}

/** How an area's values are summed up per time step. */
export type Aggregation = 'mean' | 'median' | 'meanstd';

/** Tile traffic since the viewer opened. */
export interface ITileStats {
  pending: number;
  fetched: number;
  bytes: number;
  failed: number;
  lastError?: string;
}

export class ViewerModel {
  constructor(options: { state: IViewerState; settings?: ServerConnection.ISettings }) {
    this._state = { ...options.state };
    this.settings = options.settings;
    this.client = new XcubeClient({ server: options.state.server, settings: options.settings });
  }

  readonly client: XcubeClient;
  /** the Jupyter server connection the client uses */
  readonly settings?: ServerConnection.ISettings;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): IViewerState {
    return this._state;
  }

  get datasets(): IXcubeDataset[] {
    return this._datasets;
  }

  get dataset(): IXcubeDataset | undefined {
    return this._datasets.find(d => d.id === this._state.dataset);
  }

  /** the variables of the dataset that a map can show */
  get variables(): IXcubeVariable[] {
    const dataset = this.dataset;
    return dataset ? mappableVariables(dataset) : [];
  }

  get variable(): IXcubeVariable | undefined {
    return this.variables.find(v => v.name === this._state.variable);
  }

  /** the time labels of the variable (ISO 8601), empty when it has no time */
  get times(): string[] {
    const variable = this.variable;
    if (!variable || !variable.dims.includes('time')) {
      return [];
    }
    const dimension = this.dataset?.dimensions?.find(d => d.name === 'time');
    return (dimension?.coordinates ?? []).map(String);
  }

  get timeIndex(): number {
    const times = this.times;
    const index = this._state.time ? times.indexOf(this._state.time) : -1;
    return index >= 0 ? index : 0;
  }

  /** the variable's other dimensions (depth, level, …) with their labels */
  get extraDimensions(): { name: string; labels: (string | number)[]; units: string }[] {
    const variable = this.variable;
    if (!variable) {
      return [];
    }
    return extraDims(variable).map(name => {
      const dimension = this.dataset?.dimensions?.find(d => d.name === name);
      const units = (this.dataset?.variables.find(v => v.name === name)?.units ?? '') as string;
      return { name, labels: dimension?.coordinates ?? [], units };
    });
  }

  setDim(name: string, label: string | number): void {
    this._state = { ...this._state, dims: { ...this._state.dims, [name]: label } };
    this._changed.emit();
  }

  /** the value under the cursor: where, and the value (null where the cube has none), or null */
  get pointed(): { longitude: number; latitude: number; value: number | null } | null {
    return this._pointed;
  }

  get pointedChanged(): ISignal<this, void> {
    return this._pointedChanged;
  }

  /** Asks for the value under the cursor, once it rests for a moment; `null` when it left the map. */
  pointAt(longitude: number | null, latitude: number | null): void {
    window.clearTimeout(this._pointTimer);
    this._pointAbort?.abort();
    const variable = this.variable;
    if (longitude === null || latitude === null || !variable) {
      if (this._pointed) {
        this._pointed = null;
        this._pointedChanged.emit();
      }
      return;
    }
    this._pointTimer = window.setTimeout(async () => {
      const abort = (this._pointAbort = new AbortController());
      const dims = this._labelsShown(variable);
      try {
        const stats = await this.client.statistics(
          this._state.dataset,
          variable.name,
          { type: 'Point', coordinates: [longitude, latitude] },
          { dims, signal: abort.signal }
        );
        this._pointed = { longitude, latitude, value: typeof stats.value === 'number' ? stats.value : null };
        this._pointedChanged.emit();
      } catch {
        // the next move asks again; a failed readout is not worth a message
      }
    }, 150);
  }

  /** why the last "fit to data" failed, or null */
  get fitError(): string | null {
    return this._fitError;
  }

  /**
   * Sets the colour range to the 2nd and 98th percentiles of the values shown (the whole map at this time
   * and depth), as the cube server's statistics give them.
   */
  async fitRange(): Promise<void> {
    const variable = this.variable;
    if (!variable) {
      return;
    }
    const world = [
      [
        [-180, -85],
        [180, -85],
        [180, 85],
        [-180, 85],
        [-180, -85]
      ]
    ];
    const dims = this._labelsShown(variable);
    try {
      const stats = await this.client.statistics(
        this._state.dataset,
        variable.name,
        { type: 'Polygon', coordinates: world },
        { dims }
      );
      const low = stats.histogram ? histogramQuantile(stats.histogram, 0.02) : (stats.minimum ?? NaN);
      const high = stats.histogram ? histogramQuantile(stats.histogram, 0.98) : (stats.maximum ?? NaN);
      if (!Number.isFinite(low) || !Number.isFinite(high) || low >= high) {
        throw new Error('the map has no values to fit the range to');
      }
      this._fitError = null;
      this.setColour({ vmin: Number(low.toPrecision(3)), vmax: Number(high.toPrecision(3)) });
    } catch (error) {
      this._fitError = `The range could not be fitted: ${(error as Error).message}`;
      this._changed.emit();
    }
  }

  get colourBars(): IXcubeColorBarGroup[] {
    return this._colourBars;
  }

  get colourMapping(): { cmap: string; vmin: number; vmax: number } {
    return colourMapping(this._state, this.variable, this.defaultColourMap);
  }

  /** the colour map of variables for which the server names none (a setting) */
  defaultColourMap = 'viridis';

  /** the base64 PNG of a colour bar (`_r` reversed by the caller), or null when the server has none */
  colourBarImage(cmap: string): string | null {
    const name = cmap.replace(/_r$/, '').replace(/_alpha$/, '');
    for (const group of this._colourBars) {
      const bar = group.colorBars.find(b => b.name === name);
      if (bar) {
        return bar.imageData;
      }
    }
    return null;
  }

  /** why the viewer cannot show a map, or null */
  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  get places(): IPlace[] {
    return this._places;
  }

  get tiles(): ITileStats {
    return this._tiles;
  }

  /** Loads the datasets and colour bars, then checks the state against them. */
  async load(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    try {
      const [datasets, colourBars] = await Promise.all([
        this.client.datasets({ details: true }),
        this.client.colorBars().catch(() => [] as IXcubeColorBarGroup[])
      ]);
      this._datasets = datasets.datasets as IXcubeDataset[];
      this._colourBars = colourBars;
      this._error = null;
      this._settle();
    } catch (error) {
      this._error =
        error instanceof EsdlApiError || error instanceof Error
          ? error.message
          : `The cube server '${this._state.server}' could not be reached.`;
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  setDataset(id: string): void {
    if (id !== this._state.dataset) {
      this._state = { server: this._state.server, dataset: id, view: this._state.view, opacity: this._state.opacity };
      this._settle();
      this._changed.emit();
    }
  }

  setVariable(name: string): void {
    if (name !== this._state.variable) {
      // a new variable starts with its own default colours
      const { server, dataset, time, view, opacity } = this._state;
      this._state = { server, dataset, time, view, opacity, variable: name };
      this._settle();
      this._changed.emit();
    }
  }

  setTimeIndex(index: number): void {
    const times = this.times;
    if (times.length === 0) {
      return;
    }
    const clamped = Math.max(0, Math.min(times.length - 1, Math.round(index)));
    if (times[clamped] !== this._state.time) {
      this._state = { ...this._state, time: times[clamped] };
      this._changed.emit();
    }
  }

  /** Sets the colour map and range; a range with min above max is swapped, an empty one widened. */
  setColour(colour: { cmap?: string; vmin?: number; vmax?: number; opacity?: number; norm?: 'lin' | 'log' }): void {
    const next = { ...this._state, ...colour };
    if (next.vmin !== undefined && next.vmax !== undefined && next.vmin > next.vmax) {
      [next.vmin, next.vmax] = [next.vmax, next.vmin];
    }
    if (next.norm === 'log') {
      // a logarithmic scale needs a positive range: keep its top, start three decades below it
      const { vmin, vmax } = colourMapping(next, this.variable, this.defaultColourMap);
      if (vmin <= 0) {
        const top = vmax > 0 ? vmax : 1;
        next.vmin = Number((top / 1000).toPrecision(3));
        next.vmax = top;
      }
    }
    this._state = next;
    this._changed.emit();
  }

  /** Remembers the map's view (not an emitted change: the map itself moved). */
  setView(view: IViewState): void {
    this._state = { ...this._state, view };
  }

  /** Counts a tile request: `started`, then `done` with its size or `failed` with why. */
  countTile(event: 'started' | 'done' | 'failed', detail?: number | string): void {
    const tiles = { ...this._tiles };
    if (event === 'started') {
      tiles.pending++;
    } else {
      tiles.pending = Math.max(0, tiles.pending - 1);
      if (event === 'done') {
        tiles.fetched++;
        tiles.bytes += typeof detail === 'number' ? detail : 0;
      } else {
        tiles.failed++;
        tiles.lastError = typeof detail === 'string' ? detail : undefined;
      }
    }
    this._tiles = tiles;
    this._tilesChanged.emit();
  }

  /** Forgets the failures of tiles of an earlier time or colour mapping. */
  clearTileErrors(): void {
    if (this._tiles.failed > 0) {
      this._tiles = { ...this._tiles, failed: 0, lastError: undefined };
      this._tilesChanged.emit();
    }
  }

  get tilesChanged(): ISignal<this, void> {
    return this._tilesChanged;
  }

  /** What the chart and the CSV show of an area's values: the mean, the median, or the mean ± std. */
  get aggregation(): Aggregation {
    return this._aggregation;
  }

  setAggregation(aggregation: Aggregation): void {
    this._aggregation = aggregation;
    this._changed.emit();
  }

  /** the corners of an area being drawn, or null when not drawing */
  get drawing(): [number, number][] | null {
    return this._drawing;
  }

  /** Starts drawing an area (clicks add corners), or, with `false`, stops without keeping it. */
  setDrawing(on: boolean): void {
    this._drawing = on ? [] : null;
    this._changed.emit();
  }

  addCorner(longitude: number, latitude: number): void {
    if (this._drawing) {
      this._drawing = [...this._drawing, [longitude, latitude]];
      this._changed.emit();
    }
  }

  /** Closes the area being drawn and loads its time series; an area needs three corners. */
  async finishArea(): Promise<IPlace | null> {
    const corners = this._drawing ?? [];
    this._drawing = null;
    if (corners.length < 3) {
      this._changed.emit();
      return null;
    }
    const ring = [...corners, corners[0]];
    return this._addSeries(corners[0][0], corners[0][1], ring);
  }

  /** Adds a place and loads the time series of the current variable there. */
  async addPlace(longitude: number, latitude: number): Promise<IPlace | null> {
    return this._addSeries(longitude, latitude);
  }

  private async _addSeries(longitude: number, latitude: number, ring?: [number, number][]): Promise<IPlace | null> {
    const variable = this.variable;
    if (!variable) {
      return null;
    }
    const place: IPlace = {
      id: ++this._placeId,
      longitude,
      latitude,
      ring,
      variable: variable.name,
      dataset: this._state.dataset,
      values: null
    };
    this._places = [...this._places.slice(-4), place];
    this._changed.emit();
    try {
      const values = await this.client.timeSeries(
        place.dataset,
        place.variable,
        ring ? { type: 'Polygon', coordinates: [ring] } : { type: 'Point', coordinates: [longitude, latitude] },
        { aggMethods: ring ? ['mean', 'median', 'std'] : ['mean'], dims: dimLabels(this._state, variable) }
      );
      this._replacePlace({ ...place, values });
    } catch (error) {
      this._replacePlace({ ...place, values: [], error: (error as Error).message });
    }
    return this._places.find(p => p.id === place.id) ?? null;
  }

  removePlace(id: number): void {
    this._places = this._places.filter(p => p.id !== id);
    this._changed.emit();
  }

  dispose(): void {
    window.clearTimeout(this._pointTimer);
    this._pointAbort?.abort();
    Signal.clearData(this);
  }

  /** The labels of every non-spatial dimension shown (time included), for statistics of the map. */
  private _labelsShown(variable: IXcubeVariable): Record<string, string | number> {
    const dims = dimLabels(this._state, variable);
    if (variable.dims.includes('time') && this._state.time) {
      dims.time = this._state.time;
    }
    return dims;
  }

  private _replacePlace(place: IPlace): void {
    this._places = this._places.map(p => (p.id === place.id ? place : p));
    this._changed.emit();
  }

  /** Makes the state name a dataset and variable that exist, or says why it cannot. */
  private _settle(): void {
    const dataset = this.dataset;
    if (!dataset) {
      const known = this._datasets.map(d => d.id).join(', ') || 'none';
      this._error = `The cube server '${this._state.server}' has no dataset '${this._state.dataset}' (it has ${known}).`;
      return;
    }
    const variables = this.variables;
    if (variables.length === 0) {
      this._error = `The dataset '${dataset.id}' has no variable with lat and lon dimensions to show on a map.`;
      return;
    }
    if (this._state.variable && !variables.some(v => v.name === this._state.variable)) {
      const all = dataset.variables.find(v => v.name === this._state.variable);
      this._error = all
        ? `The variable '${all.name}' of '${dataset.id}' has no lat and lon dimensions (its dimensions: ` +
          `${all.dims.join(', ')}), so it cannot be shown on a map.`
        : `The dataset '${dataset.id}' has no variable '${this._state.variable}' (it has ` +
          `${variables.map(v => v.name).join(', ')}).`;
      return;
    }
    this._error = null;
    if (!this._state.variable) {
      this._state = { ...this._state, variable: variables[0].name };
    }
    for (const dim of this.extraDimensions) {
      const label = this._state.dims?.[dim.name];
      if (dim.labels.length > 0 && (label === undefined || !dim.labels.some(l => String(l) === String(label)))) {
        this._state = { ...this._state, dims: { ...this._state.dims, [dim.name]: dim.labels[0] } };
      }
    }
    const times = this.times;
    if (times.length > 0 && (!this._state.time || !times.includes(this._state.time))) {
      this._state = { ...this._state, time: this._state.time ? nearestTime(times, this._state.time) : times[0] };
    }
  }

  private _state: IViewerState;
  private _datasets: IXcubeDataset[] = [];
  private _colourBars: IXcubeColorBarGroup[] = [];
  private _error: string | null = null;
  private _fitError: string | null = null;
  private _loading = false;
  private _places: IPlace[] = [];
  private _aggregation: Aggregation = 'mean';
  private _drawing: [number, number][] | null = null;
  private _placeId = 0;
  private _tiles: ITileStats = { pending: 0, fetched: 0, bytes: 0, failed: 0 };
  private _changed = new Signal<this, void>(this);
  private _tilesChanged = new Signal<this, void>(this);
  private _pointed: { longitude: number; latitude: number; value: number | null } | null = null;
  private _pointedChanged = new Signal<this, void>(this);
  private _pointTimer = 0;
  private _pointAbort: AbortController | null = null;
}

/** The label among `times` that `wanted` names: the first it begins, else the nearest in time. */
export function nearestTime(times: string[], wanted: string): string {
  // a date or month given as a prefix ("0000-03", "1990-07-16") means that step
  const prefixed = times.find(time => time.startsWith(wanted));
  if (prefixed) {
    return prefixed;
  }
  const target = Date.parse(wanted.length <= 10 ? `${wanted}T00:00:00Z` : wanted);
  if (Number.isNaN(target)) {
    return times[0];
  }
  let best = times[0];
  let distance = Infinity;
  for (const time of times) {
    const d = Math.abs(Date.parse(time) - target);
    if (d < distance) {
      distance = d;
      best = time;
    }
  }
  return best;
}
