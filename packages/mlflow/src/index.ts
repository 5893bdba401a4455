import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

/**
 * The MLflow run panel: experiments, runs, metrics and artifacts.
 * For now the plugin only registers itself; its UI comes with its own issue.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@esdl-lab/labextension:mlflow',
  description: 'The MLflow run panel: experiments, runs, metrics and artifacts.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // registered so that the extension lists every feature from the start
  }
};

export default plugin;
