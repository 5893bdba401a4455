/**
 * The xcube-style map viewer: a main-area widget opened by a command, the launcher, the catalogue (through
 * core's IViewerOpener) or a restored workspace, and the MIME renderer of `esdl_lab.show(...)` in notebooks.
 */
import { ILayoutRestorer, IRouter, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  CommandIDs,
  ICube3DOpener,
  IDatasetOpener,
  IDatasetRef,
  IEsdlStatus,
  IStatusModel,
  IViewerOpener
} from '@esdl-lab/core';
import { mapIcon } from './icons';
import { ViewerModel } from './model';
import { VIEWER_MIME_TYPE, ViewerRenderer } from './renderer';
import { IViewerState, parseViewerState } from './state';
import { IViewerOptions, ViewerWidget } from './widget';

export * from './state';
export { ViewerModel, nearestTime } from './model';
export { placesCsv } from './series';
export { VIEWER_MIME_TYPE } from './renderer';

const PLUGIN_ID = '@esdl-lab/labextension:viewer';
const LINK_PARAMETER = 'esdl-viewer';

const plugin: JupyterFrontEndPlugin<IDatasetOpener> = {
  id: PLUGIN_ID,
  description: 'The xcube-style map viewer of cube variables.',
  autoStart: true,
  provides: IViewerOpener,
  optional: [
    IEsdlStatus,
    ILayoutRestorer,
    ICommandPalette,
    ILauncher,
    ISettingRegistry,
    IRenderMimeRegistry,
    IRouter,
    ICube3DOpener
  ],
  activate: (
    app: JupyterFrontEnd,
    status: IStatusModel | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    settingRegistry: ISettingRegistry | null,
    rendermime: IRenderMimeRegistry | null,
    router: IRouter | null,
    cube3d: IDatasetOpener | null
  ): IDatasetOpener => {
    const { commands, shell } = app;
    const serverSettings = app.serviceManager.serverSettings;
    const options: IViewerOptions = {
      openCube: cube3d ? ref => void cube3d.open(ref) : undefined,
      stepsPerSecond: 4,
      prefetch: true,
      basemap: 'land-and-borders',
      colourMap: 'viridis'
    };
    let defaultDataset = '';
    const tracker = new WidgetTracker<MainAreaWidget<ViewerWidget>>({ namespace: 'esdl-lab-viewer' });

    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const read = () => {
            options.stepsPerSecond = settings.get('stepsPerSecond').composite as number;
            options.prefetch = settings.get('prefetch').composite as boolean;
            options.basemap = settings.get('basemap').composite as IViewerOptions['basemap'];
            options.colourMap = settings.get('colourMap').composite as string;
            defaultDataset = settings.get('defaultDataset').composite as string;
          };
          read();
          settings.changed.connect(read);
        })
        .catch(reason => console.warn('ESDL Lab viewer: settings not loaded', reason));
    }

    /** The first cube server's first dataset, or the configured default, for a viewer opened without one. */
    const defaultRef = async (): Promise<IViewerState | Error> => {
      if (defaultDataset.includes('/')) {
        const [server, dataset] = defaultDataset.split('/', 2);
        return { server, dataset };
      }
      const server = status?.status?.upstreams.find(u => u.kind === 'cube' && u.state !== 'down')?.name;
      if (!server) {
        return new Error('No cube server is configured or up: see the ESDL services panel.');
      }
      const model = new ViewerModel({ state: { server, dataset: '' }, settings: serverSettings });
      try {
        const list = await model.client.datasets();
        const first = list.datasets[0]?.id;
        return first ? { server, dataset: first } : new Error(`The cube server '${server}' has no datasets.`);
      } finally {
        model.dispose();
      }
    };

    const open = async (state: IViewerState): Promise<MainAreaWidget<ViewerWidget>> => {
      const model = new ViewerModel({ state, settings: serverSettings });
      const content = new ViewerWidget(model, options);
      const widget = new MainAreaWidget({ content });
      widget.id = `esdl-viewer-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      widget.title.icon = mapIcon;
      widget.title.closable = true;
      model.changed.connect(() => void tracker.save(widget));
      await tracker.add(widget);
      shell.add(widget, 'main');
      shell.activateById(widget.id);
      return widget;
    };

    commands.addCommand(CommandIDs.openViewer, {
      label: args => (args.dataset ? `Open ${args.dataset} in the Map Viewer` : 'Map Viewer'),
      caption: 'Open a cube variable on a map, with a time slider, colour bar and time series',
      icon: mapIcon,
      execute: async args => {
        let state: IViewerState | Error;
        if (args.server && args.dataset) {
          state = parseViewerState(args);
        } else {
          state = await defaultRef();
        }
        if (state instanceof Error) {
          Notification.error(state.message, { autoClose: 8000 });
          return;
        }
        return open(state);
      }
    });

    // a shared link: <base>/lab?esdl-viewer=<the viewer state as JSON>
    const openFromLink = 'esdl-lab:open-viewer-from-link';
    commands.addCommand(openFromLink, {
      execute: async args => {
        const search = (args as { search?: string }).search ?? window.location.search;
        const raw = new URLSearchParams(search).get(LINK_PARAMETER);
        if (!raw) {
          return;
        }
        let state: IViewerState | Error;
        try {
          state = parseViewerState(JSON.parse(raw));
        } catch {
          state = new Error('The viewer link holds no valid viewer state: ask for the link again.');
        }
        if (state instanceof Error) {
          Notification.error(state.message, { autoClose: 8000 });
          return;
        }
        await app.restored;
        await open(state);
      }
    });
    router?.register({ command: openFromLink, pattern: new RegExp(`[?&]${LINK_PARAMETER}=`), rank: 60 });

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openViewer,
        args: widget => ({ ...widget.content.state }) as any,
        name: widget => widget.id
      });
    }
    palette?.addItem({ command: CommandIDs.openViewer, category: 'ESDL Lab' });
    launcher?.add({ command: CommandIDs.openViewer, category: 'ESDL Lab', rank: 1 });

    rendermime?.addFactory(
      {
        safe: true,
        mimeTypes: [VIEWER_MIME_TYPE],
        defaultRank: 60,
        createRenderer: rendererOptions => new ViewerRenderer(rendererOptions, serverSettings, options)
      },
      60
    );

    return {
      open: async (ref: IDatasetRef) => {
        await open({ server: ref.server, dataset: ref.dataset, variable: ref.variable, time: ref.time });
      }
    };
  }
};

export default plugin;
