/**
 * The runs of an experiment in the main area: MLflow's filter syntax, active or deleted runs, sorting by any
 * column, nested runs, "load more", refresh and auto-refresh, the column chooser, and the selection that
 * opens charts and comparisons.
 */
import { IMlflowExperiment, MAX_BULK_RUNS, MlflowError, MlflowViewType } from '@esdl-lab/core';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React, { useEffect, useState } from 'react';
import { runsCode } from '../model/code';
import { IColumn } from '../model/runs-table';
import { RunsModel } from '../model/runs';
import { BUILTIN_COLUMNS, BuiltinColumn } from '../settings';
import { MlflowService } from '../service';
import { mlflowIcon } from '../icons';
import { CopyButton, ErrorMessage, MlflowUiLink, Note, UpstreamNotice } from './common';
import { RunsTableView } from './runs-table';

const FILTER_EXAMPLES = [
  'metrics.val_loss < 0.1',
  "params.arch = 'unet' and metrics.rmse_t2m_K < 0.5",
  "attributes.status = 'FAILED'",
  "tags.stage = 'prod'",
  "attributes.run_name LIKE 'sweep%'",
  "datasets.name = 'era5-t2m-sample'"
];

const BUILTIN_NAMES: Record<BuiltinColumn, string> = {
  name: 'Run name',
  status: 'Status',
  start: 'Start time',
  duration: 'Duration',
  user: 'User',
  source: 'Source',
  models: 'Logged models',
  datasets: 'Datasets'
};

export class RunsPanel extends ReactWidget {
  constructor(
    readonly service: MlflowService,
    readonly experimentId: string
  ) {
    super();
    this.id = `esdl-mlflow-runs-${experimentId}`;
    this.addClass('esdl-MlflowRuns');
    this.title.label = `Experiment ${experimentId}`;
    this.title.caption = `MLflow experiment ${experimentId}`;
    this.title.icon = mlflowIcon;
    this.title.closable = true;
    this.model = new RunsModel({ client: service.client, experimentIds: [experimentId], settings: service.settings });
    service.settingsChanged.connect(this._onSettings, this);
    void this.model.load();
    void this._loadExperiment();
  }

  readonly model: RunsModel;

  get experiment(): IMlflowExperiment | null {
    return this._experiment;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.service.settingsChanged.disconnect(this._onSettings, this);
    this.model.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <RunsView
            panel={this}
            experiment={this._experiment}
            experimentError={this._experimentError}
            onRetryExperiment={() => void this._loadExperiment()}
          />
        )}
      </UseSignal>
    );
  }

  private _onSettings(): void {
    this.model.updateSettings(this.service.settings);
    this.update();
  }

  private async _loadExperiment(): Promise<void> {
    try {
      this._experiment = await this.service.client.getExperiment(this.experimentId);
      this._experimentError = null;
      this.title.label = this._experiment.name;
      this.title.caption = `MLflow experiment ${this._experiment.name} (${this.experimentId})`;
    } catch (error) {
      this._experimentError = error as Error;
    }
    this.update();
  }

  private _experiment: IMlflowExperiment | null = null;
  private _experimentError: Error | null = null;
}

