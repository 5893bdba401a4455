import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

/**
 * The xcube-style map viewer of cube variables.
 * For now the plugin only registers itself; its UI comes with its own issue.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@esdl-lab/labextension:viewer',
  description: 'The xcube-style map viewer of cube variables.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // registered so that the extension lists every feature from the start
  }
};

export default plugin;
