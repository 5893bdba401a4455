/**
 * The data-catalogue plugin: a left-sidebar panel with every dataset of every configured cube server, its
 * commands (palette, shortcut, context menu), the details widgets, and the code a notebook gets.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Clipboard, ICommandPalette, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { CommandIDs, ICube3DOpener, IDatasetOpener, IEsdlStatus, IStatusModel, IViewerOpener } from '@esdl-lab/core';
import { ICatalogSettings, IDatasetActions } from './actions';
import { datasetCode } from './code';
import { ICatalogEntry } from './entry';
import { catalogIcon } from './icons';
import { CatalogModel } from './model';
import { dragCodeCell, insertCodeCell } from './notebook';
import { CatalogPanel, CatalogSettings, DetailsWidget } from './widget';

export { CatalogModel } from './model';
export * from './search';
export * from './entry';

const PLUGIN_ID = '@esdl-lab/labextension:catalog';

/** Commands of the catalogue (opening the sidebar is core's `CommandIDs.openCatalog`). */
export namespace CatalogCommandIDs {
  export const refresh = 'esdl-lab:catalog-refresh';
  export const showDetails = 'esdl-lab:catalog-show-details';
  export const insertCode = 'esdl-lab:catalog-insert-code';
  export const copyCode = 'esdl-lab:catalog-copy-code';
  export const openViewer = 'esdl-lab:catalog-open-in-viewer';
  export const openCube3D = 'esdl-lab:catalog-open-in-cube3d';
}

