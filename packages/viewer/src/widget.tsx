/**
 * The viewer widget: dataset and variable pickers, the time slider with its player, the colour bar and its
 * editor, the map, and the time series of the places clicked. The same widget fills a main-area tab and a
 * notebook cell's output.
 */
import { ServerConnection } from '@jupyterlab/services';
import { IDatasetRef } from '@esdl-lab/core';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import React, { useEffect, useRef, useState } from 'react';
import { MapController } from './map';
import { Aggregation, ViewerModel } from './model';
import { PLACE_COLOURS, drawSeries, placeLabel, placesCsv, stepValue, timeLabel } from './series';
import { IViewerState, pythonCall, shareLink } from './state';

export interface IViewerOptions {
  /** animation speed, in time steps per second */
  stepsPerSecond: number;
  /** fetch the next time step's tiles ahead */
  prefetch: boolean;
  basemap: 'land-and-borders' | 'land' | 'none';
  /** for variables without a colour map of the server's */
  colourMap: string;
  /** opens the variable as a 3D cube, when the 3D cube plugin is there */
  openCube?: (ref: IDatasetRef) => void;
}

export class ViewerWidget extends ReactWidget {
  constructor(
    readonly model: ViewerModel,
    readonly options: IViewerOptions
  ) {
    super();
    this.addClass('esdl-Viewer');
    this.title.label = `${model.state.dataset}${model.state.variable ? ` · ${model.state.variable}` : ''}`;
    this.title.caption = `Map viewer: ${model.state.dataset} on ${model.state.server}`;
    model.defaultColourMap = options.colourMap;
    model.changed.connect(this._onModelChanged, this);
    void model.load();
  }

  /** The state to save with the workspace or the notebook. */
  get state(): IViewerState {
    return this.model.state;
  }

  /** The host of a model's deck.gl canvas, once rendered. */
  setMapHost(model: ViewerModel, host: HTMLDivElement | null): void {
    if (!host || this._maps.has(model)) {
      return;
    }
    const map = new MapController(host, model, {
      ...this.options,
      // the maps of a comparison move together
      onView: view => {
        for (const [other, controller] of this._maps) {
          if (other !== model) {
            other.setView(view);
            controller.setView(view);
          }
        }
      }
    });
    this._maps.set(model, map);
    void map.start().catch(error => {
      this._mapError = `The map could not start: ${(error as Error).message}`;
      this.update();
    });
  }

  /** The second map of a comparison (another variable or time of the dataset), or null. */
  get compare(): ViewerModel | null {
    return this._compare;
  }

  /** Shows or hides a second map beside the first, at the next time step, with its own colour bar. */
  toggleCompare(): void {
    if (this._compare) {
      this._maps.get(this._compare)?.dispose();
      this._maps.delete(this._compare);
      this._compare.dispose();
      this._compare = null;
    } else {
      const times = this.model.times;
      const next = times[(this.model.timeIndex + 1) % Math.max(1, times.length)];
      const { server, dataset, variable, dims, view } = this.model.state;
      const compare = new ViewerModel({
        state: { server, dataset, variable, dims, view, time: next },
        settings: this.model.settings
      });
      compare.defaultColourMap = this.options.colourMap;
      compare.changed.connect(() => {
        this._maps.get(compare)?.update();
        this.update();
      });
      this._compare = compare;
      void compare.load();
    }
    this.update();
  }

  get mapError(): string | null {
    return this._mapError;
  }

  /** Plays or stops the time animation. */
  togglePlay(): void {
    if (this._timer !== null) {
      window.clearInterval(this._timer);
      this._timer = null;
    } else {
      this._timer = window.setInterval(
        () => {
          const times = this.model.times;
          if (times.length < 2) {
            return;
          }
          this.model.setTimeIndex((this.model.timeIndex + 1) % times.length);
        },
        1000 / Math.max(0.1, this.speed)
      );
    }
    this.update();
  }

  /** Time steps per second while playing (starts at the setting's value). */
  get speed(): number {
    return this._speed ?? this.options.stepsPerSecond;
  }

  setSpeed(stepsPerSecond: number): void {
    this._speed = stepsPerSecond;
    if (this._timer !== null) {
      this.togglePlay();
      this.togglePlay();
    } else {
      this.update();
    }
  }

