import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

/**
 * The data-catalogue sidebar: every dataset of every configured cube server.
 * For now the plugin only registers itself; its UI comes with its own issue.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@esdl-lab/labextension:catalog',
  description: 'The data-catalogue sidebar: every dataset of every configured cube server.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // registered so that the extension lists every feature from the start
  }
};

export default plugin;
