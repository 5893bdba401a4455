/**
 * Metric charts of up to 100 runs: one chart per metric, its histories from `get-history-bulk-interval`
 * (sampled evenly over the steps, with each run's first and last), x by step, wall time or time since the
 * start, log scale, smoothing, and the full history of a metric on demand. The chart code loads when the
 * first chart opens.
 */
import { MAX_BULK_RUNS } from '@esdl-lab/core';
import React, { useEffect, useRef, useState } from 'react';
import type { LineChart } from '../chart';
import { buildSeries, historiesByRun, history as toHistory, IHistory, XAxis } from '../model/series';
import { MlflowService } from '../service';
import { ErrorMessage, eachLimited } from './common';

/** A run as a chart shows it. */
export interface IChartRun {
  id: string;
  label: string;
  color: string;
  /** the run's start time (ms), for "time since start" */
  start?: number;
}

let chartModule: Promise<typeof import('../chart')> | null = null;

/** The chart code, loaded once, when the first chart opens. */
export function loadCharts(): Promise<typeof import('../chart')> {
  chartModule ??= import('../chart');
  return chartModule;
}

interface IMetricState {
  histories: Map<string, IHistory> | null;
  error: Error | null;
  loading: boolean;
  /** full histories: how many points arrived so far, and why some stopped early */
  full: { loading: boolean; points: number; problems: string[]; done: boolean } | null;
}

const AXIS_LABEL: Record<XAxis, string> = { step: 'Step', wall: 'Time', relative: 'Time since start' };

export function MetricCharts(props: {
  service: MlflowService;
  runs: IChartRun[];
  metricKeys: string[];
  /** changes when the charts must load again (refresh) */
  reload?: number;
}): JSX.Element {
  const { service, runs, metricKeys } = props;
  const [axis, setAxis] = useState<XAxis>('step');
  const [logY, setLogY] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [states, setStates] = useState<Map<string, IMetricState>>(new Map());
  const runKey = runs.map(run => run.id).join(',');

  const update = (key: string, change: (state: IMetricState) => IMetricState) =>
    setStates(previous => {
      const next = new Map(previous);
      next.set(key, change(previous.get(key) ?? { histories: null, error: null, loading: false, full: null }));
      return next;
    });

  useEffect(() => {
    if (runs.length === 0 || runs.length > MAX_BULK_RUNS) {
      return;
    }
    const abort = new AbortController();
    const ids = runs.map(run => run.id);
    void eachLimited(metricKeys, 3, async key => {
      update(key, state => ({ ...state, loading: true, error: null }));
      try {
        const points = await service.client.metricHistoryBulkInterval(
          ids,
          key,
          { maxResults: service.settings.chartPoints },
          { signal: abort.signal }
        );
        update(key, state => ({ ...state, loading: false, histories: historiesByRun(points), full: null }));
      } catch (error) {
        if (!abort.signal.aborted) {
          update(key, state => ({ ...state, loading: false, error: error as Error }));
        }
      }
    });
    return () => abort.abort();
  }, [runKey, metricKeys.join('\n'), props.reload]);

  const loadFull = async (key: string) => {
    update(key, state => ({ ...state, full: { loading: true, points: 0, problems: [], done: false } }));
    const histories = new Map<string, IHistory>();
    const problems: string[] = [];
    const progress = new Map<string, number>();
    await eachLimited(runs, 4, async run => {
      try {
        const result = await service.client.metricHistory(run.id, key, {
          onProgress: loaded => {
            progress.set(run.id, loaded);
            const points = [...progress.values()].reduce((a, b) => a + b, 0);
            update(key, state => ({ ...state, full: { loading: true, points, problems, done: false } }));
          }
        });
        histories.set(run.id, toHistory(run.id, result.metrics));
        if (result.problem) {
          problems.push(`${run.label}: ${result.problem}`);
        }
      } catch (error) {
        problems.push(`${run.label}: ${(error as Error).message}`);
      }
    });
    const points = [...histories.values()].reduce((sum, h) => sum + h.values.length, 0);
    update(key, state => ({
      ...state,
      histories: new Map([...(state.histories ?? new Map()), ...histories]),
      full: { loading: false, points, problems, done: true }
    }));
  };

  if (runs.length > MAX_BULK_RUNS) {
    return (
      <div className="esdl-Mlflow-error" role="alert">
        Charts show at most {MAX_BULK_RUNS} runs at once; {runs.length} are selected. Select fewer runs.
      </div>
    );
  }
  if (metricKeys.length === 0) {
    return (
      <div className="esdl-Mlflow-empty">
        {runs.length > 1 ? 'These runs logged no metrics.' : 'This run logged no metrics.'}
      </div>
    );
  }
  return (
    <div className="esdl-MlflowCharts">
      <div className="esdl-MlflowCharts-controls" role="toolbar" aria-label="Chart options">
        <label>
          X axis{' '}
          <select className="esdl-Mlflow-select" value={axis} onChange={event => setAxis(event.target.value as XAxis)}>
            <option value="step">Step</option>
            <option value="wall">Wall time</option>
            <option value="relative">Relative time</option>
          </select>
        </label>
        <label className="esdl-Mlflow-check">
          <input type="checkbox" checked={logY} onChange={event => setLogY(event.target.checked)} /> Log scale
        </label>
        <label className="esdl-MlflowCharts-smoothing">
          Smoothing{' '}
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            aria-label="Smoothing"
            onChange={event => setSmoothing(Number(event.target.value))}
          />{' '}
          <output>{smoothing.toFixed(2)}</output>
        </label>
        <span className="esdl-MlflowCharts-hint">Drag to zoom, double-click to zoom out</span>
      </div>
      <div className="esdl-MlflowCharts-grid">
        {metricKeys.map(key => (
          <ChartCard
            key={key}
            metric={key}
            runs={runs}
            state={states.get(key)}
            axis={axis}
            logY={logY}
            smoothing={smoothing}
            onFull={() => void loadFull(key)}
          />
        ))}
      </div>
    </div>
  );
}

