/**
 * The front end of `esdl_lab.Cube3D`, an ipywidget: the kernel holds the array and sends the faces in view as
 * binary buffers when the cube asks for them; colour map, range and the shown ranges sync both ways. Loaded
 * only when a notebook shows a Cube3D.
 */
import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
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

/** Faces asked of the kernel by custom messages, kept in a bounded cache. */
class KernelCubeData implements ICubeData {
  readonly fetched = { chunks: 0, bytes: 0 };
  private readonly cache = new ChunkCache<Float32Array>(64 * 1024 * 1024);
  private readonly waiting = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  private next = 0;

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
    return this.cache.has(this.key(face, selection));
  }

  loadFace(face: IFace, selection: ISelection): Promise<Float32Array> {
    return this.cache.get(this.key(face, selection), async () => {
      const id = this.next++;
      const reply = new Promise<Float32Array>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
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
    const buffer = buffers[0];
    const view = ArrayBuffer.isView(buffer) ? buffer : new DataView(buffer);
    // copied: a Float32Array needs a 4-byte aligned offset, which a message buffer need not have
    const values = new Float32Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
    this.fetched.chunks += 1;
    this.fetched.bytes += values.byteLength;
    waiter.resolve(values);
  }
}

export class Cube3DView extends DOMWidgetView {
  private cube: Cube3DWidget | null = null;

  /**
   * Writes the canvas as a PNG through the Jupyter server's contents API, at `path` relative to the notebook's
   * folder (the kernel's working directory), where `Cube3D.savefig` waits for it: the kernel cannot receive
   * widget messages while a cell runs, but it can see the file appear.
   */
  private async savefig(path: string): Promise<void> {
    const cube = this.cube;
    if (!cube) {
      return;
    }
    try {
      const png = await cube.toPNG();
      let binary = '';
      for (let i = 0; i < png.length; i += 0x8000) {
        binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
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
    } catch (error) {
      console.warn(`ESDL Lab 3D cube: savefig(${path}) failed: ${(error as Error).message}`);
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
    model.on('msg:custom', (content: { type?: string; path?: string }) => {
      if (content.type === 'savefig' && typeof content.path === 'string') {
        void this.savefig(content.path);
      }
    });
    model.on('change:cmap change:vmin change:vmax', () => {
      try {
        cube.setColour(model.get('cmap'), model.get('vmin'), model.get('vmax'));
      } catch (error) {
        console.warn((error as Error).message);
      }
    });
    await cube.load();
  }
}
