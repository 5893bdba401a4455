/**
 * The Lexcube-like 3D cube of a cube-server variable: the `esdl-lab:open-cube3d` command and the ICube3DOpener
 * service that the catalogue uses. The widget module (three.js, zarrita) loads only when a cube first opens.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { CommandIDs, ICube3DOpener, IDatasetOpener, IDatasetRef } from '@esdl-lab/core';
import { Cube3DRenderer, CUBE3D_MIME_TYPE } from './renderer';

const PLUGIN_ID = '@esdl-lab/labextension:cube3d';

/** schema/cube3d.json */
interface ICube3DSettings {
  defaultColormap: string;
  cacheMegabytes: number;
}

const plugin: JupyterFrontEndPlugin<IDatasetOpener> = {
  id: PLUGIN_ID,
  description: 'The Lexcube-like 3D cube of a cube variable.',
  autoStart: true,
  provides: ICube3DOpener,
  optional: [ILayoutRestorer, IRenderMimeRegistry, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null,
    settingRegistry: ISettingRegistry | null
  ): IDatasetOpener => {
    const settings: ICube3DSettings = { defaultColormap: 'viridis', cacheMegabytes: 64 };
    settingRegistry
      ?.load(PLUGIN_ID)
      .then(loaded => {
        const apply = () => Object.assign(settings, loaded.composite as unknown as ICube3DSettings);
        apply();
        loaded.changed.connect(apply);
      })
      .catch(error => console.warn(`ESDL Lab 3D cube: settings could not be loaded: ${error}`));
    const options = () => ({
      fallbackCmap: settings.defaultColormap,
      cacheBytes: settings.cacheMegabytes * 1024 * 1024
    });
    const tracker = new WidgetTracker<MainAreaWidget>({ namespace: 'esdl-lab-cube3d' });

    const open = async (ref: IDatasetRef): Promise<void> => {
      if (!ref?.server || !ref?.dataset) {
        throw new Error('Opening a 3D cube needs a cube server name and a dataset identifier.');
      }
      const existing = tracker.find(w => {
        const shown = (w.content as unknown as { ref: IDatasetRef }).ref;
        return shown.server === ref.server && shown.dataset === ref.dataset && shown.variable === ref.variable;
      });
      if (existing) {
        app.shell.activateById(existing.id);
        return;
      }
      const { Cube3DWidget } = await import('./widget');
      const content = new Cube3DWidget(ref, options());
      const widget = new MainAreaWidget({ content });
      widget.id = `${content.id}-main`;
      widget.title.label = content.title.label;
      widget.title.closable = true;
      await tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      await content.load();
    };

    app.commands.addCommand(CommandIDs.openCube3D, {
      label: args => (args.dataset ? `Open ${args.dataset} as a 3D cube` : 'Open as 3D cube'),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            server: { type: 'string', description: 'the configured cube server name' },
            dataset: { type: 'string', description: 'the dataset identifier' },
            variable: { type: 'string', description: 'a variable with (at least) three dimensions' }
          },
          required: ['server', 'dataset']
        }
      },
      execute: args => open(args as unknown as IDatasetRef)
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openCube3D,
        args: widget => ({ ...(widget.content as unknown as { ref: IDatasetRef }).ref }),
        name: widget => widget.id
      });
    }
    rendermime?.addFactory(
      {
        safe: true,
        mimeTypes: [CUBE3D_MIME_TYPE],
        defaultRank: 60,
        createRenderer: rendererOptions => new Cube3DRenderer(rendererOptions, options)
      },
      60
    );
    // esdl_lab.Cube3D, where ipywidgets' front end is installed: imported, not required, so that the rest of ESDL
    // Lab loads without it; the model and view load (with three.js) when a notebook first shows a Cube3D
    import('@jupyter-widgets/base')
      .then(async ({ IJupyterWidgetRegistry }) => {
        const widgets = await app.resolveOptionalService(IJupyterWidgetRegistry);
        widgets?.registerWidget({
          name: '@esdl-lab/cube3d',
          version: '0.1.0',
          exports: async () => {
            const { Cube3DModel, Cube3DView } = await import('./kernel');
            return { Cube3DModel, Cube3DView } as any;
          }
        });
      })
      .catch(() => console.warn('ESDL Lab 3D cube: ipywidgets is not installed, so esdl_lab.Cube3D cannot show.'));
    return { open };
  }
};

export default plugin;
