/**
 * The map: deck.gl (loaded when the first viewer opens) with an offline basemap from `world-atlas` and the
 * cube server's tiles of the model's variable, fetched through the proxy with the Jupyter credentials.
 *
 * A new time, variable or colour mapping makes a new tile layer; the old one stays drawn until the new one
 * has loaded the tiles in view, so that animation does not flash, and the next time step's tiles are fetched
 * ahead into the browser's cache.
 */
import type { Deck, Layer, MapViewState } from '@deck.gl/core';
import type { Feature, Geometry } from 'geojson';
import { IPlace, ViewerModel } from './model';
import { PLACE_COLOURS } from './series';
import { IViewState, colourMapping, tileRequest, wrapLongitude } from './state';

type DeckModules = {
  core: typeof import('@deck.gl/core');
  layers: typeof import('@deck.gl/layers');
  geo: typeof import('@deck.gl/geo-layers');
  land: Feature<Geometry>[];
  borders: Feature<Geometry>[];
};

let modules: Promise<DeckModules> | null = null;

/** deck.gl and the basemap, imported once, on first use. */
function loadModules(): Promise<DeckModules> {
  if (!modules) {
    modules = (async () => {
      const [core, layers, geo, topojson, land, countries] = await Promise.all([
        import('@deck.gl/core'),
        import('@deck.gl/layers'),
        import('@deck.gl/geo-layers'),
        import('topojson-client'),
        import('world-atlas/land-110m.json'),
        import('world-atlas/countries-110m.json')
      ]);
      const landTopo = (land as any).default ?? land;
      const countriesTopo = (countries as any).default ?? countries;
      const landFeatures = topojson.feature(landTopo, landTopo.objects.land) as any;
      const borderMesh = topojson.mesh(
        countriesTopo,
        countriesTopo.objects.countries,
        (a: unknown, b: unknown) => a !== b
      );
      return {
        core,
        layers,
        geo,
        land: landFeatures.features ?? [landFeatures],
        borders: [{ type: 'Feature', properties: {}, geometry: borderMesh } as Feature<Geometry>]
      };
    })();
    modules.catch(() => {
      modules = null;
    });
  }
  return modules;
}

/** A colour from a CSS variable of the JupyterLab theme, as deck.gl's [r, g, b, a]. */
function cssColour(element: HTMLElement, name: string, fallback: [number, number, number, number]) {
  const value = getComputedStyle(element).getPropertyValue(name).trim();
  const probe = document.createElement('canvas').getContext('2d');
  if (!value || !probe) {
    return fallback;
  }
  probe.fillStyle = value;
  const hex = probe.fillStyle;
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return match
    ? ([parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16), fallback[3]] as [
        number,
        number,
        number,
        number
      ])
    : fallback;
}

export class MapController {
  constructor(
    readonly host: HTMLDivElement,
    readonly model: ViewerModel,
    readonly options: {
      prefetch: boolean;
      basemap?: 'land-and-borders' | 'land' | 'none';
      onView?: (view: IViewState) => void;
    }
  ) {}

  /** Moves the map to a view (another map of a comparison moved). */
  setView(view: IViewState): void {
    this._deck?.setProps({ initialViewState: { ...view, minZoom: 0, maxZoom: 12 } });
  }

