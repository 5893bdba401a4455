import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

/**
 * The cluster kernel launcher and the queue of kernel jobs.
 * For now the plugin only registers itself; its UI comes with its own issue.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@esdl-lab/labextension:launcher',
  description: 'The cluster kernel launcher and the queue of kernel jobs.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // registered so that the extension lists every feature from the start
  }
};

export default plugin;
