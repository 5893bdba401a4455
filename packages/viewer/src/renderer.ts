/**
 * The MIME renderer of `application/vnd.esdl-lab.viewer+json`: what `esdl_lab.show(...)` outputs in a
 * notebook. The output holds only the viewer's state, so it survives saving and reopening the notebook.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { ServerConnection } from '@jupyterlab/services';
import { Panel, Widget } from '@lumino/widgets';
import { ViewerModel } from './model';
import { parseViewerState } from './state';
import { IViewerOptions, ViewerWidget } from './widget';

export const VIEWER_MIME_TYPE = 'application/vnd.esdl-lab.viewer+json';

export class ViewerRenderer extends Panel implements IRenderMime.IRenderer {
  constructor(
    _rendererOptions: IRenderMime.IRendererOptions,
    private readonly _settings: ServerConnection.ISettings,
    private readonly _options: IViewerOptions
  ) {
    super();
    this.addClass('esdl-ViewerOutput');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const state = parseViewerState(model.data[VIEWER_MIME_TYPE]);
    for (const widget of [...this.widgets]) {
      widget.dispose();
    }
    if (state instanceof Error) {
      const message = new Widget();
      message.addClass('esdl-Viewer-error');
      message.node.textContent = state.message;
      this.addWidget(message);
      return;
    }
    const viewer = new ViewerWidget(new ViewerModel({ state, settings: this._settings }), this._options);
    this.addWidget(viewer);
  }
}