  /** Creates the deck.gl map in the host; resolves when it exists. */
  async start(): Promise<void> {
    // the basemap's colours follow JupyterLab's theme
    this._themeObserver = new MutationObserver(() => this.update());
    this._themeObserver.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name'] });
    const m = await loadModules();
    if (this._disposed) {
      return;
    }
    this._modules = m;
    // a new viewer shows the whole world across its width
    const fit = { longitude: 0, latitude: 0, zoom: Math.max(0, Math.log2(Math.max(256, this.host.clientWidth) / 512)) };
    const view = this.model.state.view ?? fit;
    this._deck = new m.core.Deck({
      parent: this.host,
      views: new m.core.MapView({ repeat: true }),
      initialViewState: { ...view, minZoom: 0, maxZoom: 12 },
      controller: { doubleClickZoom: true, dragRotate: false },
      layers: [],
      onViewStateChange: ({ viewState }) => {
        const v = viewState as MapViewState;
        const view = { longitude: v.longitude, latitude: v.latitude, zoom: v.zoom };
        this.model.setView(view);
        this.options.onView?.(view);
        return viewState;
      },
      onClick: info => {
        if (info.coordinate) {
          const [lon, lat] = info.coordinate;
          const longitude = wrapLongitude(lon);
          if (this.model.drawing) {
            this.model.addCorner(longitude, lat);
          } else {
            void this.model.addPlace(longitude, lat);
          }
        }
      },
      onHover: info => {
        if (info.coordinate) {
          const [lon, lat] = info.coordinate;
          this.model.pointAt(wrapLongitude(lon), lat);
        } else {
          this.model.pointAt(null, null);
        }
      },
      getCursor: ({ isDragging }) => (isDragging ? 'grabbing' : 'crosshair')
    });
    this.update();
  }

  /** Redraws after a change of the model (or of the theme). */
  update(): void {
    const m = this._modules;
    const deck = this._deck;
    if (!m || !deck) {
      return;
    }
    const key = this._tileKey();
    if (key !== this._currentKey) {
      if (this._current) {
        this._previous = this._current;
      }
      this._currentKey = key;
      this._current = key ? this._tileLayer(key) : null;
      this.model.clearTileErrors();
      if (key) {
        this._announce('esdl-viewer-layer', key);
      }
    }
    const land = cssColour(this.host, '--jp-layout-color3', [190, 190, 190, 255]);
    const line = cssColour(this.host, '--jp-ui-font-color2', [90, 90, 90, 255]);
    const basemap = this.options.basemap ?? 'land-and-borders';
    const layers: Layer[] = [
      new m.layers.GeoJsonLayer({
        id: 'land',
        visible: basemap !== 'none',
        data: m.land,
        filled: true,
        stroked: false,
        getFillColor: land,
        updateTriggers: { getFillColor: land.join() }
      }) as unknown as Layer
    ];
    if (this._previous) {
      layers.push(this._previous);
    }
    if (this._current) {
      layers.push(this._current);
    }
    layers.push(
      new m.layers.GeoJsonLayer({
        id: 'borders',
        visible: basemap === 'land-and-borders',
        data: m.borders,
        filled: false,
        stroked: true,
        lineWidthUnits: 'pixels',
        getLineWidth: 0.7,
        getLineColor: [line[0], line[1], line[2], 160],
        updateTriggers: { getLineColor: line.join() }
      }) as unknown as Layer
    );
    const areas = this.model.places.filter(place => place.ring);
    const drawing = this.model.drawing;
    if (areas.length > 0 || (drawing && drawing.length > 0)) {
      layers.push(
        new m.layers.PathLayer<{ path: [number, number][]; colour: [number, number, number, number] }>({
          id: 'areas',
          data: [
            ...areas.map(area => ({
              path: area.ring!,
              colour: hexColour(PLACE_COLOURS[(area.id - 1) % PLACE_COLOURS.length])
            })),
            ...(drawing && drawing.length > 0
              ? [{ path: drawing, colour: [line[0], line[1], line[2], 255] as [number, number, number, number] }]
              : [])
          ],
          getPath: d => d.path,
          getColor: d => d.colour,
          widthUnits: 'pixels',
          getWidth: 2
        }) as unknown as Layer
      );
    }
    const places = this.model.places.filter(place => !place.ring);
    if (places.length > 0 || (drawing && drawing.length > 0)) {
      layers.push(
        new m.layers.ScatterplotLayer<IPlace>({
          id: 'places',
          data: [
            ...places,
            ...(drawing ?? []).map(([longitude, latitude]) => ({ id: 0, longitude, latitude }) as IPlace)
          ],
          getPosition: place => [place.longitude, place.latitude],
          getFillColor: place =>
            place.id === 0
              ? [line[0], line[1], line[2], 255]
              : hexColour(PLACE_COLOURS[(place.id - 1) % PLACE_COLOURS.length]),
          getLineColor: [255, 255, 255, 255],
          stroked: true,
          radiusUnits: 'pixels',
          getRadius: 5,
          lineWidthUnits: 'pixels',
          getLineWidth: 1.5
        }) as unknown as Layer
      );
    }
    // while drawing an area, quick clicks are corners, not a double-click zoom
    const drawingNow = drawing !== null;
    if (drawingNow !== this._drawing) {
      this._drawing = drawingNow;
      deck.setProps({ controller: { doubleClickZoom: !drawingNow, dragRotate: false } });
    }
    deck.setProps({ layers });
  }

