/**
 * The 3D cube widget: a three.js scene whose six faces show slices of a cube-server variable. Loaded with
 * `import()` only when a cube opens, so three.js and zarrita cost nothing at JupyterLab start-up.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { Widget } from '@lumino/widgets';
import { IDatasetRef } from '@esdl-lab/core';
import { checkerboard, COLORMAP_NAMES, colormapTable, fittedRange } from './colormaps';
import { FaceMaterial, tableTexture } from './faceshader';
import {
  Axis,
  cubeFaces,
  defaultShownDims,
  namedShownDims,
  faceQuad,
  faceVisible,
  dragSteps,
  IFace,
  IRange,
  ISelection,
  IShownDim,
  moveFace,
  panRange,
  sceneCoordinate,
  sceneSizes,
  zoomRange
} from './geometry';
import { RangeControls } from './ranges';
import { createAnimationControls } from './animation';
import { formatCoordinate, formatValue } from './labels';
import { ICubeData, ICubeVariable } from './data';

/** What a face mesh shows now: its slice, its values (for the readout) and whether they have arrived. */
interface IFaceState {
  face: IFace;
  mesh: THREE.Mesh<THREE.BufferGeometry, FaceMaterial>;
  key: string;
  values: Float32Array | null;
  width: number;
  height: number;
}

/** What a caller may choose at the start (a notebook's `show_cube(..., cmap=, vmin=, vmax=)`). */
export interface ICube3DOptions {
  cmap?: string;
  vmin?: number;
  vmax?: number;
  /** the colour map of a variable that names none (a setting) */
  fallbackCmap?: string;
  /** the chunk cache of a cube-server cube, in bytes (a setting) */
  cacheBytes?: number;
  /** where the values come from; by default the cube server's Zarr store of the reference */
  data?: () => Promise<ICubeData>;
  /** told when the user changes the colour map or range (a kernel widget syncs them back) */
  onColourChange?: (colour: { cmap: string; vmin: number; vmax: number }) => void;
  /** the three dimensions to show (by default time, lat and lon, or the last three) */
  dims?: string[];
  /** the index of each dimension not shown (by default 0) */
  at?: Record<string, number>;
  /** told when a face moves, with the [start, end) index range of each shown dimension */
  onRangesChange?: (ranges: [number, number][]) => void;
}

const ISOMETRIC = new THREE.Vector3(1.1, 0.9, 1.6);

/** How long a lost WebGL context may take to come back before the cube makes a new one. */
const RESTORE_WAIT_MS = 2000;

/**
 * A drag that started on a face: it slices along the face's axis instead of rotating the cube, or with Shift
 * held pans the face's data (moves its two in-face ranges).
 */
interface IDrag {
  state: IFaceState;
  pointerId: number;
  start: [number, number];
  ranges: [IRange, IRange, IRange];
  /** the screen vector over which each shown axis grows across its whole range */
  axisPixels: [number, number][];
  pan: boolean;
}

/** The name of a face by where it lies in the scene. */
function faceName(normal: [number, number, number]): string {
  const names = [
    ['Left', 'Right'],
    ['Bottom', 'Top'],
    ['Back', 'Front']
  ];
  const axis = normal.findIndex(n => n !== 0);
  return names[axis][normal[axis] > 0 ? 1 : 0];
}

export class Cube3DWidget extends Widget {
  private data: ICubeData | null = null;
  private info: ICubeVariable | null = null;
  private dims: IShownDim[] = [];
  private coords: Float64Array[] = [];
  private coordAttrs: Record<string, unknown>[] = [];
  private selection: ISelection | null = null;
  private renderer: THREE.WebGLRenderer | null = null;
  private camera: THREE.OrthographicCamera | null = null;
  private controls: OrbitControls | null = null;
  private readonly scene = new THREE.Scene();
  private faces: IFaceState[] = [];
  private colormap = 'viridis';
  private vmin = 0;
  private vmax = 1;
  private generation = 0;
  private selected: IFaceState | null = null;
  private pending = 0;
  private drag: IDrag | null = null;
  // a notebook output is resized by its cell, not by Lumino messages
  private readonly resizeObserver = new ResizeObserver(() => this.resizeRenderer());
  private readonly viewport: HTMLDivElement;
  private readonly labelLayer: HTMLDivElement;
  private readonly statusLine: HTMLDivElement;
  private readonly readout: HTMLDivElement;
  private readonly sliceLine: HTMLDivElement;
  private readonly titleLine: HTMLDivElement;
  private readonly cmapSelect: HTMLSelectElement;
  private readonly minInput: HTMLInputElement;
  private readonly maxInput: HTMLInputElement;
  private readonly logInput: HTMLInputElement;
  private readonly legend: HTMLCanvasElement;
  private rangeControls: RangeControls | null = null;
  private restoreTimer = 0;
  /** the colour map's table on the GPU, shared by the faces' materials */
  private table: THREE.DataTexture | null = null;
  private autoRange = false;
  private readonly coordinates = new Map<string, Promise<{ values: Float64Array; attrs: Record<string, unknown> }>>();
  private log = false;

