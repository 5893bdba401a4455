/**
 * What every MLflow widget shares: the client, the user's settings, the status of the `mlflow` upstream, the
 * Markdown renderer, and the commands that open experiments, runs and comparisons.
 */
import { IStatusModel, IUpstreamStatus, MlflowClient } from '@esdl-lab/core';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISignal, Signal } from '@lumino/signaling';
import { DEFAULT_SETTINGS, IMlflowSettings } from './settings';

export namespace CommandIDs {
  export const openExperiment = 'esdl-lab:mlflow-open-experiment';
  export const openRun = 'esdl-lab:mlflow-open-run';
  export const compareRuns = 'esdl-lab:mlflow-compare-runs';
  export const refreshExperiments = 'esdl-lab:mlflow-refresh-experiments';
}

export interface IOpeners {
  openExperiment(experimentId: string): void;
  openRun(runId: string): void;
  /** opens the comparison of runs; `tab` picks its first view */
  compareRuns(runIds: string[], tab?: 'table' | 'charts' | 'params'): void;
}

export class MlflowService {
  constructor(options: {
    client?: MlflowClient;
    status?: IStatusModel | null;
    rendermime?: IRenderMimeRegistry | null;
    openers: IOpeners;
    saveSettings?: (settings: Partial<IMlflowSettings>) => Promise<void>;
  }) {
    this.client = options.client ?? new MlflowClient();
    this.status = options.status ?? null;
    this.rendermime = options.rendermime ?? null;
    this.open = options.openers;
    this._save = options.saveSettings ?? null;
  }

  readonly client: MlflowClient;
  readonly status: IStatusModel | null;
  readonly rendermime: IRenderMimeRegistry | null;
  readonly open: IOpeners;

  get settings(): IMlflowSettings {
    return this._settings;
  }

  get settingsChanged(): ISignal<this, IMlflowSettings> {
    return this._settingsChanged;
  }

  setSettings(settings: IMlflowSettings): void {
    this._settings = settings;
    this._settingsChanged.emit(settings);
  }

  /** Stores settings the UI changed (columns, auto-refresh) in the user's settings. */
  async saveSettings(settings: Partial<IMlflowSettings>): Promise<void> {
    this.setSettings({ ...this._settings, ...settings });
    await this._save?.(settings);
  }

  /** The `mlflow` upstream as the status reports it, or null before the first answer (or without status). */
  upstream(): IUpstreamStatus | null {
    return this.status?.upstreams('mlflow')[0] ?? null;
  }

  /** Where a kernel on the Jupyter server reaches MLflow, when the server reports it. */
  trackingUri(): string | null {
    return this.upstream()?.kernelUrl ?? null;
  }

  /** The MLflow UI's page of an experiment or a run, when its address is configured. */
  uiUrl(experimentId: string, runId?: string): string | null {
    const base = this._settings.mlflowUiUrl;
    if (!base || !/^https?:\/\//i.test(base)) {
      return null;
    }
    const root = base.replace(/#.*$/, '').replace(/\/?$/, '/');
    const path =
      `#/experiments/${encodeURIComponent(experimentId)}` + (runId ? `/runs/${encodeURIComponent(runId)}` : '');
    return root + path;
  }

  private _settings: IMlflowSettings = { ...DEFAULT_SETTINGS };
  private _settingsChanged = new Signal<this, IMlflowSettings>(this);
  private _save: ((settings: Partial<IMlflowSettings>) => Promise<void>) | null;
}
