/**
 * The ESDL Lab JupyterLab extension: every plugin of the suite, and nothing else. Each feature lives in
 * its own package; a user can disable any of them by its plugin ID.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import catalog from '@esdl-lab/catalog';
import cube3d from '@esdl-lab/cube3d';
import launcher from '@esdl-lab/launcher';
import mlflow from '@esdl-lab/mlflow';
import status from '@esdl-lab/status';
import viewer from '@esdl-lab/viewer';

const plugins: JupyterFrontEndPlugin<any>[] = [...status, catalog, viewer, cube3d, mlflow, launcher];

export default plugins;