  get playing(): boolean {
    return this._timer !== null;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (this._timer !== null) {
      window.clearInterval(this._timer);
    }
    for (const map of this._maps.values()) {
      map.dispose();
    }
    this._compare?.dispose();
    this.model.dispose();
    super.dispose();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    for (const map of this._maps.values()) {
      map.resize();
    }
  }

  protected render(): JSX.Element {
    return <UseSignal signal={this.model.changed}>{() => <ViewerView widget={this} />}</UseSignal>;
  }

  private _onModelChanged(): void {
    const { state } = this.model;
    this.title.label = `${state.dataset}${state.variable ? ` · ${state.variable}` : ''}`;
    this._maps.get(this.model)?.update();
  }

  private _maps = new Map<ViewerModel, MapController>();
  private _compare: ViewerModel | null = null;
  private _mapError: string | null = null;
  private _timer: number | null = null;
  private _speed: number | null = null;
}

function ViewerView(props: { widget: ViewerWidget }): JSX.Element {
  const { widget } = props;
  const { model } = widget;
  const times = model.times;
  const index = model.timeIndex;
  return (
    <div className="esdl-Viewer-layout">
      <div className="esdl-Viewer-toolbar" role="toolbar" aria-label="Viewer controls">
        <label>
          Dataset{' '}
          <select
            className="jp-mod-styled"
            value={model.state.dataset}
            onChange={event => model.setDataset(event.target.value)}
          >
            {!model.dataset && <option value={model.state.dataset}>{model.state.dataset}</option>}
            {model.datasets.map(d => (
              <option key={d.id} value={d.id}>
                {d.title || d.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Variable{' '}
          <select
            className="jp-mod-styled"
            value={model.state.variable ?? ''}
            onChange={event => model.setVariable(event.target.value)}
          >
            {model.variables.map(v => (
              <option key={v.name} value={v.name}>
                {v.name}
                {v.title && v.title !== v.name ? ` · ${v.title}` : ''}
              </option>
            ))}
          </select>
        </label>
        {model.extraDimensions.map(dim => (
          <label key={dim.name}>
            {dim.name}{' '}
            <select
              className="jp-mod-styled"
              value={String(model.state.dims?.[dim.name] ?? '')}
              onChange={event => {
                const label = dim.labels.find(l => String(l) === event.target.value);
                if (label !== undefined) {
                  model.setDim(dim.name, label);
                }
              }}
            >
              {dim.labels.map(label => (
                <option key={String(label)} value={String(label)}>
                  {String(label)}
                  {dim.units ? ` ${dim.units}` : ''}
                </option>
              ))}
            </select>
          </label>
        ))}
        {times.length > 0 && (
          <TimeControls
            times={times}
            index={index}
            playing={widget.playing}
            onIndex={i => model.setTimeIndex(i)}
            onPlay={() => widget.togglePlay()}
            speed={widget.speed}
            onSpeed={speed => widget.setSpeed(speed)}
          />
        )}
        {model.drawing ? (
          <span className="esdl-Viewer-drawing">
            <button
              className="esdl-Viewer-button"
              disabled={model.drawing.length < 3}
              title="Close the area and show the time series of its values"
              onClick={() => void model.finishArea()}
            >
              Finish area ({model.drawing.length} corners)
            </button>{' '}
            <button className="esdl-Viewer-button" onClick={() => model.setDrawing(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button
            className="esdl-Viewer-button"
            title="Click the corners of an area on the map, then Finish: its mean, median and spread over time"
            onClick={() => model.setDrawing(true)}
          >
            Draw area
          </button>
        )}
        <button
          className="esdl-Viewer-button"
          aria-pressed={!!widget.compare}
          title="Show a second map beside this one, for another variable or time"
          onClick={() => widget.toggleCompare()}
        >
          Compare
        </button>
        {widget.options.openCube && model.variable && (
          <button
            className="esdl-Viewer-button"
            title="Open this variable as a 3D cube (longitude × latitude × time)"
            onClick={() =>
              widget.options.openCube!({
                server: model.state.server,
                dataset: model.state.dataset,
                variable: model.state.variable
              })
            }
          >
            3D cube
          </button>
        )}
        <CopyButtons state={model.state} />
      </div>
      {(model.error || widget.mapError) && (
        <div className="esdl-Viewer-error" role="alert">
          {model.error ?? widget.mapError}
        </div>
      )}
      <div className="esdl-Viewer-panes">
        <MapPane widget={widget} model={model} label="Map" />
        {widget.compare && <MapPane widget={widget} model={widget.compare} label="Comparison map" />}
      </div>
      {model.places.length > 0 && <Places model={model} />}
      {widget.compare && widget.compare.places.length > 0 && <Places model={widget.compare} />}
    </div>
  );
}

/** One map with its colour bar and tile status; the comparison map also has its own variable and time. */
function MapPane(props: { widget: ViewerWidget; model: ViewerModel; label: string }): JSX.Element {
  const { widget, model, label } = props;
  const compare = model !== widget.model;
  return (
    <div className="esdl-Viewer-pane" aria-label={label} role="region">
      {compare && (
        <div className="esdl-Viewer-paneBar">
          <select
            className="jp-mod-styled"
            aria-label="Comparison variable"
            value={model.state.variable ?? ''}
            onChange={event => model.setVariable(event.target.value)}
          >
            {model.variables.map(v => (
              <option key={v.name} value={v.name}>
                {v.name}
              </option>
            ))}
          </select>
          {model.times.length > 0 && (
            <select
              className="jp-mod-styled"
              aria-label="Comparison time"
              value={String(model.timeIndex)}
              onChange={event => model.setTimeIndex(Number(event.target.value))}
            >
              {model.times.map((time, i) => (
                <option key={time} value={String(i)}>
                  {timeLabel(time)}
                </option>
              ))}
            </select>
          )}
          {model.error && <span className="esdl-Viewer-tileError">{model.error}</span>}
        </div>
      )}
      <div className="esdl-Viewer-body">
        <div
          className="esdl-Viewer-map"
          ref={host => widget.setMapHost(model, host)}
          aria-label={compare ? 'Comparison map canvas' : 'Map'}
          role="application"
        />
        {model.variable && <Legend model={model} />}
        <TileStatus model={model} />
        <PointedValue model={model} />
      </div>
    </div>
  );
}

function TimeControls(props: {
  times: string[];
  index: number;
  playing: boolean;
  onIndex: (index: number) => void;
  onPlay: () => void;
  speed: number;
  onSpeed: (stepsPerSecond: number) => void;
}): JSX.Element {
  const speeds = [...new Set([0.5, 1, 2, 4, 8, props.speed])].sort((a, b) => a - b);
  const { times, index, onIndex } = props;
  const last = times.length - 1;
  return (
    <div className="esdl-Viewer-time" role="group" aria-label="Time">
      <button className="esdl-Viewer-button" title="First time step" aria-label="First" onClick={() => onIndex(0)}>
        «
      </button>
      <button
        className="esdl-Viewer-button"
        title="Previous time step"
        aria-label="Previous"
        onClick={() => onIndex(index - 1)}
      >
        ‹
      </button>
      <button
        className="esdl-Viewer-button"
        title={props.playing ? 'Stop the animation' : 'Play the time steps'}
        aria-label={props.playing ? 'Stop' : 'Play'}
        onClick={props.onPlay}
      >
        {props.playing ? '■' : '▶'}
      </button>
      <button
        className="esdl-Viewer-button"
        title="Next time step"
        aria-label="Next"
        onClick={() => onIndex(index + 1)}
      >
        ›
      </button>
      <button className="esdl-Viewer-button" title="Last time step" aria-label="Last" onClick={() => onIndex(last)}>
        »
      </button>
      <input
        type="range"
        min={0}
        max={last}
        value={index}
        aria-label="Time step"
        aria-valuetext={times[index]}
        onChange={event => onIndex(Number(event.target.value))}
      />
      <select
        className="esdl-Viewer-speed"
        aria-label="Speed"
        title="Time steps per second while playing"
        value={String(props.speed)}
        onChange={event => props.onSpeed(Number(event.target.value))}
      >
        {speeds.map(speed => (
          <option key={speed} value={String(speed)}>
            {speed}/s
          </option>
        ))}
      </select>
      <span className="esdl-Viewer-timeLabel" aria-live="polite">
        {timeLabel(times[index])} ({index + 1}/{times.length})
      </span>
    </div>
  );
}

function CopyButtons(props: { state: IViewerState }): JSX.Element {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (what: string, text: string) => {
    void navigator.clipboard?.writeText(text).then(
      () => setCopied(what),
      () => setCopied(null)
    );
  };
  return (
    <span className="esdl-Viewer-share">
      <button
        className="esdl-Viewer-button"
        title="Copy a Python call that reopens this view in a notebook"
        onClick={() => copy('python', pythonCall(props.state))}
      >
        {copied === 'python' ? 'Copied' : 'Copy as Python'}
      </button>{' '}
      <button
        className="esdl-Viewer-button"
        title="Copy a link that opens JupyterLab with this view"
        onClick={() =>
          copy(
            'link',
            shareLink(props.state, new URL(ServerConnection.makeSettings().baseUrl, window.location.href).href)
          )
        }
      >
        {copied === 'link' ? 'Copied' : 'Copy link'}
      </button>
    </span>
  );
}

function Legend(props: { model: ViewerModel }): JSX.Element {
  const { model } = props;
  const variable = model.variable!;
  const { cmap, vmin, vmax } = model.colourMapping;
  const image = model.colourBarImage(cmap);
  const reversed = cmap.endsWith('_r');
  const names = model.colourBars.flatMap(group => group.colorBars.map(bar => bar.name));
  const [minText, setMinText] = useState(String(vmin));
  const [maxText, setMaxText] = useState(String(vmax));
  useEffect(() => setMinText(String(vmin)), [vmin]);
  useEffect(() => setMaxText(String(vmax)), [vmax]);
  const apply = () => {
    const lo = Number(minText);
    const hi = Number(maxText);
    if (minText.trim() !== '' && maxText.trim() !== '' && Number.isFinite(lo) && Number.isFinite(hi) && lo !== hi) {
      model.setColour({ vmin: lo, vmax: hi });
    } else {
      setMinText(String(vmin));
      setMaxText(String(vmax));
    }
  };
  return (
    <div className="esdl-Viewer-legend" aria-label={`Colour bar of ${variable.name}`}>
      <div className="esdl-Viewer-legendTitle">
        {variable.title || variable.name}
        {variable.units ? ` (${variable.units})` : ''}
      </div>
      {image ? (
        <img
          className={`esdl-Viewer-colourBar${reversed ? ' esdl-mod-reversed' : ''}`}
          src={`data:image/png;base64,${image}`}
          alt={`colour map ${cmap}`}
        />
      ) : (
        <div className="esdl-Viewer-colourBar">{cmap}</div>
      )}
      <div className="esdl-Viewer-range">
        <input
          aria-label="Minimum"
          value={minText}
          onChange={event => setMinText(event.target.value)}
          onBlur={apply}
          onKeyDown={event => event.key === 'Enter' && apply()}
        />
        <input
          aria-label="Maximum"
          value={maxText}
          onChange={event => setMaxText(event.target.value)}
          onBlur={apply}
          onKeyDown={event => event.key === 'Enter' && apply()}
        />
      </div>
      <div className="esdl-Viewer-colourOptions">
        <select
          className="jp-mod-styled"
          aria-label="Colour map"
          value={cmap.replace(/_r$/, '')}
          onChange={event => model.setColour({ cmap: event.target.value + (reversed ? '_r' : '') })}
        >
          {!names.includes(cmap.replace(/_r$/, '')) && (
            <option value={cmap.replace(/_r$/, '')}>{cmap.replace(/_r$/, '')}</option>
          )}
          {names.map(name => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            checked={reversed}
            onChange={event => model.setColour({ cmap: cmap.replace(/_r$/, '') + (event.target.checked ? '_r' : '') })}
          />{' '}
          Reversed
        </label>
        <label>
          <input
            type="checkbox"
            checked={model.state.norm === 'log'}
            onChange={event => model.setColour({ norm: event.target.checked ? 'log' : 'lin' })}
          />{' '}
          Log scale
        </label>
        <button
          className="esdl-Viewer-button"
          title="Set the range to the 2nd and 98th percentiles of the values on the map"
          onClick={() => void model.fitRange()}
        >
          Fit to data
        </button>
        <label>
          Opacity{' '}
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={model.state.opacity ?? 1}
            onChange={event => model.setColour({ opacity: Number(event.target.value) })}
          />
        </label>
      </div>
      {model.fitError && <div className="esdl-Viewer-fitError">{model.fitError}</div>}
    </div>
  );
}

function PointedValue(props: { model: ViewerModel }): JSX.Element {
  const { model } = props;
  return (
    <UseSignal signal={model.pointedChanged}>
      {() => {
        const pointed = model.pointed;
        if (!pointed) {
          return null;
        }
        const units = model.variable?.units ?? '';
        return (
          <div className="esdl-Viewer-pointed" aria-live="polite" aria-label="Value under the cursor">
            {pointed.value === null ? 'no value' : `${pointed.value.toPrecision(4)}${units ? ` ${units}` : ''}`} at{' '}
            {placeLabel(pointed)}
          </div>
        );
      }}
    </UseSignal>
  );
}

function TileStatus(props: { model: ViewerModel }): JSX.Element {
  const { model } = props;
  return (
    <UseSignal signal={model.tilesChanged}>
      {() => {
        const tiles = model.tiles;
        return (
          <div className="esdl-Viewer-status" aria-live="off">
            {tiles.pending > 0 && <span className="esdl-Viewer-loading">Loading {tiles.pending} tiles… </span>}
            {tiles.fetched} tiles, {(tiles.bytes / 1024).toFixed(0)} KiB
            {tiles.failed > 0 && tiles.lastError && (
              <span className="esdl-Viewer-tileError" title={tiles.lastError}>
                {' '}
                · {tiles.failed} failed: {tiles.lastError}
              </span>
            )}
          </div>
        );
      }}
    </UseSignal>
  );
}

function Places(props: { model: ViewerModel }): JSX.Element {
  const { model } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const geometry = useRef<{ times: string[]; xs: number[] }>({ times: [], xs: [] });
  const places = model.places;
  useEffect(() => {
    if (canvas.current) {
      const style = getComputedStyle(canvas.current);
      geometry.current = drawSeries(canvas.current, places, {
        text: style.getPropertyValue('--jp-ui-font-color1').trim() || '#333',
        grid: style.getPropertyValue('--jp-border-color2').trim() || '#ccc',
        hover,
        aggregation: model.aggregation
      });
    }
  });
  const units = model.variable?.units ?? '';
  const name = `${model.state.dataset}-${model.state.variable ?? 'series'}`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([placesCsv(places, units, model.aggregation)], { type: 'text/csv' }));
    downloadUrl(url, `${name}.csv`);
    URL.revokeObjectURL(url);
  };
  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const { xs } = geometry.current;
    let best: number | null = null;
    for (let i = 0; i < xs.length; i++) {
      if (best === null || Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) {
        best = i;
      }
    }
    setHover(best);
  };
  const hovered =
    hover === null
      ? []
      : places.map(p => {
          const step = p.values?.[hover];
          return {
            place: p,
            value: step ? stepValue(step, p.ring ? model.aggregation : 'mean') : null,
            time: step?.time ?? ''
          };
        });
  const loaded = places.filter(p => p.values && p.values.length > 0);
  return (
    <section className="esdl-Viewer-places" aria-label="Time series of places">
      <header>
        <ul className="esdl-Viewer-placeList">
          {places.map(place => (
            <li key={place.id} style={{ color: PLACE_COLOURS[(place.id - 1) % PLACE_COLOURS.length] }}>
              <span>
                {place.variable} at {placeLabel(place)}
                {place.values === null
                  ? ' · loading…'
                  : place.error
                    ? ` · ${place.error}`
                    : ` · ${place.values.length} steps`}
              </span>
              <button
                className="esdl-Viewer-button"
                aria-label={`Remove the place ${placeLabel(place)}`}
                onClick={() => model.removePlace(place.id)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
        <span>
          {places.some(p => p.ring) && (
            <select
              className="jp-mod-styled"
              aria-label="Areas show"
              value={model.aggregation}
              onChange={event => model.setAggregation(event.target.value as Aggregation)}
            >
              <option value="mean">mean</option>
              <option value="median">median</option>
              <option value="meanstd">mean ± std</option>
            </select>
          )}{' '}
          <button className="esdl-Viewer-button" disabled={loaded.length === 0} onClick={download}>
            Export CSV
          </button>{' '}
          <button
            className="esdl-Viewer-button"
            disabled={loaded.length === 0}
            onClick={() => canvas.current && downloadUrl(canvas.current.toDataURL('image/png'), `${name}.png`)}
          >
            Export PNG
          </button>
        </span>
      </header>
      <canvas
        ref={canvas}
        className="esdl-Viewer-chart"
        role="img"
        aria-label={`Time series chart of ${loaded.length} places`}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
      />
      <div className="esdl-Viewer-hover" aria-live="polite">
        {hovered.length > 0 &&
          `${timeLabel(hovered[0].time)}: ` +
            hovered
              .map(
                h => `${typeof h.value === 'number' ? h.value.toPrecision(4) : 'no value'}${units ? ` ${units}` : ''}`
              )
              .join(' · ')}
      </div>
    </section>
  );
}

function downloadUrl(url: string, filename: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
}
