/**
 * What a user can do with a dataset or one of its variables. The plugin provides the implementations
 * (commands, tokens of other plugins); the views only call them. Opening in the viewer or the 3D cube is
 * absent when that plugin is not there.
 */
import { XcubeClient } from '@esdl-lab/core';
import { ICatalogEntry } from './entry';

export interface IDatasetActions {
  showDetails(entry: ICatalogEntry): void;
  insertCode(entry: ICatalogEntry, variable?: string): void;
  copyCode(entry: ICatalogEntry, variable?: string): void;
  /** starts dragging the dataset's code cell from a pointer position */
  dragCode(entry: ICatalogEntry, clientX: number, clientY: number): void;
  openInViewer: ((entry: ICatalogEntry, variable?: string) => void) | null;
  openInCube3D: ((entry: ICatalogEntry, variable?: string) => void) | null;
  /** the xcube client of a server, for previews */
  client(server: string): XcubeClient;
}

export interface ICatalogSettings {
  defaultSort: 'title' | 'time' | 'recent';
  groupBy: 'server' | 'group' | 'none';
  showPreviews: boolean;
  codeTemplate: string;
}

export const DEFAULT_SETTINGS: ICatalogSettings = {
  defaultSort: 'title',
  groupBy: 'server',
  showPreviews: true,
  codeTemplate: ''
};
