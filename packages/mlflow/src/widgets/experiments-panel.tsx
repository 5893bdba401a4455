/**
 * The MLflow sidebar: the tracking server's state, and its experiments (search, active or deleted, load more);
 * an experiment opens its runs in the main area.
 */
import { MlflowViewType } from '@esdl-lab/core';
import { ReactWidget, UseSignal, refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import React, { useEffect, useState } from 'react';
import { formatTime } from '../model/format';
import { ExperimentsModel } from '../model/experiments';
import { MlflowService } from '../service';
import { mlflowIcon } from '../icons';
import { ErrorMessage, UpstreamNotice } from './common';

export class ExperimentsPanel extends ReactWidget {
  constructor(readonly service: MlflowService) {
    super();
    this.id = 'esdl-mlflow-experiments';
    this.addClass('esdl-MlflowExperiments');
    this.title.icon = mlflowIcon;
    this.title.caption = 'MLflow experiments';
    this.model = new ExperimentsModel(service.client);
    service.status?.changed.connect(this._onStatus, this);
  }

  readonly model: ExperimentsModel;

  /** Loads the experiments the first time the panel shows, and when asked. */
  refresh(): Promise<void> {
    this._started = true;
    return this.model.load();
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.service.status?.changed.disconnect(this._onStatus, this);
      this.model.dispose();
      super.dispose();
    }
  }

  protected onAfterShow(): void {
    if (!this._started) {
      void this.refresh();
    }
  }

  render(): JSX.Element {
    return (
      <>
        <div className="esdl-MlflowExperiments-header">
          <h2>MLflow</h2>
          <span className="esdl-MlflowExperiments-version">{this._versionText()}</span>
          <ToolbarButtonComponent
            icon={refreshIcon}
            tooltip="Load the experiments again"
            onClick={() => void this.refresh()}
          />
        </div>
        <UseSignal signal={this.model.changed}>{() => <ExperimentsView panel={this} />}</UseSignal>
      </>
    );
  }

  private _versionText(): string {
    const upstream = this.service.upstream();
    return upstream?.state === 'up' && upstream.version ? `server ${upstream.version}` : '';
  }

  private _onStatus(): void {
    const state = this.service.upstream()?.state ?? null;
    // the server came up (or was configured): load what failed before
    if (this._started && state === 'up' && this._lastState !== 'up' && this.model.error) {
      void this.model.load();
    }
    this._lastState = state;
    this.update();
  }

  private _started = false;
  private _lastState: string | null = null;
}

function ExperimentsView(props: { panel: ExperimentsPanel }): JSX.Element {
  const { model, service } = props.panel;
  const [search, setSearch] = useState(model.search);
  useEffect(() => {
    if (search === model.search) {
      return;
    }
    const timer = setTimeout(() => void model.setSearch(search), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const unconfigured = service.upstream()?.state === 'unconfigured';
  return (
    <div className="esdl-MlflowExperiments-body">
      <UpstreamNotice service={service} />
      {!unconfigured && (
        <>
          <div className="esdl-MlflowExperiments-controls">
            <input
              className="jp-InputGroup esdl-MlflowExperiments-search"
              type="search"
              placeholder="Search experiments"
              aria-label="Search experiments by name (or an MLflow filter such as tags.team = 'ocean')"
              value={search}
              onChange={event => setSearch(event.target.value)}
            />
            <select
              className="esdl-Mlflow-select"
              aria-label="Which experiments"
              value={model.viewType}
              onChange={event => void model.setViewType(event.target.value as MlflowViewType)}
            >
              <option value="ACTIVE_ONLY">Active</option>
              <option value="DELETED_ONLY">Deleted</option>
              <option value="ALL">All</option>
            </select>
          </div>
          {model.error && <ErrorMessage error={model.error} onRetry={() => void model.load()} />}
          <ul className="esdl-MlflowExperiments-list" aria-label="MLflow experiments">
            {model.experiments.map(experiment => (
              <li key={experiment.experiment_id} className="esdl-MlflowExperiments-item">
                <button
                  className="esdl-MlflowExperiments-open"
                  title={`Open the runs of ${experiment.name} (ID ${experiment.experiment_id})`}
                  onClick={() => service.open.openExperiment(experiment.experiment_id)}
                  data-deleted={experiment.lifecycle_stage === 'deleted' || undefined}
                >
                  <span className="esdl-MlflowExperiments-name">{experiment.name}</span>
                  <span className="esdl-MlflowExperiments-meta">
                    {experiment.experiment_id}
                    {experiment.lifecycle_stage === 'deleted' ? ' · deleted' : ''}
                    {experiment.last_update_time ? ` · ${formatTime(experiment.last_update_time)}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <div className="esdl-MlflowExperiments-footer" role="status" aria-live="polite">
            {model.loading
              ? 'Loading experiments…'
              : model.loaded && !model.error && model.experiments.length === 0
                ? model.search
                  ? 'No experiment matches.'
                  : 'No experiments.'
                : ''}
            {model.hasMore && !model.loading && (
              <button className="jp-Button jp-mod-styled esdl-Mlflow-button" onClick={() => void model.loadMore()}>
                Load more
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
