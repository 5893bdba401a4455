/**
 * Tokens of the services that ESDL Lab plugins share, and the command IDs that cross plugins.
 * Nothing here runs: features depend on these interfaces, never on each other's packages, so any
 * one feature can be disabled.
 */
import { Token } from '@lumino/coreutils';
import { IStatusModel } from './status';

/** The status of every upstream (cube servers, MLflow), polled from `/esdl-lab/status`. */
export const IEsdlStatus = new Token<IStatusModel>(
  '@esdl-lab/core:IEsdlStatus',
  'The state of every upstream service that the ESDL Lab server extension proxies (cube servers, MLflow), ' +
    'polled with backoff; use it to tell users why a panel has no data.'
);

/** A dataset (and optionally one of its variables) on a configured cube server. */
export interface IDatasetRef {
  /** the cube server's configured name (`/esdl-lab/cubes/<server>/`) */
  server: string;
  /** the dataset identifier on that server */
  dataset: string;
  /** a variable of the dataset */
  variable?: string;
  /** a time label (ISO 8601) to show first */
  time?: string;
}

/** Something that can show a dataset, such as the map viewer or the 3D cube. */
export interface IDatasetOpener {
  /** opens (or reveals) a view of the dataset */
  open(ref: IDatasetRef): Promise<void>;
}

/** Opens a dataset in the map viewer; present only when the viewer plugin is enabled. */
export const IViewerOpener = new Token<IDatasetOpener>(
  '@esdl-lab/core:IViewerOpener',
  'Opens a cube-server dataset and variable in the ESDL Lab map viewer.'
);

/** Opens a dataset in the 3D cube; present only when the cube3d plugin is enabled. */
export const ICube3DOpener = new Token<IDatasetOpener>(
  '@esdl-lab/core:ICube3DOpener',
  'Opens a cube-server dataset and variable as an ESDL Lab 3D cube.'
);

/** Command IDs that plugins share. */
export namespace CommandIDs {
  export const showServices = 'esdl-lab:show-services';
  export const refreshStatus = 'esdl-lab:refresh-status';
  export const openCatalog = 'esdl-lab:open-catalog';
  export const openViewer = 'esdl-lab:open-viewer';
  export const openCube3D = 'esdl-lab:open-cube3d';
  export const openMlflow = 'esdl-lab:open-mlflow';
  export const openLauncher = 'esdl-lab:open-cluster-launcher';
}