function RunsView(props: {
  panel: RunsPanel;
  experiment: IMlflowExperiment | null;
  experimentError: Error | null;
  onRetryExperiment: () => void;
}): JSX.Element {
  const { panel, experiment } = props;
  const { model, service } = panel;
  const table = model.table;
  const [filter, setFilter] = useState(model.filter);
  const [version, setVersion] = useState(0);
  const note = experiment?.tags?.find(tag => tag.key === 'mlflow.note.content')?.value;
  const selection = model.selection;
  const error = model.error;
  const filterError = error instanceof MlflowError && error.kind === 'invalid' ? error : null;
  const rerender = () => setVersion(v => v + 1);

  const applyFilter = (text: string) => {
    setFilter(text);
    void model.setFilter(text);
  };

  const onSort = (column: IColumn) => {
    const sort = table.sort;
    const next =
      sort?.column !== column.id
        ? { column: column.id, ascending: true }
        : sort.ascending
          ? { column: column.id, ascending: false }
          : null;
    void model.setSort(next);
  };

  const tooMany = selection.length > MAX_BULK_RUNS;
  return (
    <div className="esdl-MlflowRuns-body">
      <header className="esdl-MlflowRuns-header">
        <h2 className="esdl-MlflowRuns-title">
          {experiment?.name ?? `Experiment ${panel.experimentId}`}
          {experiment?.lifecycle_stage === 'deleted' && <span className="esdl-Mlflow-deleted"> (deleted)</span>}
        </h2>
        <span className="esdl-MlflowRuns-id">ID {panel.experimentId}</span>
        <MlflowUiLink href={service.uiUrl(panel.experimentId)} what="experiment" />
      </header>
      {props.experimentError && !error && (
        <ErrorMessage error={props.experimentError} onRetry={props.onRetryExperiment} />
      )}
      {note && (
        <details className="esdl-MlflowRuns-note">
          <summary>Description</summary>
          <Note markdown={note} service={service} label="Experiment description" />
        </details>
      )}
      <UpstreamNotice service={service} />
      <form
        className="esdl-MlflowRuns-filter"
        role="search"
        onSubmit={event => {
          event.preventDefault();
          applyFilter(filter);
        }}
      >
        <input
          className="jp-InputGroup esdl-MlflowRuns-filterInput"
          type="search"
          aria-label="Filter runs (MLflow search syntax)"
          placeholder={'metrics.rmse < 1 and params.lr = "0.01"'}
          value={filter}
          list={`${panel.id}-examples`}
          aria-invalid={!!filterError}
          onChange={event => setFilter(event.target.value)}
        />
        <datalist id={`${panel.id}-examples`}>
          {FILTER_EXAMPLES.map(example => (
            <option key={example} value={example} />
          ))}
        </datalist>
        <button type="submit" className="jp-Button jp-mod-styled jp-mod-accept esdl-Mlflow-button">
          Search
        </button>
        {model.filter && (
          <button type="button" className="jp-Button jp-mod-styled esdl-Mlflow-button" onClick={() => applyFilter('')}>
            Clear
          </button>
        )}
        <select
          className="esdl-Mlflow-select"
          aria-label="Which runs"
          value={model.viewType}
          onChange={event => void model.setViewType(event.target.value as MlflowViewType)}
        >
          <option value="ACTIVE_ONLY">Active runs</option>
          <option value="DELETED_ONLY">Deleted runs</option>
          <option value="ALL">All runs</option>
        </select>
      </form>
      {filterError && (
        <div className="esdl-Mlflow-error" role="alert" data-kind="invalid">
          <strong>MLflow refused the filter: </strong>
          <span className="esdl-Mlflow-errorText">{filterError.serverMessage}</span>
        </div>
      )}
      {error && !filterError && <ErrorMessage error={error} onRetry={() => void model.load()} />}
      <div className="esdl-MlflowRuns-toolbar" role="toolbar" aria-label="Runs">
        <button
          className="jp-Button jp-mod-styled esdl-Mlflow-button"
          onClick={() => void model.refresh()}
          disabled={model.loading}
        >
          Refresh
        </button>
        <label className="esdl-Mlflow-check" title="Reload by itself while runs are running">
          <input
            type="checkbox"
            checked={model.autoRefresh}
            onChange={event => void service.saveSettings({ autoRefresh: event.target.checked })}
          />
          Auto-refresh ({service.settings.autoRefreshInterval} s)
        </label>
        <ColumnChooser panel={panel} />
        <button
          className="jp-Button jp-mod-styled esdl-Mlflow-button"
          onClick={() => {
            const anyExpanded = table.rows.some(row => row.expanded);
            table.expandAll(!anyExpanded);
            rerender();
          }}
        >
          {table.rows.some(row => row.expanded) ? 'Collapse nested' : 'Expand nested'}
        </button>
        <span className="esdl-MlflowRuns-spacer" />
        <span className="esdl-MlflowRuns-selection" aria-live="polite">
          {selection.length ? `${selection.length} selected` : 'Select runs to chart or compare them'}
        </span>
        <button
          className="jp-Button jp-mod-styled esdl-Mlflow-button"
          disabled={selection.length === 0 || tooMany}
          title={tooMany ? `Charts show at most ${MAX_BULK_RUNS} runs` : 'Metric histories of the selected runs'}
          onClick={() => service.open.compareRuns(model.selection.slice(), 'charts')}
        >
          Chart
        </button>
        <button
          className="jp-Button jp-mod-styled esdl-Mlflow-button"
          disabled={selection.length < 2 || tooMany}
          title={selection.length < 2 ? 'Select two runs or more' : 'Compare the selected runs side by side'}
          onClick={() => service.open.compareRuns(model.selection.slice(), 'table')}
        >
          Compare
        </button>
        {selection.length > 0 && (
          <>
            <CopyButton
              label="Copy code"
              title="Python that loads the selected runs with MLflow"
              text={() => runsCode(model.selectedRuns(), service.trackingUri())}
            />
            <button className="jp-Button jp-mod-styled esdl-Mlflow-button" onClick={() => model.clearSelection()}>
              Clear selection
            </button>
          </>
        )}
      </div>
      {model.notice && (
        <div className="esdl-Mlflow-notice" role="status">
          {model.notice}
        </div>
      )}
      <RunsTableView
        table={table}
        version={version}
        label={`Runs of ${experiment?.name ?? `experiment ${panel.experimentId}`}`}
        isSelected={id => model.isSelected(id)}
        onSelect={(ids, selected) => model.setSelected(ids, selected)}
        onOpen={id => service.open.openRun(id)}
        onSort={onSort}
        onToggle={id => {
          table.toggle(id);
          rerender();
        }}
      />
      <footer className="esdl-MlflowRuns-footer">
        <span role="status" aria-live="polite">
          {model.loading
            ? 'Loading runs…'
            : error
              ? ''
              : table.size === 0
                ? model.filter
                  ? 'No run matches the filter.'
                  : 'This experiment has no runs.'
                : `${table.size.toLocaleString('en')} run${table.size === 1 ? '' : 's'}${model.complete ? '' : ' loaded, more on the server'}`}
        </span>
        {!model.complete && !model.loading && (
          <button className="jp-Button jp-mod-styled esdl-Mlflow-button" onClick={() => void model.loadMore()}>
            Load more
          </button>
        )}
      </footer>
    </div>
  );
}

