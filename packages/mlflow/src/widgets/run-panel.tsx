/**
 * One run in the main area: its attributes, params, metrics (latest, min and max), tags with the note as
 * sanitized Markdown, dataset inputs, logged models, nested runs, metric charts and artifacts; refresh,
 * auto-refresh while it runs, "copy code" and a link to the MLflow UI.
 */
import { IMlflowDatasetInput, IMlflowLoggedModel, IMlflowRun } from '@esdl-lab/core';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';
import React, { useMemo, useState } from 'react';
import { runCode } from '../model/code';
import { formatDuration, formatTime, formatValue } from '../model/format';
import { PARENT_TAG, quoteKey } from '../model/runs-table';
import { runColor } from '../model/series';
import { MlflowService } from '../service';
import { mlflowIcon } from '../icons';
import { IArtifactSource, ArtifactBrowser } from './artifacts';
import { IChartRun, MetricCharts } from './charts';
import { CopyButton, ErrorMessage, KeyValueTable, MlflowUiLink, Note, StatusBadge, eachLimited } from './common';

type Tab = 'overview' | 'charts' | 'artifacts';

interface IMetricSummary {
  min: number;
  max: number;
  points: number;
  complete: boolean;
}

/** The most points read per metric to find its min and max. */
const SUMMARY_POINTS = 100_000;

export class RunPanel extends ReactWidget {
  constructor(
    readonly service: MlflowService,
    readonly runId: string
  ) {
    super();
    this.id = `esdl-mlflow-run-${runId}`;
    this.addClass('esdl-MlflowRun');
    this.title.label = `Run ${runId.slice(0, 8)}`;
    this.title.caption = `MLflow run ${runId}`;
    this.title.icon = mlflowIcon;
    this.title.closable = true;
    this._poll = new Poll({
      auto: false,
      factory: () => this.refresh(),
      frequency: {
        interval: service.settings.autoRefreshInterval * 1000,
        backoff: false,
        max: service.settings.autoRefreshInterval * 1000
      },
      name: '@esdl-lab/mlflow:run-refresh',
      standby: () => (service.settings.autoRefresh && this._run?.info.status === 'RUNNING' ? 'when-hidden' : true)
    });
    void this._poll.start();
    service.settingsChanged.connect(this._onSettings, this);
    void this.refresh();
  }

  get run(): IMlflowRun | null {
    return this._run;
  }

  /** Loads the run again, and its charts and metric summaries. */
  async refresh(): Promise<void> {
    this._loading = true;
    this.update();
    try {
      const run = await this.service.client.getRun(this.runId);
      this._run = run;
      this._error = null;
      const name = run.info.run_name || this.runId.slice(0, 8);
      this.title.label = name;
      this.title.caption = `MLflow run ${name} (${this.runId})`;
      this._reload++;
      void this._loadSummaries(run);
      void this._loadRelated(run);
    } catch (error) {
      this._error = error as Error;
    }
    this._loading = false;
    this.update();
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.service.settingsChanged.disconnect(this._onSettings, this);
      this._poll.dispose();
      super.dispose();
    }
  }

  render(): JSX.Element {
    if (!this._run) {
      return (
        <div className="esdl-MlflowRun-body">
          {this._error ? (
            <ErrorMessage error={this._error} onRetry={() => void this.refresh()} />
          ) : (
            <div className="esdl-Mlflow-empty">Loading run {this.runId}…</div>
          )}
        </div>
      );
    }
    return (
      <RunView
        panel={this}
        run={this._run}
        error={this._error}
        loading={this._loading}
        summaries={this._summaries}
        models={this._models}
        nested={this._nested}
        reload={this._reload}
      />
    );
  }

  private _onSettings(): void {
    this._poll.frequency = {
      interval: this.service.settings.autoRefreshInterval * 1000,
      backoff: false,
      max: this.service.settings.autoRefreshInterval * 1000
    };
    this.update();
  }

  private async _loadSummaries(run: IMlflowRun): Promise<void> {
    const keys = (run.data.metrics ?? []).map(metric => metric.key);
    const summaries = new Map<string, IMetricSummary | Error>();
    await eachLimited(keys, 4, async key => {
      try {
        const history = await this.service.client.metricHistory(run.info.run_id, key, { maxPoints: SUMMARY_POINTS });
        let min = Infinity;
        let max = -Infinity;
        for (const point of history.metrics) {
          const value = Number(point.value);
          if (Number.isFinite(value)) {
            min = Math.min(min, value);
            max = Math.max(max, value);
          }
        }
        summaries.set(key, { min, max, points: history.metrics.length, complete: history.complete });
      } catch (error) {
        summaries.set(key, error as Error);
      }
    });
    this._summaries = summaries;
    this.update();
  }

  private async _loadRelated(run: IMlflowRun): Promise<void> {
    const client = this.service.client;
    const models = await Promise.all(
      (run.outputs?.model_outputs ?? []).map(output =>
        client.getLoggedModel(output.model_id).catch((error: Error) => error)
      )
    );
    this._models = models;
    try {
      const page = await client.searchRuns({
        experimentIds: [run.info.experiment_id],
        filter: `tags.${quoteKey(PARENT_TAG)} = '${run.info.run_id}'`,
        maxResults: 1000,
        runViewType: 'ALL'
      });
      this._nested = page.items;
    } catch {
      // nested runs are a convenience: the run shows without them
      this._nested = [];
    }
    this.update();
  }

  private _run: IMlflowRun | null = null;
  private _error: Error | null = null;
  private _loading = false;
  private _summaries = new Map<string, IMetricSummary | Error>();
  private _models: (IMlflowLoggedModel | Error)[] = [];
  private _nested: IMlflowRun[] = [];
  private _reload = 0;
  private _poll: Poll;
}

