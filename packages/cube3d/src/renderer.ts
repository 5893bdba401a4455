/**
 * The MIME renderer of `application/vnd.esdl-lab.cube3d+json`, what `esdl_lab.show_cube(...)` outputs: a cube of
 * a cube-server variable in the cell's output. The output holds only the reference, so it survives saving and
 * reopening the notebook; the browser reads the data, the kernel holds none.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';
import { IDatasetRef } from '@esdl-lab/core';
import type { ICube3DOptions } from './widget';

export const CUBE3D_MIME_TYPE = 'application/vnd.esdl-lab.cube3d+json';

/** The reference and options of an output, or an error that says what is wrong with it. */
export function parseCubeState(data: unknown): { ref: IDatasetRef; options: ICube3DOptions } | Error {
  const state = (data ?? {}) as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof state[key] === 'string' ? (state[key] as string) : undefined;
  const number = (key: string): number | undefined =>
    typeof state[key] === 'number' ? (state[key] as number) : undefined;
  const server = text('server');
  const dataset = text('dataset');
  if (!server || !dataset) {
    return new Error('This 3D cube output names no cube server or dataset; run esdl_lab.show_cube(...) again.');
  }
  const dims = Array.isArray(state.dims) && state.dims.every(d => typeof d === 'string') ? state.dims : undefined;
  const at =
    state.at && typeof state.at === 'object'
      ? Object.fromEntries(Object.entries(state.at).filter(([, i]) => Number.isInteger(i)))
      : undefined;
  return {
    ref: { server, dataset, variable: text('variable') },
    options: { cmap: text('cmap'), vmin: number('vmin'), vmax: number('vmax'), dims, at }
  };
}

export class Cube3DRenderer extends Panel implements IRenderMime.IRenderer {
  constructor(
    _options: IRenderMime.IRendererOptions,
    private readonly settings: () => ICube3DOptions
  ) {
    super();
    this.addClass('esdl-Cube3DOutput');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    for (const widget of [...this.widgets]) {
      widget.dispose();
    }
    const state = parseCubeState(model.data[CUBE3D_MIME_TYPE]);
    if (state instanceof Error) {
      const message = new Widget();
      message.addClass('esdl-Cube3D-message');
      message.node.setAttribute('role', 'alert');
      message.node.textContent = state.message;
      this.addWidget(message);
      return;
    }
    const { Cube3DWidget } = await import('./widget');
    const cube = new Cube3DWidget(state.ref, { ...this.settings(), ...state.options });
    cube.id = `${cube.id}-output-${Math.random().toString(36).slice(2)}`;
    this.addWidget(cube);
    await cube.load();
  }
}