function ColumnChooser(props: { panel: RunsPanel }): JSX.Element {
  const { model, service } = props.panel;
  const table = model.table;
  const settings = service.settings;
  const keys = table.keys;
  const shown = new Set(table.columns.map(column => column.id));
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) {
      return;
    }
    const close = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [open]);

  const toggleBuiltin = (name: BuiltinColumn, on: boolean) => {
    const columns = BUILTIN_COLUMNS.filter(c => (c === name ? on : settings.columns.includes(c)));
    void service.saveSettings({ columns });
  };
  const toggleKey = (kind: 'metric' | 'param', key: string, on: boolean) => {
    const current = table.columns.filter(c => c.kind === kind).map(c => c.key);
    const next = on ? [...current, key] : current.filter(k => k !== key);
    void service.saveSettings(kind === 'metric' ? { metricColumns: next } : { paramColumns: next });
  };
  return (
    <div className="esdl-MlflowColumns">
      <button
        className="jp-Button jp-mod-styled esdl-Mlflow-button"
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen(!open)}
      >
        Columns
      </button>
      {open && (
        <div className="esdl-MlflowColumns-popup" role="group" aria-label="Columns">
          <fieldset>
            <legend>Run</legend>
            {BUILTIN_COLUMNS.map(name => (
              <label key={name}>
                <input
                  type="checkbox"
                  checked={settings.columns.includes(name)}
                  onChange={event => toggleBuiltin(name, event.target.checked)}
                />
                {BUILTIN_NAMES[name]}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Metrics{settings.metricColumns.length === 0 ? ' (automatic)' : ''}</legend>
            {keys.metrics.length === 0 && <span className="esdl-Mlflow-empty">none loaded</span>}
            {keys.metrics.map(key => (
              <label key={key}>
                <input
                  type="checkbox"
                  checked={shown.has(`metrics.${key}`)}
                  onChange={event => toggleKey('metric', key, event.target.checked)}
                />
                {key}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Params{settings.paramColumns.length === 0 ? ' (automatic)' : ''}</legend>
            {keys.params.length === 0 && <span className="esdl-Mlflow-empty">none loaded</span>}
            {keys.params.map(key => (
              <label key={key}>
                <input
                  type="checkbox"
                  checked={shown.has(`params.${key}`)}
                  onChange={event => toggleKey('param', key, event.target.checked)}
                />
                {key}
              </label>
            ))}
          </fieldset>
          <button
            className="jp-Button jp-mod-styled esdl-Mlflow-button"
            onClick={() => void service.saveSettings({ metricColumns: [], paramColumns: [] })}
          >
            Automatic metrics and params
          </button>
        </div>
      )}
    </div>
  );
}
