/**
 * Runs side by side: one row per attribute, param, metric and tag with each run's value, whether the values
 * differ, and the axes of the params-against-a-metric views.
 */
import { IMlflowRun } from '@esdl-lab/core';
import { formatDuration, formatTime, formatValue } from './format';

export type CompareSection = 'attributes' | 'params' | 'metrics' | 'tags';

export interface ICompareRow {
  section: CompareSection;
  key: string;
  /** what each run shows, in the runs' order; '' where a run has no value */
  values: string[];
  /** whether the runs' values are not all the same (a run without the value differs from one with it) */
  differs: boolean;
}

/** Tags MLflow sets itself; they are shown as attributes, or not at all. */
function systemTag(key: string): boolean {
  return key.startsWith('mlflow.');
}

function runName(run: IMlflowRun): string {
  return (
    run.info.run_name || run.data.tags?.find(t => t.key === 'mlflow.runName')?.value || run.info.run_id.slice(0, 8)
  );
}

function duration(run: IMlflowRun): string {
  const { start_time: start, end_time: end, status } = run.info;
  if (!start) {
    return '';
  }
  const text = formatDuration((end ?? Date.now()) - start);
  return status === 'RUNNING' && !end ? `${text}…` : text;
}

/** The rows of a comparison, every key of every run, sorted by key within each section. */
export function compareRuns(runs: readonly IMlflowRun[]): ICompareRow[] {
  const row = (section: CompareSection, key: string, values: string[]): ICompareRow => ({
    section,
    key,
    values,
    differs: values.some(v => v !== values[0])
  });
  const tag = (run: IMlflowRun, key: string) => run.data.tags?.find(t => t.key === key)?.value ?? '';
  const rows: ICompareRow[] = [
    row(
      'attributes',
      'Run ID',
      runs.map(r => r.info.run_id)
    ),
    row('attributes', 'Name', runs.map(runName)),
    row(
      'attributes',
      'Status',
      runs.map(r => r.info.status)
    ),
    row(
      'attributes',
      'Started',
      runs.map(r => formatTime(r.info.start_time))
    ),
    row('attributes', 'Duration', runs.map(duration)),
    row(
      'attributes',
      'User',
      runs.map(r => tag(r, 'mlflow.user') || r.info.user_id || '')
    ),
    row(
      'attributes',
      'Source',
      runs.map(r => tag(r, 'mlflow.source.name'))
    ),
    row(
      'attributes',
      'Experiment',
      runs.map(r => r.info.experiment_id)
    )
  ];
  const keys = (pick: (run: IMlflowRun) => { key: string }[] | undefined, keep = (_: string) => true) =>
    [...new Set(runs.flatMap(run => (pick(run) ?? []).map(entry => entry.key)))].filter(keep).sort();
  for (const key of keys(run => run.data.params)) {
    rows.push(
      row(
        'params',
        key,
        runs.map(run => run.data.params?.find(p => p.key === key)?.value ?? '')
      )
    );
  }
  for (const key of keys(run => run.data.metrics)) {
    rows.push(
      row(
        'metrics',
        key,
        runs.map(run => {
          const metric = run.data.metrics?.find(m => m.key === key);
          return metric ? formatValue(metric.value) : '';
        })
      )
    );
  }
  for (const key of keys(
    run => run.data.tags,
    key => !systemTag(key)
  )) {
    rows.push(
      row(
        'tags',
        key,
        runs.map(run => tag(run, key))
      )
    );
  }
  return rows;
}

/** The rows whose values differ between the runs (the run ID always does, and stays as a header). */
export function differencesOnly(rows: readonly ICompareRow[]): ICompareRow[] {
  return rows.filter(row => row.differs && row.key !== 'Run ID');
}

/** One axis of a params-against-a-metric view: numbers, or categories placed in order. */
export interface IValueAxis {
  key: string;
  source: 'param' | 'metric';
  kind: 'number' | 'category';
  /** the categories in sorted order (category axes) */
  categories: string[];
  /** each run's position on the axis (a number, or its category's index); null where it has no value */
  values: (number | null)[];
  /** each run's value as text */
  labels: string[];
}

/** An axis of a param (numbers when every value parses as one, else categories) or of a metric. */
export function valueAxis(runs: readonly IMlflowRun[], key: string, source: 'param' | 'metric'): IValueAxis {
  if (source === 'metric') {
    const values = runs.map(run => {
      const v = run.data.metrics?.find(m => m.key === key)?.value;
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    return {
      key,
      source,
      kind: 'number',
      categories: [],
      values,
      labels: values.map(v => (v === null ? '' : formatValue(v)))
    };
  }
  const raw = runs.map(run => run.data.params?.find(p => p.key === key)?.value ?? null);
  const present = raw.filter((v): v is string => v !== null);
  const numeric = present.length > 0 && present.every(v => v.trim() !== '' && Number.isFinite(Number(v)));
  if (numeric) {
    return {
      key,
      source,
      kind: 'number',
      categories: [],
      values: raw.map(v => (v === null ? null : Number(v))),
      labels: raw.map(v => v ?? '')
    };
  }
  const categories = [...new Set(present)].sort();
  return {
    key,
    source,
    kind: 'category',
    categories,
    values: raw.map(v => (v === null ? null : categories.indexOf(v))),
    labels: raw.map(v => v ?? '')
  };
}

/** The params worth an axis: those whose values differ between the runs, then the others, at most `limit`. */
export function paramKeys(runs: readonly IMlflowRun[], limit = 8): string[] {
  const rows = compareRuns(runs).filter(row => row.section === 'params');
  return [...rows.filter(row => row.differs), ...rows.filter(row => !row.differs)].slice(0, limit).map(row => row.key);
}

/** Metric keys of the runs, the most common first. */
export function metricKeys(runs: readonly IMlflowRun[]): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const metric of run.data.metrics ?? []) {
      counts.set(metric.key, (counts.get(metric.key) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
}
