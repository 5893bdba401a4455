import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

/**
 * The Lexcube-like 3D cube of a cube variable.
 * For now the plugin only registers itself; its UI comes with its own issue.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@esdl-lab/labextension:cube3d',
  description: 'The Lexcube-like 3D cube of a cube variable.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd): void => {
    // registered so that the extension lists every feature from the start
  }
};

export default plugin;
