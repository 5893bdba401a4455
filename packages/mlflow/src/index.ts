/**
 * The MLflow run panel: experiments in the left sidebar; runs, run details, charts and comparisons in the
 * main area. Everything goes to the MLflow tracking server through the Jupyter server's proxy
 * (`/esdl-lab/mlflow/`), which holds its credentials. The chart code loads when a chart first opens.
 */
import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { PartialJSONValue, ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import { CommandIDs as CoreCommandIDs, IEsdlStatus, IStatusModel } from '@esdl-lab/core';
import { mlflowIcon } from './icons';
import { CommandIDs, MlflowService } from './service';
import { IMlflowSettings, readSettings } from './settings';
import { ComparePanel, CompareTab, runsKey } from './widgets/compare-panel';
import { ExperimentsPanel } from './widgets/experiments-panel';
import { RunPanel } from './widgets/run-panel';
import { RunsPanel } from './widgets/runs-panel';

export { CommandIDs, MlflowService } from './service';

const PLUGIN_ID = '@esdl-lab/labextension:mlflow';

function stringArg(args: ReadonlyPartialJSONObject, name: string): string | null {
  const value = args[name];
  return typeof value === 'string' && value ? value : null;
}

function stringsArg(args: ReadonlyPartialJSONObject, name: string): string[] {
  const value = args[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && !!v) : [];
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The MLflow run panel: experiments, runs, metric charts, comparisons and artifacts.',
  autoStart: true,
  optional: [ILabShell, ILayoutRestorer, ICommandPalette, ISettingRegistry, IEsdlStatus, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    shell: ILabShell | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    registry: ISettingRegistry | null,
    status: IStatusModel | null,
    rendermime: IRenderMimeRegistry | null
  ): void => {
    const { commands } = app;
    const runsTracker = new WidgetTracker<RunsPanel>({ namespace: 'esdl-mlflow-runs' });
    const runTracker = new WidgetTracker<RunPanel>({ namespace: 'esdl-mlflow-run' });
    const compareTracker = new WidgetTracker<ComparePanel>({ namespace: 'esdl-mlflow-compare' });
    let settingsSaver: ((changes: Partial<IMlflowSettings>) => Promise<void>) | undefined;

    const reveal = (widget: Widget, tracker: WidgetTracker<any>) => {
      if (!widget.isAttached) {
        app.shell.add(widget, 'main');
        void tracker.add(widget);
      }
      app.shell.activateById(widget.id);
    };
    const find = <T extends Widget>(tracker: WidgetTracker<T>, id: string) => tracker.find(widget => widget.id === id);

    const service: MlflowService = new MlflowService({
      status,
      rendermime,
      saveSettings: changes => settingsSaver?.(changes) ?? Promise.resolve(),
      openers: {
        openExperiment: experimentId => void commands.execute(CommandIDs.openExperiment, { experimentId }),
        openRun: runId => void commands.execute(CommandIDs.openRun, { runId }),
        compareRuns: (runIds, tab) => void commands.execute(CommandIDs.compareRuns, { runIds, tab: tab ?? 'table' })
      }
    });

    const sidebar = new ExperimentsPanel(service);
    if (shell) {
      shell.add(sidebar, 'left', { rank: 650 });
    }
    restorer?.add(sidebar, sidebar.id);

    if (registry) {
      void registry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => service.setSettings(readSettings(settings.composite as Record<string, unknown>));
          apply();
          settings.changed.connect(apply);
          settingsSaver = async changes => {
            for (const [key, value] of Object.entries(changes)) {
              await settings.set(key, value as PartialJSONValue);
            }
          };
        })
        .catch(error => console.warn(`ESDL Lab: the MLflow settings could not be read (${error}); using defaults`));
    }

    commands.addCommand(CoreCommandIDs.openMlflow, {
      label: 'MLflow Runs',
      caption: 'Show the MLflow experiments and runs',
      icon: args => (args.isPalette ? undefined : mlflowIcon),
      execute: args => {
        if (!sidebar.isAttached) {
          app.shell.add(sidebar, 'left', { rank: 650 });
        }
        app.shell.activateById(sidebar.id);
        const experimentId = stringArg(args, 'experimentId');
        const runId = stringArg(args, 'runId');
        if (experimentId) {
          service.open.openExperiment(experimentId);
        }
        if (runId) {
          service.open.openRun(runId);
        }
      }
    });
    commands.addCommand(CommandIDs.openExperiment, {
      label: args => `Open MLflow Experiment ${stringArg(args, 'experimentId') ?? ''}`,
      execute: args => {
        const experimentId = stringArg(args, 'experimentId');
        if (!experimentId) {
          throw new Error(`${CommandIDs.openExperiment} needs an experimentId`);
        }
        const panel = find(runsTracker, `esdl-mlflow-runs-${experimentId}`) ?? new RunsPanel(service, experimentId);
        reveal(panel, runsTracker);
        return panel;
      }
    });
    commands.addCommand(CommandIDs.openRun, {
      label: args => `Open MLflow Run ${stringArg(args, 'runId') ?? ''}`,
      execute: args => {
        const runId = stringArg(args, 'runId');
        if (!runId) {
          throw new Error(`${CommandIDs.openRun} needs a runId`);
        }
        const panel = find(runTracker, `esdl-mlflow-run-${runId}`) ?? new RunPanel(service, runId);
        reveal(panel, runTracker);
        return panel;
      }
    });
    commands.addCommand(CommandIDs.compareRuns, {
      label: 'Compare MLflow Runs',
      execute: args => {
        const runIds = stringsArg(args, 'runIds');
        if (runIds.length === 0) {
          throw new Error(`${CommandIDs.compareRuns} needs runIds`);
        }
        const tab = (stringArg(args, 'tab') ?? 'table') as CompareTab;
        const existing = find(compareTracker, `esdl-mlflow-compare-${runsKey(runIds)}`);
        existing?.showTab(tab);
        const panel = existing ?? new ComparePanel(service, runIds, tab);
        reveal(panel, compareTracker);
        return panel;
      }
    });
    commands.addCommand(CommandIDs.refreshExperiments, {
      label: 'Reload MLflow Experiments',
      execute: () => sidebar.refresh()
    });
    palette?.addItem({ command: CoreCommandIDs.openMlflow, category: 'ESDL Lab' });
    palette?.addItem({ command: CommandIDs.refreshExperiments, category: 'ESDL Lab' });

    if (restorer) {
      void restorer.restore(runsTracker, {
        command: CommandIDs.openExperiment,
        args: panel => ({ experimentId: panel.experimentId }),
        name: panel => panel.experimentId
      });
      void restorer.restore(runTracker, {
        command: CommandIDs.openRun,
        args: panel => ({ runId: panel.runId }),
        name: panel => panel.runId
      });
      void restorer.restore(compareTracker, {
        command: CommandIDs.compareRuns,
        args: panel => ({ runIds: panel.runIds, tab: panel.tab }),
        name: panel => runsKey(panel.runIds)
      });
    }
  }
};

export default plugin;