  constructor(
    readonly ref: IDatasetRef,
    private readonly initial: ICube3DOptions = {}
  ) {
    super();
    this.addClass('esdl-Cube3D');
    this.id = `esdl-cube3d-${ref.server}-${ref.dataset}-${ref.variable ?? ''}`.replace(/[^\w-]/g, '_');
    this.title.label = `${ref.dataset}${ref.variable ? ` ${ref.variable}` : ''} (3D)`;
    this.title.closable = true;

    const toolbar = document.createElement('div');
    toolbar.className = 'esdl-Cube3D-toolbar';
    this.titleLine = document.createElement('div');
    this.titleLine.className = 'esdl-Cube3D-title';
    this.cmapSelect = document.createElement('select');
    this.cmapSelect.setAttribute('aria-label', 'Colour map');
    for (const name of COLORMAP_NAMES) {
      this.cmapSelect.append(new Option(name, name));
    }
    this.minInput = this.numberInput('Minimum value');
    this.maxInput = this.numberInput('Maximum value');
    const reset = document.createElement('button');
    reset.textContent = 'Isometric';
    reset.title = 'Reset the view to the isometric one';
    reset.addEventListener('click', () => this.setView('isometric'));
    const fit = document.createElement('button');
    fit.textContent = 'Fit';
    fit.title = 'Fit the colour range to the data in view (2nd to 98th percentile)';
    fit.addEventListener('click', () => this.fitRange());
    const front = document.createElement('button');
    front.textContent = 'Front';
    front.title = 'Look straight at the front face';
    front.addEventListener('click', () => this.setView('front'));
    const logLabel = document.createElement('label');
    this.logInput = document.createElement('input');
    this.logInput.type = 'checkbox';
    logLabel.append(this.logInput, ' log');
    this.logInput.addEventListener('change', () => {
      if (this.logInput.checked && this.vmin <= 0) {
        this.logInput.checked = false;
        this.showMessage('A log scale needs a minimum above 0.');
        return;
      }
      this.log = this.logInput.checked;
      this.recolour();
    });
    this.legend = document.createElement('canvas');
    this.legend.className = 'esdl-Cube3D-legend';
    this.legend.width = 128;
    this.legend.height = 10;
    toolbar.append(
      this.titleLine,
      this.cmapSelect,
      this.minInput,
      this.legend,
      this.maxInput,
      fit,
      logLabel,
      reset,
      front
    );

    this.viewport = document.createElement('div');
    this.viewport.className = 'esdl-Cube3D-viewport';
    this.labelLayer = document.createElement('div');
    this.labelLayer.className = 'esdl-Cube3D-labels';
    this.viewport.append(this.labelLayer);

    const footer = document.createElement('div');
    footer.className = 'esdl-Cube3D-footer';
    this.readout = document.createElement('div');
    this.readout.className = 'esdl-Cube3D-readout';
    this.readout.setAttribute('role', 'status');
    this.readout.setAttribute('aria-label', 'Value under the cursor');
    this.readout.setAttribute('aria-live', 'polite');
    this.sliceLine = document.createElement('div');
    this.sliceLine.className = 'esdl-Cube3D-slice';
    this.sliceLine.setAttribute('aria-label', 'Selected face');
    this.statusLine = document.createElement('div');
    this.statusLine.className = 'esdl-Cube3D-status';
    footer.append(this.readout, this.sliceLine, this.statusLine);
    this.node.append(toolbar, this.viewport, footer);

    this.cmapSelect.addEventListener('change', () => {
      this.colormap = this.cmapSelect.value;
      this.recolour();
      this.colourChanged();
    });
    for (const input of [this.minInput, this.maxInput]) {
      input.addEventListener('change', () => {
        const [low, high] = [Number(this.minInput.value), Number(this.maxInput.value)];
        if (Number.isFinite(low) && Number.isFinite(high) && low < high) {
          [this.vmin, this.vmax] = [low, high];
          this.recolour();
          this.colourChanged();
        } else {
          this.showMessage('The minimum must be a number below the maximum.');
        }
      });
    }
    this.viewport.addEventListener('pointermove', event => this.onPointerMove(event));
    // in the capture phase, before OrbitControls sees the press: a press on a face slices, elsewhere rotates
    this.viewport.addEventListener('pointerdown', event => this.onPointerDown(event), { capture: true });
    this.viewport.addEventListener('wheel', event => this.onWheel(event), { capture: true, passive: false });
    this.viewport.addEventListener('pointerup', event => this.endDrag(event));
    this.viewport.addEventListener('pointercancel', event => this.endDrag(event));
  }

  /** Reads the dataset's metadata and coordinates and draws the cube; failures show as a message. */
  async load(): Promise<void> {
    try {
      let opening: Promise<ICubeData>;
      if (this.initial.data) {
        opening = this.initial.data();
      } else {
        const { ZarrCubeData } = await import('./source');
        opening = ZarrCubeData.open(this.ref.server, this.ref.dataset, this.ref.variable, this.initial.cacheBytes);
      }
      // the WebGL context (tens of milliseconds in software) is made while the metadata is on its way
      opening.catch(() => undefined);
      this.createContext();
      this.data = await opening;
      const info = this.data.variable;
      this.setVariable(info);
      const shown = this.initial.dims ? namedShownDims(info.dims, this.initial.dims) : defaultShownDims(info.dims);
      const fixed = info.dims.map((dim, i) => Math.max(0, Math.min(info.shape[i] - 1, this.initial.at?.[dim] ?? 0)));
      await this.showDims(shown, fixed);
      this.createScene();
      this.addControl(createAnimationControls(this));
      this.redraw();
    } catch (error) {
      this.showMessage((error as Error).message);
    }
  }

  /** Sets the colour map and range (from a kernel widget); an unknown map throws with the known names. */
  setColour(cmap: string, vmin: number, vmax: number): void {
    colormapTable(cmap);
    [this.colormap, this.vmin, this.vmax] = [cmap, vmin, vmax];
    this.cmapSelect.value = cmap;
    this.minInput.value = String(vmin);
    this.maxInput.value = String(vmax);
    this.recolour();
  }

