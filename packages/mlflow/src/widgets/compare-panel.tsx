/**
 * Two or more runs side by side: their attributes, params, metrics and tags with a "differences only" switch,
 * their metric charts overlaid, and params against a metric as a scatter plot or parallel coordinates.
 */
import { IMlflowRun } from '@esdl-lab/core';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Poll } from '@lumino/polling';
import React, { useEffect, useMemo, useRef, useState } from 'react';
import type { ParamsChart } from '../chart';
import { runsCode } from '../model/code';
import { compareRuns, differencesOnly, metricKeys, paramKeys, valueAxis } from '../model/compare';
import { runColor } from '../model/series';
import { MlflowService } from '../service';
import { mlflowIcon } from '../icons';
import { IChartRun, MetricCharts, loadCharts } from './charts';
import { CopyButton, ErrorMessage, eachLimited } from './common';

export type CompareTab = 'table' | 'charts' | 'params';

/** A short, stable id for a set of runs. */
export function runsKey(runIds: readonly string[]): string {
  let hash = 0;
  for (const char of runIds.join(',')) {
    hash = (hash * 31 + char.charCodeAt(0)) | 0;
  }
  return `${runIds.length}-${(hash >>> 0).toString(36)}`;
}

export class ComparePanel extends ReactWidget {
  constructor(
    readonly service: MlflowService,
    readonly runIds: string[],
    tab: CompareTab = 'table'
  ) {
    super();
    this.id = `esdl-mlflow-compare-${runsKey(runIds)}`;
    this.addClass('esdl-MlflowCompare');
    this.title.label = runIds.length === 1 ? 'Run chart' : `Compare ${runIds.length} runs`;
    this.title.caption = `MLflow runs ${runIds.join(', ')}`;
    this.title.icon = mlflowIcon;
    this.title.closable = true;
    this.tab = tab;
    const interval = () => service.settings.autoRefreshInterval * 1000;
    this._poll = new Poll({
      auto: false,
      factory: () => this.refresh(),
      frequency: { interval: interval(), backoff: false, max: interval() },
      name: '@esdl-lab/mlflow:compare-refresh',
      // reloads by itself only while auto-refresh is on and some of the runs are running
      standby: () =>
        service.settings.autoRefresh && this._runs.some(run => run.info.status === 'RUNNING') ? 'when-hidden' : true
    });
    void this._poll.start();
    service.settingsChanged.connect(this._onSettings, this);
    void this.refresh();
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.service.settingsChanged.disconnect(this._onSettings, this);
      this._poll.dispose();
      super.dispose();
    }
  }

  tab: CompareTab;

  get runs(): IMlflowRun[] {
    return this._runs;
  }

  async refresh(): Promise<void> {
    this._loading = true;
    this.update();
    const runs = new Map<string, IMlflowRun>();
    const errors: Error[] = [];
    await eachLimited(this.runIds, 6, async id => {
      try {
        runs.set(id, await this.service.client.getRun(id));
      } catch (error) {
        errors.push(error as Error);
      }
    });
    this._runs = this.runIds.map(id => runs.get(id)).filter((run): run is IMlflowRun => !!run);
    this._errors = errors;
    this._loading = false;
    this._reload++;
    this.update();
  }

  /** Shows one of the views. */
  showTab(tab: CompareTab): void {
    this.tab = tab;
    this.update();
  }

  render(): JSX.Element {
    return (
      <CompareView
        panel={this}
        runs={this._runs}
        errors={this._errors}
        loading={this._loading}
        reload={this._reload}
        tab={this.tab}
        onTab={tab => this.showTab(tab)}
      />
    );
  }

  private _onSettings(): void {
    const interval = this.service.settings.autoRefreshInterval * 1000;
    this._poll.frequency = { interval, backoff: false, max: interval };
  }

  private _poll: Poll;
  private _runs: IMlflowRun[] = [];
  private _errors: Error[] = [];
  private _loading = true;
  private _reload = 0;
}