function tagValue(run: IMlflowRun, key: string): string | undefined {
  return run.data.tags?.find(tag => tag.key === key)?.value;
}

function RunView(props: {
  panel: RunPanel;
  run: IMlflowRun;
  error: Error | null;
  loading: boolean;
  summaries: Map<string, IMetricSummary | Error>;
  models: (IMlflowLoggedModel | Error)[];
  nested: IMlflowRun[];
  reload: number;
}): JSX.Element {
  const { panel, run } = props;
  const { service } = panel;
  const [tab, setTab] = useState<Tab>('overview');
  const info = run.info;
  const name = info.run_name || tagValue(run, 'mlflow.runName') || info.run_id;
  const note = tagValue(run, 'mlflow.note.content');
  const parent = tagValue(run, PARENT_TAG);
  const end = info.end_time ?? (info.status === 'RUNNING' ? Date.now() : undefined);
  const chartRuns: IChartRun[] = useMemo(
    () => [{ id: info.run_id, label: name, color: runColor(0), start: info.start_time }],
    [info.run_id, name, info.start_time]
  );
  const metricKeys = useMemo(() => (run.data.metrics ?? []).map(metric => metric.key), [run]);
  const sources: IArtifactSource[] = useMemo(() => artifactSources(panel, run, props.models), [run, props.models]);

  return (
    <div className="esdl-MlflowRun-body">
      <header className="esdl-MlflowRun-header">
        <h2 className="esdl-MlflowRun-title">{name}</h2>
        <StatusBadge status={info.status} />
        {info.lifecycle_stage === 'deleted' && <span className="esdl-Mlflow-deleted">deleted</span>}
        <span className="esdl-MlflowRun-spacer" />
        <button
          className="jp-Button jp-mod-styled esdl-Mlflow-button"
          disabled={props.loading}
          onClick={() => void panel.refresh()}
        >
          {props.loading ? 'Refreshing…' : 'Refresh'}
        </button>
        <CopyButton
          label="Copy code"
          title="Python that reads this run with MLflow and loads its model"
          text={() => runCode(run, service.trackingUri())}
        />
        <MlflowUiLink href={service.uiUrl(info.experiment_id, info.run_id)} what="run" />
      </header>
      <dl className="esdl-MlflowRun-facts">
        <dt>Run ID</dt>
        <dd>{info.run_id}</dd>
        <dt>Experiment</dt>
        <dd>
          <button className="esdl-Mlflow-linkButton" onClick={() => service.open.openExperiment(info.experiment_id)}>
            {info.experiment_id}
          </button>
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(info.start_time)}</dd>
        <dt>Duration</dt>
        <dd>
          {info.start_time && end ? formatDuration(end - info.start_time) : ''}
          {info.status === 'RUNNING' ? ' (running)' : ''}
        </dd>
        <dt>User</dt>
        <dd>{tagValue(run, 'mlflow.user') ?? info.user_id ?? ''}</dd>
        <dt>Source</dt>
        <dd>{tagValue(run, 'mlflow.source.name') ?? ''}</dd>
        {parent && (
          <>
            <dt>Parent run</dt>
            <dd>
              <button className="esdl-Mlflow-linkButton" onClick={() => service.open.openRun(parent)}>
                {parent}
              </button>
            </dd>
          </>
        )}
      </dl>
      {props.error && <ErrorMessage error={props.error} onRetry={() => void panel.refresh()} />}
      <div className="esdl-MlflowRun-tabs" role="tablist" aria-label="Run views">
        {(['overview', 'charts', 'artifacts'] as Tab[]).map(name => (
          <button
            key={name}
            role="tab"
            aria-selected={tab === name}
            className="esdl-MlflowRun-tab"
            onClick={() => setTab(name)}
          >
            {name === 'overview' ? 'Overview' : name === 'charts' ? 'Charts' : 'Artifacts'}
          </button>
        ))}
      </div>
      <div className="esdl-MlflowRun-tabBody" role="tabpanel">
        {tab === 'overview' && <Overview {...props} note={note} />}
        {tab === 'charts' && (
          <MetricCharts service={service} runs={chartRuns} metricKeys={metricKeys} reload={props.reload} />
        )}
        {tab === 'artifacts' && <ArtifactBrowser sources={sources} />}
      </div>
    </div>
  );
}