  /** The cube as drawn now, as PNG bytes (the canvas keeps its drawing buffer, so this is what is seen). */
  async toPNG(): Promise<Uint8Array> {
    if (!this.renderer || !this.camera) {
      throw new Error('The cube is not drawn yet.');
    }
    this.renderer.render(this.scene, this.camera);
    const blob = await new Promise<Blob | null>(resolve => this.renderer!.domElement.toBlob(resolve, 'image/png'));
    if (!blob) {
      throw new Error('The browser could not encode the cube as PNG.');
    }
    return new Uint8Array(await blob.arrayBuffer());
  }

  /** The [start, end) index range of each shown dimension. */
  get ranges(): [number, number][] {
    return (this.selection?.ranges ?? []).map(r => [r.start, r.end]);
  }

  /**
   * Shows the given [start, end) index range of each shown dimension (clamped to the data, at least one cell
   * each); unchanged ranges draw nothing. Tells onRangesChange only when `notify` is set (a user's change).
   */
  setRanges(ranges: [number, number][], notify = false): void {
    if (!this.selection || ranges.length !== 3) {
      return;
    }
    const next = ranges.map(([start, end], axis) => {
      const size = this.dims[axis].size;
      const first = Math.max(0, Math.min(size - 1, Math.round(start)));
      return { start: first, end: Math.max(first + 1, Math.min(size, Math.round(end))) };
    }) as [IRange, IRange, IRange];
    if (next.every((r, i) => r.start === this.selection!.ranges[i].start && r.end === this.selection!.ranges[i].end)) {
      return;
    }
    this.selection.ranges = next;
    this.clearMessage();
    this.redraw();
    if (notify) {
      this.initial.onRangesChange?.(this.ranges);
    }
  }

  /** The shown dimensions (name and length, in the order of `ranges`), once loaded. */
  get shownDims(): { name: string; size: number }[] {
    return this.dims.map(d => ({ name: d.name, size: d.size }));
  }

  /** A coordinate of a shown dimension as a label (a date, degrees, a depth). */
  coordinateLabel(axis: number, index: number): string {
    return formatCoordinate(this.dims[axis].name, this.coords[axis][index], this.coordAttrs[axis], this.coords[axis]);
  }

  /** The canvas the cube is drawn on (null until the renderer exists, which is made as the cube starts to load). */
  get canvas(): HTMLCanvasElement | null {
    return this.renderer?.domElement ?? null;
  }