interface IDatasetArgs {
  server?: string;
  dataset?: string;
  variable?: string;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The data-catalogue sidebar: every dataset of every configured cube server.',
  autoStart: true,
  requires: [IEsdlStatus],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ISettingRegistry,
    IStateDB,
    INotebookTracker,
    IRenderMimeRegistry,
    IViewerOpener,
    ICube3DOpener
  ],
  activate: (
    app: JupyterFrontEnd,
    status: IStatusModel,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    state: IStateDB | null,
    notebooks: INotebookTracker | null,
    rendermime: IRenderMimeRegistry | null,
    viewer: IDatasetOpener | null,
    cube3d: IDatasetOpener | null
  ): void => {
    const { commands, shell } = app;
    const model = new CatalogModel({ status, state });
    const settings = new CatalogSettings();

    const code = (entry: ICatalogEntry, variable?: string) =>
      datasetCode(entry, {
        kernelUrl: model.upstream(entry.server)?.kernelUrl,
        variable,
        template: settings.value.codeTemplate
      });
    /** The code, after asking the status again when the server's kernel URL is not known yet (a server
     * started on first use has one only once it runs). */
    const freshCode = async (entry: ICatalogEntry, variable?: string) => {
      if (!model.upstream(entry.server)?.kernelUrl) {
        await status.refresh().catch(() => undefined);
      }
      return code(entry, variable);
    };
    const ref = (entry: ICatalogEntry, variable?: string) => ({ server: entry.server, dataset: entry.id, variable });
    const open = (opener: IDatasetOpener, what: string) => (entry: ICatalogEntry, variable?: string) => {
      model.markUsed(entry.key);
      opener.open(ref(entry, variable)).catch(error => {
        Notification.error(`Could not open ${entry.title} in the ${what}: ${(error as Error).message}`);
      });
    };

    const actions: IDatasetActions = {
      showDetails: entry => void commands.execute(CatalogCommandIDs.showDetails, ref(entry)),
      insertCode: (entry, variable) => void commands.execute(CatalogCommandIDs.insertCode, ref(entry, variable)),
      copyCode: (entry, variable) => void commands.execute(CatalogCommandIDs.copyCode, ref(entry, variable)),
      dragCode: (entry, clientX, clientY) => {
        model.markUsed(entry.key);
        void dragCodeCell(code(entry), entry.title, clientX, clientY);
      },
      openInViewer: viewer ? open(viewer, 'map viewer') : null,
      openInCube3D: cube3d ? open(cube3d, '3D cube') : null,
      client: server => model.client(server)
    };

    const panel = new CatalogPanel(model, actions, settings);
    const details = new WidgetTracker<MainAreaWidget<DetailsWidget>>({ namespace: 'esdl-lab-dataset-details' });

    /** The dataset of a command: from its arguments, or from the list row the context menu was opened on. */
    const target = (args: IDatasetArgs): { entry: ICatalogEntry | undefined; variable?: string } => {
      let server = args.server;
      let dataset = args.dataset;
      if (!server || !dataset) {
        const node = app.contextMenuHitTest(element => element.classList.contains('esdl-Catalog-item'));
        server = node?.dataset.server;
        dataset = node?.dataset.dataset;
      }
      return { entry: server && dataset ? model.entry(`${server}/${dataset}`) : undefined, variable: args.variable };
    };

    commands.addCommand(CommandIDs.openCatalog, {
      label: 'Show Data Catalogue',
      caption: 'Show every dataset of the configured cube servers',
      icon: args => (args.isPalette ? undefined : catalogIcon),
      execute: () => {
        if (!panel.isAttached) {
          shell.add(panel, 'left', { rank: 110 });
        }
        shell.activateById(panel.id);
      }
    });
    commands.addCommand(CatalogCommandIDs.refresh, {
      label: 'Refresh Data Catalogue',
      execute: () => model.refresh()
    });
    commands.addCommand(CatalogCommandIDs.showDetails, {
      label: 'Show Dataset Details',
      execute: args => {
        const { server, dataset } = args as IDatasetArgs;
        const found = target(args as IDatasetArgs).entry;
        const name = found ? { server: found.server, dataset: found.id } : { server, dataset };
        if (!name.server || !name.dataset) {
          return;
        }
        if (found) {
          model.markUsed(found.key);
        }
        const existing = details.find(w => w.content.server === name.server && w.content.datasetId === name.dataset);
        if (existing) {
          shell.activateById(existing.id);
          return;
        }
        const content = new DetailsWidget(model, actions, rendermime, name.server, name.dataset);
        const widget = new MainAreaWidget({ content });
        widget.id = content.id;
        content.id = `${content.id}-content`;
        widget.title.icon = catalogIcon;
        content.title.changed.connect(() => {
          widget.title.label = content.title.label;
          widget.title.caption = content.title.caption;
        });
        widget.title.label = content.title.label;
        void details.add(widget);
        shell.add(widget, 'main');
        shell.activateById(widget.id);
      }
    });
    commands.addCommand(CatalogCommandIDs.insertCode, {
      label: args => ((args as IDatasetArgs).variable ? 'Insert Code Cell for Variable' : 'Insert Code Cell'),
      caption: 'Insert a code cell that opens the dataset with xarray into the active notebook',
      execute: async args => {
        const { entry, variable } = target(args as IDatasetArgs);
        if (!entry) {
          return;
        }
        model.markUsed(entry.key);
        const source = await freshCode(entry, variable);
        if (!notebooks) {
          await Clipboard.copyToSystem(source);
          Notification.warning('No notebook support here: the code was copied to the clipboard instead.');
          return;
        }
        let panelWidget = notebooks.currentWidget;
        if (!panelWidget) {
          // no notebook open: start one, as a user would expect "insert into a notebook" to do
          panelWidget = await commands.execute('notebook:create-new', { kernelName: 'python3' });
          await panelWidget?.context.ready;
        }
        if (panelWidget && insertCodeCell(notebooks, source)) {
          shell.activateById(panelWidget.id);
        }
      }
    });
    commands.addCommand(CatalogCommandIDs.copyCode, {
      label: 'Copy Code',
      caption: 'Copy Python code that opens the dataset with xarray',
      execute: async args => {
        const { entry, variable } = target(args as IDatasetArgs);
        if (!entry) {
          return;
        }
        model.markUsed(entry.key);
        Clipboard.copyToSystem(await freshCode(entry, variable));
        Notification.info(`Code for ${entry.title} copied`, { autoClose: 2000 });
      }
    });
    if (viewer) {
      commands.addCommand(CatalogCommandIDs.openViewer, {
        label: 'Open in Map Viewer',
        execute: args => {
          const { entry, variable } = target(args as IDatasetArgs);
          if (entry) {
            actions.openInViewer!(entry, variable);
          }
        }
      });
    }
    if (cube3d) {
      commands.addCommand(CatalogCommandIDs.openCube3D, {
        label: 'Open in 3D Cube',
        execute: args => {
          const { entry, variable } = target(args as IDatasetArgs);
          if (entry) {
            actions.openInCube3D!(entry, variable);
          }
        }
      });
    }

    const selector = '.esdl-Catalog-item';
    app.contextMenu.addItem({ command: CatalogCommandIDs.showDetails, selector, rank: 1 });
    app.contextMenu.addItem({ command: CatalogCommandIDs.insertCode, selector, rank: 2 });
    app.contextMenu.addItem({ command: CatalogCommandIDs.copyCode, selector, rank: 3 });
    if (viewer) {
      app.contextMenu.addItem({ command: CatalogCommandIDs.openViewer, selector, rank: 4 });
    }
    if (cube3d) {
      app.contextMenu.addItem({ command: CatalogCommandIDs.openCube3D, selector, rank: 5 });
    }
    palette?.addItem({ command: CommandIDs.openCatalog, category: 'ESDL Lab' });
    palette?.addItem({ command: CatalogCommandIDs.refresh, category: 'ESDL Lab' });

    shell.add(panel, 'left', { rank: 110 });
    if (restorer) {
      restorer.add(panel, panel.id);
      void restorer.restore(details, {
        command: CatalogCommandIDs.showDetails,
        args: widget => ({ server: widget.content.server, dataset: widget.content.datasetId }),
        name: widget => `${widget.content.server}/${widget.content.datasetId}`
      });
    }

    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(loaded => {
          const apply = () => settings.update(loaded.composite as unknown as Partial<ICatalogSettings>);
          apply();
          loaded.changed.connect(apply);
        })
        .catch(error => console.warn(`ESDL Lab catalogue: settings could not be loaded: ${error}`));
    }
  }
};

export default plugin;