function artifactSources(panel: RunPanel, run: IMlflowRun, models: (IMlflowLoggedModel | Error)[]): IArtifactSource[] {
  const client = panel.service.client;
  const runId = run.info.run_id;
  const sources: IArtifactSource[] = [
    {
      id: `run-${runId}`,
      label: 'Run artifacts',
      list: async path => (await client.listArtifacts(runId, path)).files ?? [],
      fetch: path => client.artifact(runId, path)
    }
  ];
  for (const model of models) {
    if (!(model instanceof Error)) {
      const id = model.info.model_id;
      sources.push({
        id: `model-${id}`,
        label: `Logged model ${model.info.name} (${id})`,
        list: async path => (await client.listLoggedModelArtifacts(id, path)).files ?? [],
        fetch: path => client.loggedModelArtifact(id, path)
      });
    }
  }
  return sources;
}

function Overview(props: {
  panel: RunPanel;
  run: IMlflowRun;
  note: string | undefined;
  summaries: Map<string, IMetricSummary | Error>;
  models: (IMlflowLoggedModel | Error)[];
  nested: IMlflowRun[];
}): JSX.Element {
  const { run, panel } = props;
  const { service } = panel;
  const tags = run.data.tags ?? [];
  const userTags = tags.filter(tag => !tag.key.startsWith('mlflow.'));
  const systemTags = tags.filter(tag => tag.key.startsWith('mlflow.') && tag.key !== 'mlflow.note.content');
  const metricRows = (run.data.metrics ?? []).map(metric => {
    const summary = props.summaries.get(metric.key);
    const approx = summary && !(summary instanceof Error) && !summary.complete ? '≈' : '';
    const cells =
      summary === undefined
        ? ['…', '…']
        : summary instanceof Error
          ? ['?', '?']
          : [approx + formatValue(summary.min), approx + formatValue(summary.max)];
    return {
      key: metric.key,
      value: formatValue(metric.value),
      title: `${metric.value} at step ${metric.step}`,
      extra: [...cells, String(metric.step)]
    };
  });
  const summaryErrors = [...props.summaries.values()].filter((s): s is Error => s instanceof Error);
  return (
    <div className="esdl-MlflowRun-overview">
      {props.note && (
        <section aria-label="Description">
          <h3>Description</h3>
          <Note markdown={props.note} service={service} label="Run description" />
        </section>
      )}
      <section>
        <h3>Parameters ({run.data.params?.length ?? 0})</h3>
        <KeyValueTable
          label="Parameters"
          rows={(run.data.params ?? []).map(param => ({ key: param.key, value: param.value }))}
          empty="This run logged no parameters."
        />
      </section>
      <section>
        <h3>Metrics ({metricRows.length})</h3>
        <KeyValueTable
          label="Metrics"
          columns={['Metric', 'Latest', 'Min', 'Max', 'Step']}
          rows={metricRows}
          empty="This run logged no metrics."
        />
        {summaryErrors.length > 0 && (
          <ErrorMessage error={summaryErrors[0]} title="The min and max of some metrics could not be read:" />
        )}
      </section>
      <section>
        <h3>Tags ({userTags.length})</h3>
        <KeyValueTable
          label="Tags"
          rows={userTags.map(tag => ({ key: tag.key, value: tag.value }))}
          empty="No tags of your own."
        />
        {systemTags.length > 0 && (
          <details>
            <summary>MLflow's tags ({systemTags.length})</summary>
            <KeyValueTable label="MLflow tags" rows={systemTags.map(tag => ({ key: tag.key, value: tag.value }))} />
          </details>
        )}
      </section>
      <section>
        <h3>Datasets ({run.inputs?.dataset_inputs?.length ?? 0})</h3>
        <Datasets inputs={run.inputs?.dataset_inputs ?? []} />
      </section>
      <section>
        <h3>Logged models ({props.models.length})</h3>
        <LoggedModels models={props.models} />
      </section>
      {props.nested.length > 0 && (
        <section>
          <h3>Nested runs ({props.nested.length})</h3>
          <ul className="esdl-MlflowRun-children">
            {props.nested.map(child => (
              <li key={child.info.run_id}>
                <button className="esdl-Mlflow-linkButton" onClick={() => service.open.openRun(child.info.run_id)}>
                  {child.info.run_name || child.info.run_id}
                </button>{' '}
                <StatusBadge status={child.info.status} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function parseJson(text: string | undefined): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function Datasets(props: { inputs: IMlflowDatasetInput[] }): JSX.Element {
  if (!props.inputs.length) {
    return <div className="esdl-Mlflow-empty">This run logged no dataset inputs.</div>;
  }
  return (
    <table className="esdl-Mlflow-kvTable" aria-label="Datasets">
      <thead>
        <tr>
          <th>Name</th>
          <th>Context</th>
          <th>Digest</th>
          <th>Source</th>
          <th>Columns</th>
          <th>Rows</th>
        </tr>
      </thead>
      <tbody>
        {props.inputs.map((input, i) => {
          const dataset = input.dataset;
          const source = parseJson(dataset.source);
          const schema = parseJson(dataset.schema);
          const profile = parseJson(dataset.profile);
          const columns: string[] = Array.isArray(schema?.mlflow_colspec)
            ? schema.mlflow_colspec.map((c: { name?: string; type?: string }) => `${c.name ?? '?'}: ${c.type ?? '?'}`)
            : [];
          return (
            <tr key={`${dataset.name}-${dataset.digest}-${i}`}>
              <th scope="row">{dataset.name}</th>
              <td>{input.tags?.find(tag => tag.key === 'mlflow.data.context')?.value ?? ''}</td>
              <td>{dataset.digest}</td>
              <td title={dataset.source}>
                {dataset.source_type}
                {typeof source?.uri === 'string' ? `: ${source.uri}` : ''}
              </td>
              <td>{columns.join(', ')}</td>
              <td>{typeof profile?.num_rows === 'number' ? profile.num_rows.toLocaleString('en') : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function LoggedModels(props: { models: (IMlflowLoggedModel | Error)[] }): JSX.Element {
  if (!props.models.length) {
    return <div className="esdl-Mlflow-empty">This run logged no models.</div>;
  }
  return (
    <ul className="esdl-MlflowRun-models">
      {props.models.map((model, i) => {
        if (model instanceof Error) {
          return (
            <li key={i}>
              <ErrorMessage error={model} />
            </li>
          );
        }
        const versions = parseJson(model.info.tags?.find(tag => tag.key === 'mlflow.modelVersions')?.value);
        const registered: string[] = Array.isArray(versions)
          ? [...new Set(versions.map((v: { name?: string; version?: unknown }) => `${v.name} v${v.version}`))]
          : [];
        return (
          <li key={model.info.model_id}>
            <strong>{model.info.name}</strong> <span className="esdl-Mlflow-muted">{model.info.model_id}</span>{' '}
            <StatusBadge status={(model.info.status ?? '').replace(/^LOGGED_MODEL_/, '')} />
            {registered.length > 0 && <div>Registered as {registered.join(', ')}</div>}
            <div className="esdl-Mlflow-muted">models:/{model.info.model_id}</div>
          </li>
        );
      })}
    </ul>
  );
}
