/**
 * The front end of `esdl_lab.Cube3D`, an ipywidget: the kernel holds the array and sends the faces in view as
 * binary buffers when the cube asks for them; colour map, range and the shown ranges sync both ways. Loaded
 * only when a notebook shows a Cube3D.
 */
import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { CubeAnimator } from './animation';
import { ChunkCache } from './cache';
import { ICubeData, ICubeVariable } from './data';
import { IFace, ISelection } from './geometry';
import type { Cube3DWidget } from './widget';

export const MODULE_NAME = '@esdl-lab/cube3d';
export const MODULE_VERSION = '0.1.0';

export class Cube3DModel extends DOMWidgetModel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: 'Cube3DModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'Cube3DView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      cmap: 'viridis',
      vmin: 0,
      vmax: 1,
      variable: {},
      coords: {},
      ranges: []
    };
  }
}

interface IFaceReply {
  type: 'face' | 'error';
  id: number;
  message?: string;
}

/** A block of the array sent whole (C order, float32), covering `ranges` of the three shown dimensions. */
interface IBlock {
  ranges: [number, number][];
  values: Float32Array;
}

/** Copies an ArrayBuffer(View) of a message into float32 values. */
function float32s(buffer: ArrayBuffer | ArrayBufferView): Float32Array {
  const view = ArrayBuffer.isView(buffer) ? buffer : new DataView(buffer);
  // copied: a Float32Array needs a 4-byte aligned offset, which a message buffer need not have
  return new Float32Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

/** A face cut from a block that covers its selection, laid out as the kernel sends it (rows along v). */
function faceOfBlock(block: IBlock, face: IFace, selection: ISelection): Float32Array | null {
  const ranges = selection.ranges;
  if (!ranges.every((r, a) => r.start >= block.ranges[a][0] && r.end <= block.ranges[a][1])) {
    return null;
  }
  const sizes = block.ranges.map(([start, end]) => end - start);
  const strides = [sizes[1] * sizes[2], sizes[2], 1];
  const [u, v] = [ranges[face.u], ranges[face.v]];
  const [width, height] = [u.end - u.start, v.end - v.start];
  const out = new Float32Array(width * height);
  const base = (face.index - block.ranges[face.axis][0]) * strides[face.axis];
  for (let j = 0; j < height; j++) {
    const row = base + (v.start + j - block.ranges[face.v][0]) * strides[face.v];
    for (let i = 0; i < width; i++) {
      out[j * width + i] = block.values[row + (u.start + i - block.ranges[face.u][0]) * strides[face.u]];
    }
  }
  return out;
}

/** Faces asked of the kernel by custom messages, kept in a bounded cache. */
class KernelCubeData implements ICubeData {
  readonly fetched = { chunks: 0, bytes: 0 };
  private readonly cache = new ChunkCache<Float32Array>(64 * 1024 * 1024);
  private readonly waiting = new Map<
    number,
    { face: IFace; selection: ISelection; resolve: (v: Float32Array) => void; reject: (e: Error) => void }
  >();
  private next = 0;
  private block: IBlock | null = null;

  constructor(private readonly model: DOMWidgetModel) {
    model.on('msg:custom', this.onMessage, this);
  }

  get variable(): ICubeVariable {
    return this.model.get('variable') as ICubeVariable;
  }

  async coordinate(dim: string): Promise<{ values: Float64Array; attrs: Record<string, unknown> }> {
    const coord = (this.model.get('coords') as Record<string, { values: number[]; attrs: Record<string, unknown> }>)[
      dim
    ];
    const size = this.variable.shape[this.variable.dims.indexOf(dim)];
    return coord
      ? { values: Float64Array.from(coord.values), attrs: coord.attrs ?? {} }
      : { values: Float64Array.from({ length: size }, (_, i) => i), attrs: {} };
  }

  hasFace(face: IFace, selection: ISelection): boolean {
    return (
      this.cache.has(this.key(face, selection)) ||
      (this.block !== null && faceOfBlock(this.block, face, selection) !== null)
    );
  }

  /**
   * Answers faces from a block of the array sent whole, without asking the kernel: while a cell runs (e.g.
   * `save_animation`) the kernel cannot answer widget messages. Faces already asked for are answered too.
   * `null` drops the block.
   */
  useBlock(block: IBlock | null): void {
    this.block = block;
    if (!block) {
      return;
    }
    for (const [id, waiter] of this.waiting) {
      const values = faceOfBlock(block, waiter.face, waiter.selection);
      if (values) {
        this.waiting.delete(id);
        waiter.resolve(values);
      }
    }
  }

  loadFace(face: IFace, selection: ISelection): Promise<Float32Array> {
    const local = this.block && faceOfBlock(this.block, face, selection);
    if (local) {
      return Promise.resolve(local);
    }
    return this.cache.get(this.key(face, selection), async () => {
      const id = this.next++;
      const reply = new Promise<Float32Array>((resolve, reject) =>
        this.waiting.set(id, { face, selection, resolve, reject })
      );
      const ranges = selection.ranges.map(r => [r.start, r.end]);
      this.model.send({ type: 'face', id, axis: face.axis, index: face.index, ranges }, {});
      const values = await reply;
      return { value: values, bytes: values.byteLength };
    });
  }

  dispose(): void {
    this.model.off('msg:custom', this.onMessage, this);
    this.cache.clear();
    for (const { reject } of this.waiting.values()) {
      reject(new Error('The cube was closed.'));
    }
    this.waiting.clear();
  }

  private key(face: IFace, selection: ISelection): string {
    return `${face.axis}:${face.index}:${selection.ranges.map(r => `${r.start}-${r.end}`).join(',')}`;
  }

  private onMessage(content: IFaceReply, buffers: (ArrayBuffer | ArrayBufferView)[]): void {
    const waiter = this.waiting.get(content.id);
    if (!waiter) {
      return;
    }
    this.waiting.delete(content.id);
    if (content.type === 'error') {
      waiter.reject(new Error(content.message ?? 'The kernel could not send the face.'));
      return;
    }
    const values = float32s(buffers[0]);
    this.fetched.chunks += 1;
    this.fetched.bytes += values.byteLength;
    waiter.resolve(values);
  }
}

/** An animation asked for by `Cube3D.save_animation`, with the block of the array it shows. */
interface IAnimationRequest {
  type: 'animation';
  path: string;
  axis: number;
  fps: number;
  format: 'gif' | 'webm';
  ranges: [number, number][];
}

export class Cube3DView extends DOMWidgetView {
  private cube: Cube3DWidget | null = null;
  private data: KernelCubeData | null = null;
  private animator: CubeAnimator | null = null;
  private loaded: Promise<void> = Promise.resolve();

  /**
   * Writes `bytes` through the Jupyter server's contents API at `path` relative to the notebook's folder (the
   * kernel's working directory), where `Cube3D.savefig` and `save_animation` wait for it: the kernel cannot
   * receive widget messages while a cell runs, but it can see the file appear (the server writes atomically).
   */
  private async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    const notebook: string =
      (this.model.widget_manager as unknown as { context?: { path: string } }).context?.path ?? '';
    const target = PathExt.normalize(PathExt.join(PathExt.dirname(notebook), path));
    const settings = ServerConnection.makeSettings();
    const url = URLExt.join(settings.baseUrl, 'api/contents', URLExt.encodeParts(target));
    const body = JSON.stringify({ type: 'file', format: 'base64', content: btoa(binary) });
    const response = await ServerConnection.makeRequest(url, { method: 'PUT', body }, settings);
    if (!response.ok) {
      throw new Error(`the server answered ${response.status} for ${target}`);
    }
  }

  /** Tells the waiting kernel why `path` was not written, in `<path>.error`, which Python reads and removes. */
  private async reportFailure(path: string, error: Error): Promise<void> {
    console.warn(`ESDL Lab 3D cube: writing ${path} failed: ${error.message}`);
    try {
      await this.writeFile(`${path}.error`, new TextEncoder().encode(error.message));
    } catch (reportError) {
      console.warn(`ESDL Lab 3D cube: could not report it: ${(reportError as Error).message}`);
    }
  }

  /** Writes the canvas as a PNG for `Cube3D.savefig`. */
  private async savefig(path: string): Promise<void> {
    const cube = this.cube;
    if (!cube) {
      return;
    }
    try {
      await this.writeFile(path, await cube.toPNG());
    } catch (error) {
      await this.reportFailure(path, error as Error);
    }
  }

  /** Records the animation for `Cube3D.save_animation`, with faces cut from the block the kernel sent. */
  private async saveAnimation(request: IAnimationRequest, buffer: ArrayBuffer | ArrayBufferView): Promise<void> {
    const [cube, data] = [this.cube, this.data];
    if (!cube || !data) {
      return;
    }
    try {
      const { CubeAnimator, recordGif, recordWebM } = await import('./animation');
      data.useBlock({ ranges: request.ranges, values: float32s(buffer) });
      await this.loaded;
      // the ranges Python saw, which a drag not yet synced may have changed; put back afterwards
      const shown = cube.ranges;
      cube.setRanges(request.ranges);
      await cube.drawn();
      this.animator ??= new CubeAnimator(cube);
      this.animator.axis = request.axis;
      this.animator.fps = request.fps;
      const bytes =
        request.format === 'gif'
          ? await recordGif(cube, this.animator)
          : new Uint8Array(await (await recordWebM(cube, this.animator)).arrayBuffer());
      cube.setRanges(shown);
      await this.writeFile(request.path, bytes);
    } catch (error) {
      await this.reportFailure(request.path, error as Error);
    } finally {
      data.useBlock(null);
    }
  }

  render(): void {
    this.el.classList.add('esdl-Cube3DOutput');
    void this.displayed.then(() => this.show());
  }

  remove(): void {
    this.cube?.dispose();
    super.remove();
  }

  private async show(): Promise<void> {
    const { Cube3DWidget } = await import('./widget');
    const { Widget } = await import('@lumino/widgets');
    const model = this.model;
    const variable = model.get('variable') as ICubeVariable;
    const data = new KernelCubeData(model);
    this.data = data;
    const cube = new Cube3DWidget(
      { server: 'kernel', dataset: variable.name, variable: variable.name },
      {
        cmap: model.get('cmap'),
        vmin: model.get('vmin'),
        vmax: model.get('vmax'),
        data: async () => data,
        onColourChange: colour => {
          model.set(colour);
          model.save_changes();
        },
        onRangesChange: ranges => {
          model.set('ranges', ranges);
          model.save_changes();
        }
      }
    );
    cube.id = `esdl-cube3d-kernel-${this.cid}`;
    this.cube = cube;
    Widget.attach(cube, this.el);
    model.on(
      'msg:custom',
      (content: { type?: string; path?: string }, buffers: (ArrayBuffer | ArrayBufferView)[] = []) => {
        if (content.type === 'savefig' && typeof content.path === 'string') {
          void this.savefig(content.path);
        } else if (content.type === 'animation' && buffers.length === 1) {
          void this.saveAnimation(content as IAnimationRequest, buffers[0]);
        }
      }
    );
    // from Python (c.ranges = ...); not told back, so that no change echoes
    this.listenTo(model, 'change:ranges', () => cube.setRanges(model.get('ranges')));
    model.on('change:cmap change:vmin change:vmax', () => {
      try {
        cube.setColour(model.get('cmap'), model.get('vmin'), model.get('vmax'));
      } catch (error) {
        console.warn((error as Error).message);
      }
    });
    this.loaded = cube.load();
    await this.loaded;
    // ranges set in Python before the cube was shown
    cube.setRanges(model.get('ranges'));
  }
}
