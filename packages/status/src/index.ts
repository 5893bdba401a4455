import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { CommandIDs, IEsdlStatus, IStatusModel, StatusModel } from '@esdl-lab/core';
import { ServicesPanel, ServicesStatusItem } from './widget';

export * from './model';
export { ServicesPanel, ServicesStatusItem } from './widget';

const PLUGIN_ID = '@esdl-lab/labextension:status';

/**
 * Provides the status model of the ESDL services, the "ESDL services" panel in the right sidebar and a
 * status-bar item that opens it.
 */
const statusPlugin: JupyterFrontEndPlugin<IStatusModel> = {
  id: PLUGIN_ID,
  description: 'The state of every ESDL Lab upstream, as a panel and a status-bar item.',
  autoStart: true,
  provides: IEsdlStatus,
  optional: [ILabShell, ILayoutRestorer, ICommandPalette, IStatusBar, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null,
    settings: ISettingRegistry | null
  ): IStatusModel => {
    const model = new StatusModel();
    const panel = new ServicesPanel(model);

    if (settings) {
      void settings.load(PLUGIN_ID).then(loaded => {
        const apply = () => model.setInterval((loaded.get('pollInterval').composite as number) * 1000);
        apply();
        loaded.changed.connect(apply);
      });
    }

    app.commands.addCommand(CommandIDs.showServices, {
      label: 'Show ESDL Services',
      caption: 'Show the state of the cube servers and the MLflow server',
      execute: () => {
        if (!panel.isAttached) {
          app.shell.add(panel, 'right', { rank: 900 });
        }
        app.shell.activateById(panel.id);
      }
    });
    app.commands.addCommand(CommandIDs.refreshStatus, {
      label: 'Check ESDL Services Again',
      execute: () => model.refresh()
    });
    palette?.addItem({ command: CommandIDs.showServices, category: 'ESDL Lab' });
    palette?.addItem({ command: CommandIDs.refreshStatus, category: 'ESDL Lab' });

    if (shell) {
      shell.add(panel, 'right', { rank: 900 });
      restorer?.add(panel, panel.id);
    }
    statusBar?.registerStatusItem(PLUGIN_ID, {
      item: new ServicesStatusItem(model, () => void app.commands.execute(CommandIDs.showServices)),
      align: 'left',
      rank: 50,
      isActive: () => true
    });
    return model;
  }
};

export default [statusPlugin];