  /** Where the view is, for the state. */
  resize(): void {
    this._deck?.redraw('resize');
  }

  dispose(): void {
    this._disposed = true;
    this._themeObserver?.disconnect();
    this._deck?.finalize();
    this._deck = null;
  }

  private _tileKey(): string | null {
    const variable = this.model.variable;
    if (!variable || this.model.error) {
      return null;
    }
    const { state } = this.model;
    const { cmap, vmin, vmax } = colourMapping(state, variable, this.model.defaultColourMap);
    return JSON.stringify([
      state.dataset,
      variable.name,
      state.time ?? '',
      cmap,
      vmin,
      vmax,
      state.norm ?? 'lin',
      state.dims ?? {},
      state.opacity ?? 1
    ]);
  }

  private _tileLayer(key: string): Layer {
    const m = this._modules!;
    const model = this.model;
    const variable = model.variable!;
    const state = { ...model.state };
    const next = model.times[model.timeIndex + 1];
    const layer = new m.geo.TileLayer<ImageBitmap | null>({
      id: `tiles-${key}`,
      minZoom: variable.tileLevelMin ?? 0,
      maxZoom: variable.tileLevelMax ?? 8,
      tileSize: 256,
      opacity: state.opacity ?? 1,
      maxRequests: 8,
      getTileData: async ({ index, signal }) => {
        model.countTile('started');
        try {
          const blob = await model.client.tile(tileRequest(state, variable, index, model.defaultColourMap), { signal });
          model.countTile('done', blob.size);
          return await createImageBitmap(blob);
        } catch (error) {
          if ((error as Error).name === 'AbortError') {
            model.countTile('failed');
            return null;
          }
          model.countTile('failed', (error as Error).message);
          throw error;
        }
      },
      onViewportLoad: tiles => {
        this._announce('esdl-viewer-load', key);
        if (this._current === layer && this._previous) {
          this._previous = null;
          this.update();
        }
        if (next && this.options.prefetch) {
          // the next time step into the browser's cache (the cube server lets it keep tiles)
          const ahead = { ...state, time: next };
          for (const tile of tiles.slice(0, 16)) {
            void model.client
              .tile(tileRequest(ahead, variable, tile.index, model.defaultColourMap))
              .catch(() => undefined);
          }
        }
      },
      renderSubLayers: props => {
        const { west, south, east, north } = props.tile.bbox as {
          west: number;
          south: number;
          east: number;
          north: number;
        };
        return new m.layers.BitmapLayer({
          id: props.id,
          image: props.data as ImageBitmap | null,
          bounds: [west, south, east, north]
        });
      }
    });
    return layer as unknown as Layer;
  }

  /** Tells listeners on the host (the benchmark, tests) that a tile layer started or has its tiles in view. */
  private _announce(type: 'esdl-viewer-layer' | 'esdl-viewer-load', key: string): void {
    this.host.dispatchEvent(new CustomEvent(type, { detail: { key, time: performance.now() } }));
  }

  private _modules: DeckModules | null = null;
  private _deck: Deck<any> | null = null;
  private _current: Layer | null = null;
  private _previous: Layer | null = null;
  private _currentKey: string | null = null;
  private _disposed = false;
  private _drawing = false;
  private _themeObserver: MutationObserver | null = null;
}

function hexColour(hex: string): [number, number, number, number] {
  const value = parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255, 255];
}