  /** Resolves when every visible face shows its data and nothing is on its way (a stable picture). */
  async drawn(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.complete && this.pending === 0)) {
      if (Date.now() > deadline) {
        throw new Error('The cube did not finish drawing in time.');
      }
      await new Promise(resolve => requestAnimationFrame(resolve));
    }
  }

  /** Adds a control (e.g. the animation's) to the toolbar. */
  addControl(element: HTMLElement): void {
    this.node.querySelector('.esdl-Cube3D-toolbar')!.append(element);
  }

  /** Chunks and bytes fetched so far (for tests and benchmarks). */
  get fetched(): { chunks: number; bytes: number } {
    return this.data ? this.data.fetched : { chunks: 0, bytes: 0 };
  }

  /** Whether every visible face shows its data. */
  get complete(): boolean {
    return this.faces.length > 0 && this.visibleFaces().every(f => f.values !== null);
  }

  /** Looks at the cube from the front (face-on) or from the isometric corner. */
  setView(view: 'isometric' | 'front'): void {
    if (!this.camera || !this.controls) {
      return;
    }
    const direction = view === 'front' ? new THREE.Vector3(0, 0, 1) : ISOMETRIC.clone().normalize();
    this.camera.position.copy(direction.multiplyScalar(5));
    this.camera.up.set(0, 1, 0);
    this.camera.zoom = 1;
    this.camera.updateProjectionMatrix();
    this.controls.target.set(0, 0, 0);
    this.controls.update();
    this.redraw();
  }

  protected onResize(): void {
    this.resizeRenderer();
  }

  protected onAfterShow(): void {
    this.resizeRenderer();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.generation += 1;
    window.clearTimeout(this.restoreTimer);
    this.resizeObserver.disconnect();
    this.controls?.dispose();
    for (const state of this.faces) {
      state.mesh.geometry.dispose();
      state.mesh.material.dispose();
    }
    this.table?.dispose();
    this.renderer?.dispose();
    this.data?.dispose();
    super.dispose();
  }

  private numberInput(label: string): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'number';
    input.step = 'any';
    input.setAttribute('aria-label', label);
    input.className = 'esdl-Cube3D-range';
    return input;
  }

  /**
   * Shows three dimensions of the variable (indices in its order), the others at the `fixed` index: loads their
   * coordinates, resets the ranges to the whole of each, and (for more than three dimensions) the controls that
   * choose them. A dimension of length 1 cannot be shown: that is an error that names it.
   */
  private async showDims(shown: [number, number, number], fixed: number[]): Promise<void> {
    const info = this.info!;
    const short = shown.filter(d => info.shape[d] < 2).map(d => info.dims[d]);
    if (short.length) {
      const others = info.dims.filter((_, i) => info.shape[i] >= 2);
      throw new Error(
        `"${info.name}" has only one element along ${short.join(', ')}; a cube needs at least two along each ` +
          `dimension it shows${others.length >= 3 ? `: choose three of ${others.join(', ')}` : ''}.`
      );
    }
    const loaded = await Promise.all(shown.map(dim => this.coordinate(info.dims[dim])));
    this.generation += 1;
    this.selection = {
      shown,
      fixed,
      ranges: shown.map(d => ({ start: 0, end: info.shape[d] })) as [IRange, IRange, IRange]
    };
    loaded.forEach(({ values, attrs }, axis) => {
      this.coords[axis] = values;
      this.coordAttrs[axis] = attrs;
      this.dims[axis] = {
        name: info.dims[shown[axis]],
        size: info.shape[shown[axis]],
        descending: values.length > 1 && values[1] < values[0]
      };
    });
    const controls = new RangeControls(
      this.dims.map((dim, axis) => ({ ...dim, values: this.coords[axis], attrs: this.coordAttrs[axis] })),
      this.ranges,
      ranges => this.setRanges(ranges, true),
      message => this.showMessage(message)
    );
    if (this.rangeControls) {
      this.rangeControls.node.replaceWith(controls.node);
    } else {
      this.viewport.before(controls.node);
    }
    this.rangeControls = controls;
    if (info.dims.length > 3) {
      await this.showDimsControls();
    }
    for (const state of this.faces) {
      state.key = '';
      state.values = null;
    }
    this.clearMessage();
    this.redraw();
  }

  /**
   * For a variable of more than three dimensions: which three the cube shows, and the index of each other one
   * (with its coordinate labels, e.g. depths).
   */
  private async showDimsControls(): Promise<void> {
    const info = this.info!;
    const selection = this.selection!;
    const bar = document.createElement('div');
    bar.className = 'esdl-Cube3D-dims';
    const choice = document.createElement('select');
    choice.setAttribute('aria-label', 'Dimensions shown');
    const n = info.dims.length;
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        for (let c = b + 1; c < n; c++) {
          const option = new Option(`${info.dims[a]} × ${info.dims[b]} × ${info.dims[c]}`, `${a},${b},${c}`);
          option.selected = [a, b, c].every((d, i) => selection.shown[i] === d);
          choice.append(option);
        }
      }
    }
    choice.addEventListener('change', () => {
      const shown = choice.value.split(',').map(Number) as [number, number, number];
      this.showDims(shown, this.selection!.fixed).catch(error => {
        this.showMessage((error as Error).message);
        choice.value = this.selection!.shown.join(',');
      });
    });
    bar.append(choice);
    for (let dim = 0; dim < n; dim++) {
      if (selection.shown.includes(dim)) {
        continue;
      }
      const { values, attrs } = await this.coordinate(info.dims[dim]);
      const label = document.createElement('label');
      const select = document.createElement('select');
      select.setAttribute('aria-label', `${info.dims[dim]} shown`);
      values.forEach((value, i) =>
        select.append(new Option(formatCoordinate(info.dims[dim], value, attrs, values), String(i)))
      );
      select.value = String(selection.fixed[dim]);
      select.addEventListener('change', () => {
        const fixed = [...this.selection!.fixed];
        fixed[dim] = Number(select.value);
        this.showDims(this.selection!.shown, fixed).catch(error => this.showMessage((error as Error).message));
      });
      label.append(`${info.dims[dim]} `, select);
      bar.append(label);
    }
    this.node.querySelector('.esdl-Cube3D-dims')?.remove();
    this.rangeControls!.node.before(bar);
  }

  /** A dimension's coordinate, read once. */
  private coordinate(dim: string): Promise<{ values: Float64Array; attrs: Record<string, unknown> }> {
    let coordinate = this.coordinates.get(dim);
    if (!coordinate) {
      coordinate = this.data!.coordinate(dim);
      coordinate.catch(() => this.coordinates.delete(dim));
      this.coordinates.set(dim, coordinate);
    }
    return coordinate;
  }

  private setVariable(info: ICubeVariable): void {
    if (info.shape.length < 3) {
      throw new Error(`"${info.name}" has ${info.shape.length} dimensions; a cube needs three (e.g. time, lat, lon).`);
    }
    this.info = info;
    const attrs = info.attrs;
    const name = typeof attrs.long_name === 'string' ? attrs.long_name : info.name;
    this.titleLine.textContent = `${name}${attrs.units ? ` (${attrs.units})` : ''} — ${this.ref.dataset}`;
    this.colormap =
      typeof attrs.color_bar_name === 'string' && COLORMAP_NAMES.includes(attrs.color_bar_name)
        ? attrs.color_bar_name
        : (this.initial.fallbackCmap ?? 'viridis');
    if (this.initial.cmap) {
      colormapTable(this.initial.cmap);
      this.colormap = this.initial.cmap;
    }
    this.cmapSelect.value = this.colormap;
    const range = attrs.actual_range as number[] | undefined;
    this.vmin = Number(attrs.color_value_min ?? range?.[0] ?? 0);
    this.vmax = Number(attrs.color_value_max ?? range?.[1] ?? 1);
    // a variable that names no range gets one from the first faces drawn
    this.autoRange = attrs.color_value_min === undefined && range === undefined && this.initial.vmin === undefined;
    this.vmin = this.initial.vmin ?? this.vmin;
    this.vmax = this.initial.vmax ?? this.vmax;
    this.minInput.value = String(this.vmin);
    this.maxInput.value = String(this.vmax);
    this.drawLegend();
  }

  /** The camera and the renderer (once). */
  private createContext(): void {
    if (this.camera) {
      return;
    }
    this.camera = new THREE.OrthographicCamera(-1, 1, 1, -1, 0.1, 100);
    this.createRenderer();
    this.resizeObserver.observe(this.viewport);
  }

  private createScene(): void {
    this.createContext();
    if (this.renderer) {
      this.labelCanvas(this.renderer.domElement);
    }
    for (const face of cubeFaces(this.selection!.ranges)) {
      const geometry = new THREE.BufferGeometry();
      geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(12), 3));
      geometry.setAttribute('uv', new THREE.BufferAttribute(new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]), 2));
      geometry.setIndex([0, 1, 2, 0, 2, 3]);
      this.table ??= tableTexture(colormapTable(this.colormap));
      const material = new FaceMaterial(this.table);
      material.setRange(this.vmin, this.vmax, this.log);
      const mesh = new THREE.Mesh(geometry, material);
      this.scene.add(mesh);
      this.faces.push({ face, mesh, key: '', values: null, width: 0, height: 0 });
    }
    this.selected = this.faces[0];
    this.resizeRenderer();
    this.setView('isometric');
  }

  /** Names the canvas for screen readers (with the variable, once it is known). */
  private labelCanvas(canvas: HTMLCanvasElement): void {
    const of = this.info ? ` of ${this.info.name}` : '';
    canvas.setAttribute('aria-label', `3D cube${of}: drag a face or use the arrow keys to move its slice`);
  }

  /** The WebGL renderer, its canvas (with keyboard and context-loss handling) and the camera's controls. */
  private createRenderer(): void {
    let renderer: THREE.WebGLRenderer;
    try {
      renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true, preserveDrawingBuffer: true });
    } catch (error) {
      throw new Error(
        `The browser could not create a WebGL2 context (${(error as Error).message}): turn on hardware ` +
          'acceleration or close other 3D views, then open the cube again.'
      );
    }
    // transparent: the theme's background shows around the cube, and the labels stay readable on it
    renderer.setClearColor(0x000000, 0);
    renderer.setPixelRatio(window.devicePixelRatio);
    this.labelCanvas(renderer.domElement);
    renderer.domElement.tabIndex = 0;
    renderer.domElement.addEventListener('keydown', event => this.onKeyDown(event));
    renderer.domElement.addEventListener('webglcontextlost', event => {
      // preventDefault asks the browser to restore the context; if it does not, a new renderer replaces this one
      event.preventDefault();
      this.showMessage('The WebGL context was lost (a GPU reset, or too many 3D views open); re-creating the cube…');
      window.clearTimeout(this.restoreTimer);
      this.restoreTimer = window.setTimeout(() => this.replaceRenderer(), RESTORE_WAIT_MS);
    });
    renderer.domElement.addEventListener('webglcontextrestored', () => {
      window.clearTimeout(this.restoreTimer);
      this.contextBack();
    });
    this.viewport.prepend(renderer.domElement);
    this.renderer = renderer;
    this.controls = new OrbitControls(this.camera!, renderer.domElement);
    this.controls.addEventListener('change', () => this.redraw());
  }

  /** A renderer on a new canvas, for a lost context the browser did not give back. */
  private replaceRenderer(): void {
    if (this.isDisposed || !this.renderer) {
      return;
    }
    this.controls?.dispose();
    this.renderer.domElement.remove();
    this.renderer.dispose();
    try {
      this.createRenderer();
    } catch (error) {
      this.renderer = null;
      this.showMessage((error as Error).message);
      return;
    }
    this.contextBack();
  }

  /** Uploads every face again (textures died with the old context) and draws. */
  private contextBack(): void {
    for (const state of this.faces) {
      state.key = '';
    }
    this.clearMessage();
    this.resizeRenderer();
    this.redraw();
  }

  private resizeRenderer(): void {
    if (!this.renderer || !this.camera) {
      return;
    }
    const { clientWidth: width, clientHeight: height } = this.viewport;
    if (width === 0 || height === 0) {
      return;
    }
    this.renderer.setSize(width, height);
    // the longest edge (1 scene unit) takes about two thirds of the shorter side, leaving room for the labels
    const half = 0.75;
    const aspect = width / height;
    Object.assign(this.camera, {
      left: -half * Math.max(aspect, 1),
      right: half * Math.max(aspect, 1),
      top: half / Math.min(aspect, 1),
      bottom: -half / Math.min(aspect, 1)
    });
    this.camera.updateProjectionMatrix();
    this.redraw();
  }

  private visibleFaces(): IFaceState[] {
    return this.faces.filter(state => state.mesh.visible);
  }

  /** Places the faces, starts loading the data of newly visible ones, and draws. */
  private redraw(): void {
    if (!this.renderer || !this.camera || !this.selection) {
      return;
    }
    const ranges = this.selection.ranges;
    const sizes = sceneSizes(ranges);
    const camera = this.camera.position.toArray() as [number, number, number];
    const toLoad: [IFaceState, string][] = [];
    for (const state of this.faces) {
      const face = cubeFaces(ranges).find(f => f.axis === state.face.axis && f.side === state.face.side)!;
      state.face = face;
      const quad = faceQuad(face, this.dims, ranges, sizes);
      const position = state.mesh.geometry.getAttribute('position') as THREE.BufferAttribute;
      quad.corners.forEach((corner, i) => position.setXYZ(i, ...corner));
      position.needsUpdate = true;
      state.mesh.geometry.computeBoundingSphere();
      state.mesh.visible = faceVisible(quad, camera);
      const key = `${face.index}|${ranges.map(r => `${r.start}-${r.end}`).join('|')}`;
      if (state.mesh.visible && state.key !== key) {
        state.key = key;
        toLoad.push([state, key]);
      }
    }
    this.data!.plan?.(
      this.visibleFaces().map(state => state.face),
      this.selection
    );
    for (const [state, key] of toLoad) {
      void this.loadFace(state, key);
    }
    this.renderer.render(this.scene, this.camera);
    this.rangeControls?.update(this.ranges);
    this.placeLabels(sizes);
    this.showSlice();
    this.showStatus();
  }

  /** The selected face, the dimension it slices and its index, as text a screen reader reads. */
  private showSlice(): void {
    const state = this.selected;
    if (!state) {
      return;
    }
    const { axis, index } = state.face;
    const quad = faceQuad(state.face, this.dims, this.selection!.ranges, sceneSizes(this.selection!.ranges));
    const dim = this.dims[axis];
    const label = formatCoordinate(dim.name, this.coords[axis][index], this.coordAttrs[axis], this.coords[axis]);
    this.sliceLine.textContent = `${faceName(quad.normal)} face: ${dim.name} ${index + 1} of ${dim.size} (${label})`;
  }

  /** Sets the colour range to the 2nd to 98th percentile of the values on the visible faces. */
  private fitRange(): void {
    const range = fittedRange(this.visibleFaces().flatMap(state => (state.values ? [state.values] : [])));
    if (!range) {
      this.showMessage('The faces in view hold no values (all missing): move a face or choose other ranges.');
      return;
    }
    [this.vmin, this.vmax] = range.map(v => Number(v.toPrecision(4)));
    if (this.vmin >= this.vmax) {
      this.vmax = range[1];
    }
    this.minInput.value = String(this.vmin);
    this.maxInput.value = String(this.vmax);
    if (this.log && this.vmin <= 0) {
      this.log = false;
      this.logInput.checked = false;
    }
    this.recolour();
    this.colourChanged();
  }

  private colourChanged(): void {
    this.initial.onColourChange?.({ cmap: this.colormap, vmin: this.vmin, vmax: this.vmax });
  }

  /** Moves the selected face by `steps` cells along its axis. */
  private moveSelected(steps: number, from = this.selection!.ranges): void {
    const state = this.selected!;
    const ranges = moveFace(from, state.face, steps, this.dims[state.face.axis].size);
    if (ranges.some((r, i) => r.start !== this.selection!.ranges[i].start || r.end !== this.selection!.ranges[i].end)) {
      this.selection!.ranges = ranges;
      this.redraw();
      this.initial.onRangesChange?.(this.ranges);
    }
  }

  private pick(event: MouseEvent): { state: IFaceState; uv: THREE.Vector2 } | null {
    const rect = this.renderer!.domElement.getBoundingClientRect();
    const pointer = new THREE.Vector2(
      ((event.clientX - rect.left) / rect.width) * 2 - 1,
      -((event.clientY - rect.top) / rect.height) * 2 + 1
    );
    const raycaster = new THREE.Raycaster();
    raycaster.setFromCamera(pointer, this.camera!);
    const hit = raycaster.intersectObjects(this.faces.filter(f => f.mesh.visible).map(f => f.mesh))[0];
    const state = hit && this.faces.find(f => f.mesh === hit.object);
    return state && hit.uv ? { state, uv: hit.uv } : null;
  }

  /** The screen vector (pixels) along which a shown axis grows over its whole range. */
  private axisPixels(axis: Axis): [number, number] {
    const ranges = this.selection!.ranges;
    const sizes = sceneSizes(ranges);
    const ends = [ranges[axis].start, ranges[axis].end].map(edge => {
      const point = new THREE.Vector3();
      const coordinate = sceneCoordinate(axis, this.dims[axis], ranges[axis], sizes[axis], edge);
      point.setComponent(([2, 1, 0] as const)[axis], coordinate);
      point.project(this.camera!);
      return [(point.x * this.viewport.clientWidth) / 2, (-point.y * this.viewport.clientHeight) / 2];
    });
    return [ends[1][0] - ends[0][0], ends[1][1] - ends[0][1]];
  }

  private onPointerDown(event: PointerEvent): void {
    if (!this.camera || !this.selection || event.button !== 0) {
      return;
    }
    const hit = this.pick(event);
    if (!hit) {
      this.controls!.enabled = true;
      return;
    }
    this.selected = hit.state;
    this.drag = {
      state: hit.state,
      pointerId: event.pointerId,
      start: [event.clientX, event.clientY],
      ranges: this.selection.ranges.map(r => ({ ...r })) as [IRange, IRange, IRange],
      axisPixels: ([0, 1, 2] as Axis[]).map(axis => this.axisPixels(axis)),
      pan: event.shiftKey
    };
    this.controls!.enabled = false;
    this.viewport.setPointerCapture(event.pointerId);
    this.showSlice();
  }

  private endDrag(event: PointerEvent): void {
    if (this.drag?.pointerId === event.pointerId) {
      this.drag = null;
      this.controls!.enabled = true;
    }
  }

  private onKeyDown(event: KeyboardEvent): void {
    const steps: Record<string, number> = { ArrowUp: 1, ArrowRight: 1, ArrowDown: -1, ArrowLeft: -1 };
    const state = this.selected;
    if (!state || !this.selection) {
      return;
    }
    if (event.key in steps && event.shiftKey) {
      // Shift + arrows pan the selected face's data by a tenth of its width or height
      event.preventDefault();
      const axis = event.key === 'ArrowUp' || event.key === 'ArrowDown' ? state.face.v : state.face.u;
      const range = this.selection.ranges[axis];
      const cells = steps[event.key] * Math.max(1, Math.round((range.end - range.start) / 10));
      this.setAxisRange(axis, panRange(range, this.dims[axis].size, cells));
    } else if (event.key in steps) {
      event.preventDefault();
      this.moveSelected(steps[event.key]);
    } else if (event.key === '+' || event.key === '-') {
      event.preventDefault();
      this.zoomFace(state, event.key === '+' ? 0.8 : 1.25);
    }
  }

  /** Sets one shown axis's range (a user's change). */
  private setAxisRange(axis: Axis, range: IRange): void {
    const ranges = this.ranges;
    ranges[axis] = [range.start, range.end];
    this.setRanges(ranges, true);
  }

  /**
   * Zooms the data of a face (its two in-face ranges) by `factor` around the cell at (`u`, `v`), by default its
   * middle.
   */
  private zoomFace(state: IFaceState, factor: number, at?: [number, number]): void {
    const ranges = this.selection!.ranges;
    const { u, v } = state.face;
    const [uAt, vAt] = at ?? [u, v].map(axis => Math.floor((ranges[axis].start + ranges[axis].end - 1) / 2));
    const next = this.ranges;
    const zu = zoomRange(ranges[u], this.dims[u].size, uAt, factor);
    const zv = zoomRange(ranges[v], this.dims[v].size, vAt, factor);
    next[u] = [zu.start, zu.end];
    next[v] = [zv.start, zv.end];
    this.setRanges(next, true);
  }

  /** The wheel over a face zooms its data around the cursor; elsewhere it zooms the camera (OrbitControls). */
  private onWheel(event: WheelEvent): void {
    if (!this.camera || !this.selection || event.deltaY === 0) {
      return;
    }
    const hit = this.pick(event);
    if (!hit) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    this.selected = hit.state;
    const { u, v } = hit.state.face;
    const ranges = this.selection.ranges;
    const at = [
      [u, hit.uv.x],
      [v, hit.uv.y]
    ].map(([axis, fraction]) => {
      const range = ranges[axis];
      return Math.min(range.end - 1, range.start + Math.floor(fraction * (range.end - range.start)));
    }) as [number, number];
    this.zoomFace(hit.state, event.deltaY > 0 ? 1.25 : 0.8, at);
  }

  /** Fetches the values of a face and shows them; a checkerboard until then. */
  private async loadFace(state: IFaceState, key: string): Promise<void> {
    // faces on their way, in the DOM so that tests and benchmarks can wait for a stable picture
    this.pending += 1;
    this.node.dataset.pending = String(this.pending);
    try {
      await this.showFace(state, key);
    } finally {
      this.pending -= 1;
      this.node.dataset.pending = String(this.pending);
      this.showStatus();
    }
  }

  private async showFace(state: IFaceState, key: string): Promise<void> {
    const selection = this.selection!;
    const face = state.face;
    const [u, v] = [selection.ranges[face.u], selection.ranges[face.v]];
    const [width, height] = [u.end - u.start, v.end - v.start];
    const data = this.data!;
    if (!state.values || !data.hasFace(face, selection)) {
      // the old picture would be wrong in size or place until the data arrives
      state.values = null;
      state.width = width;
      state.height = height;
      state.mesh.material.showImage(
        checkerboard(width, height, Math.max(1, Math.round(Math.max(width, height) / 16))),
        width,
        height
      );
    }
    const generation = this.generation;
    let values: Float32Array;
    try {
      values = await data.loadFace(face, selection, coarse => {
        if (generation === this.generation && state.key === key && !state.values && !this.isDisposed) {
          state.mesh.material.showValues(coarse, width, height);
          this.renderer!.render(this.scene, this.camera!);
        }
      });
    } catch (error) {
      if (state.key === key) {
        state.key = '';
      }
      this.showMessage((error as Error).message);
      return;
    }
    if (generation !== this.generation || state.key !== key || this.isDisposed) {
      return;
    }
    state.values = values;
    state.width = width;
    state.height = height;
    if (this.autoRange && this.complete) {
      this.autoRange = false;
      this.fitRange();
    }
    state.mesh.material.showValues(values, width, height);
    this.renderer!.render(this.scene, this.camera!);
    this.showStatus();
  }

  /** The colour bar between the range inputs: the map from vmin (left) to vmax (right). */
  private drawLegend(): void {
    const context = this.legend.getContext('2d');
    if (!context) {
      return;
    }
    const table = colormapTable(this.colormap);
    const image = context.createImageData(this.legend.width, this.legend.height);
    for (let x = 0; x < image.width; x++) {
      const entry = Math.round((x / (image.width - 1)) * 255) * 4;
      for (let y = 0; y < image.height; y++) {
        image.data.set(table.subarray(entry, entry + 4), (y * image.width + x) * 4);
      }
    }
    context.putImageData(image, 0, 0);
    const units = this.info?.attrs.units ? ` ${this.info.attrs.units}` : '';
    this.legend.setAttribute('aria-label', `Colour bar: ${this.colormap} from ${this.vmin} to ${this.vmax}${units}`);
    this.legend.setAttribute('role', 'img');
  }

  private recolour(): void {
    this.drawLegend();
    // on the GPU: a new table and range for every face's shader, no value mapped or uploaded again
    if (this.table) {
      (this.table.image.data as Uint8Array).set(colormapTable(this.colormap));
      this.table.needsUpdate = true;
    }
    for (const state of this.faces) {
      state.mesh.material.setRange(this.vmin, this.vmax, this.log);
    }
    this.renderer?.render(this.scene, this.camera!);
  }

  /** Labels at the ends of each edge of the front face and of the time edge: first and last coordinates. */
  private placeLabels(sizes: number[]): void {
    const selection = this.selection!;
    const [w, h, d] = [sizes[2], sizes[1], sizes[0]];
    const width = this.viewport.clientWidth;
    const height = this.viewport.clientHeight;
    const label = (axis: number, index: number, at: [number, number, number], anchor: string): HTMLElement => {
      const element = document.createElement('div');
      element.className = `esdl-Cube3D-label esdl-mod-${anchor}`;
      element.textContent = formatCoordinate(
        this.dims[axis].name,
        this.coords[axis][index],
        this.coordAttrs[axis],
        this.coords[axis]
      );
      const point = new THREE.Vector3(...at).project(this.camera!);
      element.style.left = `${((point.x + 1) / 2) * width}px`;
      element.style.top = `${((1 - point.y) / 2) * height}px`;
      return element;
    };
    const [t, y, x] = selection.ranges;
    const latTop = this.dims[1].descending ? y.start : y.end - 1;
    const latBottom = this.dims[1].descending ? y.end - 1 : y.start;
    const labels = [
      label(2, this.dims[2].descending ? x.end - 1 : x.start, [-w / 2, -h / 2, d / 2], 'below'),
      label(2, this.dims[2].descending ? x.start : x.end - 1, [w / 2, -h / 2, d / 2], 'below'),
      label(1, latTop, [-w / 2, h / 2, d / 2], 'left'),
      label(1, latBottom, [-w / 2, -h / 2, d / 2], 'left'),
      label(0, t.start, [w / 2, h / 2, d / 2], 'right'),
      label(0, t.end - 1, [w / 2, h / 2, -d / 2], 'right')
    ];
    // face-on, both ends of the time edge fall on one spot: the first time is enough
    const [first, last] = labels.slice(4).map(l => [parseFloat(l.style.left), parseFloat(l.style.top)]);
    if (Math.hypot(first[0] - last[0], first[1] - last[1]) < 24) {
      labels.pop();
    }
    this.labelLayer.replaceChildren(...labels);
  }

  private onPointerMove(event: PointerEvent): void {
    if (!this.camera || !this.selection) {
      return;
    }
    if (this.drag && this.drag.pointerId === event.pointerId) {
      const { ranges, axisPixels, start, state, pan } = this.drag;
      const delta: [number, number] = [event.clientX - start[0], event.clientY - start[1]];
      this.selected = state;
      if (pan) {
        // the data follows the pointer: its ranges move against the drag
        const next = ranges.map(r => ({ ...r })) as [IRange, IRange, IRange];
        for (const axis of [state.face.u, state.face.v]) {
          const [x, y] = axisPixels[axis];
          const length = Math.hypot(x, y);
          const cells =
            length > 0 ? ((delta[0] * x + delta[1] * y) / length ** 2) * (ranges[axis].end - ranges[axis].start) : 0;
          next[axis] = panRange(ranges[axis], this.dims[axis].size, -Math.round(cells));
        }
        this.setRanges(
          next.map(r => [r.start, r.end]),
          true
        );
        return;
      }
      const axis = state.face.axis;
      const length = ranges[axis].end - ranges[axis].start;
      this.moveSelected(dragSteps(delta, axisPixels[axis], length), ranges);
      return;
    }
    const hit = this.pick(event);
    const values = hit?.state.values;
    if (!hit || !values) {
      return;
    }
    const { state, uv } = hit;
    const i = Math.min(state.width - 1, Math.floor(uv.x * state.width));
    const j = Math.min(state.height - 1, Math.floor(uv.y * state.height));
    const index: number[] = [0, 0, 0];
    index[state.face.axis] = state.face.index;
    index[state.face.u] = this.selection.ranges[state.face.u].start + i;
    index[state.face.v] = this.selection.ranges[state.face.v].start + j;
    const where = ([1, 2, 0] as Axis[])
      .map(axis =>
        formatCoordinate(this.dims[axis].name, this.coords[axis][index[axis]], this.coordAttrs[axis], this.coords[axis])
      )
      .join(', ');
    const units = this.info!.attrs.units ? ` ${this.info!.attrs.units}` : '';
    const value = values[j * state.width + i];
    this.readout.textContent = `${this.info!.name} ${formatValue(value)}${Number.isNaN(value) ? '' : units} at ${where}`;
  }

  private showStatus(): void {
    const { chunks, bytes } = this.fetched;
    // nothing on its way yet faces without data: they failed (the message says why), they are not loading
    const state = this.pending > 0 ? ', loading…' : this.complete ? '' : ', some faces could not be read';
    this.statusLine.textContent = `${chunks} chunks, ${Math.round(bytes / 1024)} KiB fetched${state}`;
  }

  /** Removes the message of an earlier mistake (once the user has done something that worked). */
  private clearMessage(): void {
    this.node.querySelector('.esdl-Cube3D-message')?.remove();
  }

  private showMessage(message: string): void {
    let box = this.node.querySelector<HTMLElement>('.esdl-Cube3D-message');
    if (!box) {
      box = document.createElement('div');
      box.className = 'esdl-Cube3D-message';
      box.setAttribute('role', 'alert');
      this.viewport.append(box);
    }
    box.textContent = message;
  }
}