function ChartCard(props: {
  metric: string;
  runs: IChartRun[];
  state: IMetricState | undefined;
  axis: XAxis;
  logY: boolean;
  smoothing: number;
  onFull: () => void;
}): JSX.Element {
  const { state, runs } = props;
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<LineChart | null>(null);
  const [ready, setReady] = useState(false);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [loadError, setLoadError] = useState<Error | null>(null);

  useEffect(() => {
    let disposed = false;
    loadCharts()
      .then(module => {
        if (!disposed && host.current) {
          chart.current = new module.LineChart(host.current);
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
    if (!ready || !chart.current || !state?.histories) {
      return;
    }
    const series = buildSeries(state.histories, runs, { axis: props.axis, smoothing: props.smoothing });
    chart.current.setData(series, {
      xKind: props.axis === 'step' ? 'steps' : props.axis === 'wall' ? 'time' : 'seconds',
      logY: props.logY,
      xLabel: AXIS_LABEL[props.axis]
    });
  }, [ready, state?.histories, props.axis, props.logY, props.smoothing, runs]);

  useEffect(() => chart.current?.setHidden(hidden), [hidden, ready]);

  const points = state?.histories ? [...state.histories.values()].reduce((sum, h) => sum + h.values.length, 0) : 0;
  const full = state?.full;
  return (
    <section className="esdl-MlflowChartCard" aria-label={`Chart of ${props.metric}`}>
      <header className="esdl-MlflowChartCard-header">
        <h3 className="esdl-MlflowChartCard-title" title={props.metric}>
          {props.metric}
        </h3>
        <span className="esdl-MlflowChartCard-meta">
          {state?.loading
            ? 'loading…'
            : full?.loading
              ? `loading full history: ${full.points.toLocaleString('en')} points`
              : `${points.toLocaleString('en')} point${points === 1 ? '' : 's'}${full?.done ? ' (full history)' : ''}`}
        </span>
        <button
          className="jp-Button jp-mod-styled esdl-Mlflow-button"
          disabled={!!full?.loading || !!full?.done || !state?.histories}
          title="Load every point of this metric (paging through metrics/get-history)"
          onClick={props.onFull}
        >
          Full history
        </button>
      </header>
      {state?.error && <ErrorMessage error={state.error} />}
      {loadError && <ErrorMessage error={loadError} title="The chart code did not load:" />}
      {full?.problems.map(problem => (
        <div key={problem} className="esdl-Mlflow-notice" role="status">
          {problem}
        </div>
      ))}
      <div className="esdl-MlflowChartCard-plot" ref={host} />
      {runs.length > 1 && (
        <ul className="esdl-MlflowChartCard-legend" aria-label={`Runs in the chart of ${props.metric}`}>
          {runs.map(run => (
            <li key={run.id}>
              <button
                className="esdl-MlflowChartCard-legendItem"
                aria-pressed={!hidden.has(run.id)}
                title={hidden.has(run.id) ? 'Show this run' : 'Hide this run'}
                onClick={() =>
                  setHidden(previous => {
                    const next = new Set(previous);
                    if (next.has(run.id)) {
                      next.delete(run.id);
                    } else {
                      next.add(run.id);
                    }
                    return next;
                  })
                }
              >
                <span className="esdl-MlflowChart-swatch" style={{ background: run.color }} />
                {run.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