function CompareView(props: {
  panel: ComparePanel;
  runs: IMlflowRun[];
  errors: Error[];
  loading: boolean;
  reload: number;
  tab: CompareTab;
  onTab: (tab: CompareTab) => void;
}): JSX.Element {
  const { panel, runs } = props;
  const { service } = panel;
  const chartRuns: IChartRun[] = useMemo(
    () =>
      runs.map((run, i) => ({
        id: run.info.run_id,
        label: run.info.run_name || run.info.run_id.slice(0, 8),
        color: runColor(i),
        start: run.info.start_time
      })),
    [runs]
  );
  const keys = useMemo(() => metricKeys(runs), [runs]);
  return (
    <div className="esdl-MlflowCompare-body">
      <header className="esdl-MlflowRun-header">
        <h2 className="esdl-MlflowRun-title">
          {runs.length === 1 ? runs[0].info.run_name || runs[0].info.run_id : `${panel.runIds.length} runs`}
        </h2>
        <span className="esdl-MlflowRun-spacer" />
        <button
          className="jp-Button jp-mod-styled esdl-Mlflow-button"
          disabled={props.loading}
          onClick={() => void panel.refresh()}
        >
          {props.loading ? 'Loading…' : 'Refresh'}
        </button>
        <CopyButton label="Copy code" text={() => runsCode(runs, service.trackingUri())} />
      </header>
      {props.errors.map((error, i) => (
        <ErrorMessage key={i} error={error} />
      ))}
      <div className="esdl-MlflowRun-tabs" role="tablist" aria-label="Comparison views">
        {(
          [
            ['table', 'Side by side'],
            ['charts', 'Charts'],
            ['params', 'Params vs metric']
          ] as [CompareTab, string][]
        ).map(([tab, label]) => (
          <button
            key={tab}
            role="tab"
            aria-selected={props.tab === tab}
            className="esdl-MlflowRun-tab"
            onClick={() => props.onTab(tab)}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="esdl-MlflowRun-tabBody" role="tabpanel">
        {props.loading && runs.length === 0 ? (
          <div className="esdl-Mlflow-empty">Loading runs…</div>
        ) : props.tab === 'table' ? (
          <CompareTable runs={runs} colors={chartRuns.map(run => run.color)} service={service} />
        ) : props.tab === 'charts' ? (
          <MetricCharts service={service} runs={chartRuns} metricKeys={keys} reload={props.reload} />
        ) : (
          <ParamsView runs={runs} chartRuns={chartRuns} />
        )}
      </div>
    </div>
  );
}

function CompareTable(props: { runs: IMlflowRun[]; colors: string[]; service: MlflowService }): JSX.Element {
  const [onlyDifferences, setOnlyDifferences] = useState(false);
  const all = useMemo(() => compareRuns(props.runs), [props.runs]);
  const rows = onlyDifferences ? differencesOnly(all) : all.filter(row => row.key !== 'Run ID');
  const sections = ['attributes', 'params', 'metrics', 'tags'] as const;
  const titles = { attributes: 'Run', params: 'Parameters', metrics: 'Metrics (latest)', tags: 'Tags' };
  return (
    <div className="esdl-MlflowCompare-table">
      <label className="esdl-Mlflow-check">
        <input type="checkbox" checked={onlyDifferences} onChange={event => setOnlyDifferences(event.target.checked)} />
        Differences only
      </label>
      <div className="esdl-MlflowCompare-scroll">
        <table aria-label="Runs side by side">
          <thead>
            <tr>
              <th />
              {props.runs.map((run, i) => (
                <th key={run.info.run_id} scope="col">
                  <span className="esdl-MlflowChart-swatch" style={{ background: props.colors[i] }} />
                  <button
                    className="esdl-Mlflow-linkButton"
                    title={run.info.run_id}
                    onClick={() => props.service.open.openRun(run.info.run_id)}
                  >
                    {run.info.run_name || run.info.run_id.slice(0, 8)}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          {sections.map(section => {
            const sectionRows = rows.filter(row => row.section === section);
            if (!sectionRows.length) {
              return null;
            }
            return (
              <tbody key={section} aria-label={titles[section]}>
                <tr className="esdl-MlflowCompare-section">
                  <th colSpan={props.runs.length + 1} scope="rowgroup">
                    {titles[section]}
                  </th>
                </tr>
                {sectionRows.map(row => (
                  <tr key={`${section}-${row.key}`} data-differs={row.differs || undefined}>
                    <th scope="row">{row.key}</th>
                    {row.values.map((value, i) => (
                      <td key={i}>{value}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
        {onlyDifferences && rows.length === 0 && <div className="esdl-Mlflow-empty">These runs do not differ.</div>}
      </div>
    </div>
  );
}

function ParamsView(props: { runs: IMlflowRun[]; chartRuns: IChartRun[] }): JSX.Element {
  const { runs } = props;
  const metrics = useMemo(() => metricKeys(runs), [runs]);
  const params = useMemo(() => paramKeys(runs, 50), [runs]);
  const [mode, setMode] = useState<'scatter' | 'parallel'>('parallel');
  const [metric, setMetric] = useState(metrics[0] ?? '');
  const [param, setParam] = useState(params[0] ?? '');
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<ParamsChart | null>(null);
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<Error | null>(null);

  useEffect(() => {
    let disposed = false;
    loadCharts()
      .then(module => {
        if (!disposed && host.current) {
          chart.current = new module.ParamsChart(host.current);
          setReady(true);
        }
      })
      .catch(error => setLoadError(error));
    return () => {
      disposed = true;
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!ready || !chart.current || !metric) {
      return;
    }
    const chartRuns = props.chartRuns;
    if (mode === 'scatter' && param) {
      chart.current.scatter(chartRuns, valueAxis(runs, param, 'param'), valueAxis(runs, metric, 'metric'));
    } else {
      const axes = [...paramKeys(runs, 8).map(key => valueAxis(runs, key, 'param')), valueAxis(runs, metric, 'metric')];
      chart.current.parallel(chartRuns, axes);
    }
  }, [ready, mode, metric, param, runs]);

  if (!metrics.length) {
    return <div className="esdl-Mlflow-empty">These runs logged no metrics.</div>;
  }
  return (
    <div className="esdl-MlflowCompare-params">
      <div className="esdl-MlflowCharts-controls" role="toolbar" aria-label="Params view options">
        <label>
          View{' '}
          <select
            className="esdl-Mlflow-select"
            value={mode}
            onChange={event => setMode(event.target.value as 'scatter' | 'parallel')}
          >
            <option value="parallel">Parallel coordinates</option>
            <option value="scatter">Scatter plot</option>
          </select>
        </label>
        {mode === 'scatter' && (
          <label>
            Param{' '}
            <select className="esdl-Mlflow-select" value={param} onChange={event => setParam(event.target.value)}>
              {params.map(key => (
                <option key={key} value={key}>
                  {key}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Metric{' '}
          <select className="esdl-Mlflow-select" value={metric} onChange={event => setMetric(event.target.value)}>
            {metrics.map(key => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        </label>
      </div>
      {loadError && <ErrorMessage error={loadError} title="The chart code did not load:" />}
      {!params.length && <div className="esdl-Mlflow-empty">These runs logged no params.</div>}
      <div className="esdl-MlflowCompare-paramsPlot" ref={host} />
      <p className="esdl-Mlflow-muted">
        {mode === 'parallel'
          ? `Each line is a run, coloured by ${metric}: blue low, orange high.`
          : 'Each point is a run, in its colour of the charts.'}
      </p>
    </div>
  );
}
