/**
 * The runs table, without the DOM: which columns it has, the text and sort value of each cell, the order of
 * the rows (sorted, with nested runs under their parent), and the `runs/search` request that fetches them.
 * It is built for 10,000 runs: values are read once per run, and sorting compares precomputed keys.
 */
import { IMlflowRun, IRunSearch, MlflowViewType } from '@esdl-lab/core';
import { BuiltinColumn } from '../settings';
import { formatDuration, formatTime, formatValue } from './format';

export type ColumnKind = 'builtin' | 'metric' | 'param' | 'tag';

export interface IColumn {
  /** `name`, `status`, … or `metrics.<key>`, `params.<key>`, `tags.<key>` */
  id: string;
  kind: ColumnKind;
  /** the built-in column's name, or the metric, param or tag key */
  key: string;
  label: string;
  /** what MLflow's `order_by` calls it, or null when only the loaded runs can be sorted by it */
  orderKey: string | null;
  /** sorts as numbers */
  numeric: boolean;
}

export interface IRunRow {
  id: string;
  run: IMlflowRun;
  name: string;
  /** 0 for a top-level run, 1 for its children, … */
  depth: number;
  /** the `mlflow.parentRunId` tag */
  parentId: string | null;
  /** loaded runs nested under this one */
  childCount: number;
  expanded: boolean;
  /** a nested run whose parent is not among the loaded runs */
  orphan: boolean;
}

export interface ICell {
  text: string;
  /** longer text for a tooltip, when the cell shortens it */
  title?: string;
}

export interface ISort {
  column: string;
  ascending: boolean;
}

export const PARENT_TAG = 'mlflow.parentRunId';

const BUILTIN_LABELS: Record<BuiltinColumn, string> = {
  name: 'Run',
  status: 'Status',
  start: 'Started',
  duration: 'Duration',
  user: 'User',
  source: 'Source',
  models: 'Models',
  datasets: 'Datasets'
};

const BUILTIN_ORDER_KEYS: Record<BuiltinColumn, string | null> = {
  name: 'attributes.run_name',
  status: 'attributes.status',
  start: 'attributes.start_time',
  duration: null,
  user: 'tags.`mlflow.user`',
  source: 'tags.`mlflow.source.name`',
  models: null,
  datasets: null
};

/** A key as MLflow's filter and order syntax quotes it: in backticks, or double quotes if it has one. */
export function quoteKey(key: string): string {
  return key.includes('`') ? `"${key.replace(/"/g, '\\"')}"` : `\`${key}\``;
}

/** What the table needs of one run, read once. */
class RunRecord {
  constructor(
    readonly run: IMlflowRun,
    now: number
  ) {
    const data = run.data ?? {};
    for (const metric of data.metrics ?? []) {
      this.metrics.set(metric.key, metric.value);
    }
    for (const param of data.params ?? []) {
      this.params.set(param.key, param.value);
    }
    for (const tag of data.tags ?? []) {
      this.tags.set(tag.key, tag.value);
    }
    const info = run.info;
    this.id = info.run_id;
    this.name = info.run_name || this.tags.get('mlflow.runName') || info.run_id.slice(0, 8);
    this.parentId = this.tags.get(PARENT_TAG) || null;
    const end = info.end_time ?? (info.status === 'RUNNING' ? now : undefined);
    this.duration = info.start_time && end ? Math.max(0, end - info.start_time) : null;
  }

  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly duration: number | null;
  readonly metrics = new Map<string, number>();
  readonly params = new Map<string, string>();
  readonly tags = new Map<string, string>();
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

export namespace RunsTable {
  export interface IOptions {
    columns: BuiltinColumn[];
    metricColumns: string[];
    paramColumns: string[];
    /** how many metrics (and params) to show when none are chosen */
    autoColumns: number;
  }
}

export class RunsTable {
  constructor(options: RunsTable.IOptions) {
    this._options = options;
  }

  /** The loaded runs, in the server's order. */
  get runs(): readonly IMlflowRun[] {
    return this._records.map(record => record.run);
  }

  get size(): number {
    return this._records.length;
  }

  /** Every metric, param and tag key of the loaded runs, in the order they first appear. */
  get keys(): { metrics: readonly string[]; params: readonly string[]; tags: readonly string[] } {
    return { metrics: [...this._metricKeys], params: [...this._paramKeys], tags: [...this._tagKeys] };
  }

  get options(): RunsTable.IOptions {
    return this._options;
  }

  setOptions(options: Partial<RunsTable.IOptions>): void {
    this._options = { ...this._options, ...options };
    this._columns = null;
  }

  /** Replaces the runs (or adds a page of them), keeping which parents are expanded. */
  setRuns(runs: readonly IMlflowRun[], append = false, now = Date.now()): void {
    if (!append) {
      this._records = [];
      this._byId.clear();
    }
    for (const run of runs) {
      const record = new RunRecord(run, now);
      const known = this._byId.get(record.id);
      if (known !== undefined) {
        // a run that moved between pages while they loaded: keep its newest state, once
        this._records[known] = record;
      } else {
        this._byId.set(record.id, this._records.length);
        this._records.push(record);
      }
      for (const key of record.metrics.keys()) {
        this._metricKeys.add(key);
      }
      for (const key of record.params.keys()) {
        this._paramKeys.add(key);
      }
      for (const key of record.tags.keys()) {
        this._tagKeys.add(key);
      }
    }
    this._columns = null;
    this._rows = null;
  }

  run(id: string): IMlflowRun | undefined {
    const index = this._byId.get(id);
    return index === undefined ? undefined : this._records[index].run;
  }

  /** The columns: the chosen built-in ones, then metrics, then params. */
  get columns(): readonly IColumn[] {
    if (this._columns) {
      return this._columns;
    }
    const options = this._options;
    const metrics = options.metricColumns.length
      ? options.metricColumns
      : [...this._metricKeys].slice(0, options.autoColumns);
    const params = options.paramColumns.length
      ? options.paramColumns
      : [...this._paramKeys].slice(0, options.autoColumns);
    this._columns = [
      ...options.columns.map(name => ({
        id: name,
        kind: 'builtin' as const,
        key: name,
        label: BUILTIN_LABELS[name],
        orderKey: BUILTIN_ORDER_KEYS[name],
        numeric: name === 'start' || name === 'duration'
      })),
      ...metrics.map(key => ({
        id: `metrics.${key}`,
        kind: 'metric' as const,
        key,
        label: key,
        orderKey: `metrics.${quoteKey(key)}`,
        numeric: true
      })),
      ...params.map(key => ({
        id: `params.${key}`,
        kind: 'param' as const,
        key,
        label: key,
        orderKey: `params.${quoteKey(key)}`,
        numeric: false
      }))
    ];
    return this._columns;
  }

  /** A column by id, also one that is not shown (e.g. a tag to sort by). */
  column(id: string): IColumn | undefined {
    const shown = this.columns.find(column => column.id === id);
    if (shown) {
      return shown;
    }
    const [prefix, ...rest] = id.split('.');
    const key = rest.join('.');
    if (!key) {
      return undefined;
    }
    const kind = prefix === 'metrics' ? 'metric' : prefix === 'params' ? 'param' : prefix === 'tags' ? 'tag' : null;
    return kind
      ? { id, kind, key, label: key, orderKey: `${prefix}.${quoteKey(key)}`, numeric: kind === 'metric' }
      : undefined;
  }

  get sort(): ISort | null {
    return this._sort;
  }

  /** Sorts the rows by a column (null: the server's order). Nested runs are sorted among their siblings. */
  setSort(sort: ISort | null): void {
    this._sort = sort;
    this._rows = null;
  }

  isExpanded(id: string): boolean {
    return this._expanded.has(id);
  }

  /** Shows or hides the runs nested under `id`. */
  toggle(id: string, expanded = !this._expanded.has(id)): void {
    if (expanded) {
      this._expanded.add(id);
    } else {
      this._expanded.delete(id);
    }
    this._rows = null;
  }

  /** Expands (or collapses) every parent. */
  expandAll(expanded: boolean): void {
    this._expanded.clear();
    if (expanded) {
      for (const record of this._records) {
        if (record.parentId) {
          this._expanded.add(record.parentId);
        }
      }
    }
    this._rows = null;
  }

  /** The visible rows, in order: sorted, nested runs under their expanded parent. */
  get rows(): readonly IRunRow[] {
    if (!this._rows) {
      this._rows = this._computeRows();
    }
    return this._rows;
  }

  /** What a cell shows. */
  cell(run: IMlflowRun, column: IColumn): ICell {
    const record = this._record(run);
    switch (column.kind) {
      case 'metric': {
        const value = record.metrics.get(column.key);
        return value === undefined ? { text: '' } : { text: formatValue(value), title: String(value) };
      }
      case 'param': {
        const value = record.params.get(column.key) ?? '';
        return { text: value, title: value.length > 30 ? value : undefined };
      }
      case 'tag':
        return { text: record.tags.get(column.key) ?? '' };
    }
    const info = run.info;
    switch (column.key as BuiltinColumn) {
      case 'name':
        return { text: record.name, title: `${record.name} (${record.id})` };
      case 'status':
        return { text: info.status };
      case 'start':
        return { text: formatTime(info.start_time) };
      case 'duration': {
        const text = formatDuration(record.duration);
        return { text: info.status === 'RUNNING' && text ? `${text}…` : text };
      }
      case 'user':
        return { text: record.tags.get('mlflow.user') ?? info.user_id ?? '' };
      case 'source': {
        const source = record.tags.get('mlflow.source.name') ?? '';
        return { text: basename(source), title: source };
      }
      case 'models': {
        const ids = (run.outputs?.model_outputs ?? []).map(output => output.model_id);
        return { text: ids.length ? `${ids.length} model${ids.length > 1 ? 's' : ''}` : '', title: ids.join(', ') };
      }
      case 'datasets': {
        const names = (run.inputs?.dataset_inputs ?? []).map(input => {
          const context = input.tags?.find(tag => tag.key === 'mlflow.data.context')?.value;
          return context ? `${input.dataset.name} (${context})` : input.dataset.name;
        });
        return { text: names.join(', ') };
      }
    }
    return { text: '' };
  }

  /**
   * The `runs/search` request for the first page (or the page of `pageToken`): the server sorts by the
   * column when it can, so that "Load more" continues in the same order.
   */
  searchRequest(options: {
    experimentIds: string[];
    filter: string;
    viewType: MlflowViewType;
    pageSize: number;
    pageToken?: string | null;
  }): IRunSearch {
    const column = this._sort ? this.column(this._sort.column) : undefined;
    const orderBy =
      column?.orderKey && this._sort ? [`${column.orderKey} ${this._sort.ascending ? 'ASC' : 'DESC'}`] : undefined;
    return {
      experimentIds: options.experimentIds,
      filter: options.filter.trim() || undefined,
      runViewType: options.viewType,
      maxResults: options.pageSize,
      orderBy,
      pageToken: options.pageToken ?? undefined
    };
  }

  private _record(run: IMlflowRun): RunRecord {
    const index = this._byId.get(run.info.run_id);
    const record = index === undefined ? undefined : this._records[index];
    return record && record.run === run ? record : new RunRecord(run, Date.now());
  }

  /** Sort keys: numbers, or lower-case strings; null sorts last in both directions, as MLflow does. */
  private _sortKeys(column: IColumn): (number | string | null)[] {
    return this._records.map(record => {
      switch (column.kind) {
        case 'metric':
          return record.metrics.get(column.key) ?? null;
        case 'param': {
          const value = record.params.get(column.key);
          if (value === undefined) {
            return null;
          }
          const number = Number(value);
          return value.trim() !== '' && Number.isFinite(number) ? number : value.toLowerCase();
        }
        case 'tag':
          return record.tags.get(column.key)?.toLowerCase() ?? null;
      }
      const info = record.run.info;
      switch (column.key as BuiltinColumn) {
        case 'name':
          return record.name.toLowerCase();
        case 'status':
          return info.status;
        case 'start':
          return info.start_time ?? null;
        case 'duration':
          return record.duration;
        case 'user':
          return (record.tags.get('mlflow.user') ?? info.user_id ?? '').toLowerCase() || null;
        case 'source':
          return (record.tags.get('mlflow.source.name') ?? '').toLowerCase() || null;
        case 'models':
          return record.run.outputs?.model_outputs?.length ?? 0;
        case 'datasets':
          return record.run.inputs?.dataset_inputs?.[0]?.dataset.name.toLowerCase() ?? null;
      }
      return null;
    });
  }

  private _computeRows(): IRunRow[] {
    const records = this._records;
    const order = records.map((_, index) => index);
    const sort = this._sort;
    const column = sort ? this.column(sort.column) : undefined;
    if (sort && column) {
      const keys = this._sortKeys(column);
      const direction = sort.ascending ? 1 : -1;
      order.sort((a, b) => {
        const ka = keys[a];
        const kb = keys[b];
        if (ka === kb) {
          return 0;
        }
        if (ka === null) {
          return 1;
        }
        if (kb === null) {
          return -1;
        }
        // numbers before strings when a param column mixes them
        if (typeof ka !== typeof kb) {
          return typeof ka === 'number' ? -1 : 1;
        }
        return (ka < kb ? -1 : 1) * direction;
      });
    }
    const children = new Map<string, number[]>();
    const roots: number[] = [];
    const rooted = new Map<string, boolean>();
    for (const index of order) {
      const record = records[index];
      if (record.parentId && this._byId.has(record.parentId) && this._hasRoot(record.id, rooted)) {
        let siblings = children.get(record.parentId);
        if (!siblings) {
          siblings = [];
          children.set(record.parentId, siblings);
        }
        siblings.push(index);
      } else {
        roots.push(index);
      }
    }
    const rows: IRunRow[] = [];
    const visit = (index: number, depth: number) => {
      const record = records[index];
      const nested = children.get(record.id) ?? [];
      const expanded = this._expanded.has(record.id);
      rows.push({
        id: record.id,
        run: record.run,
        name: record.name,
        depth,
        parentId: record.parentId,
        childCount: nested.length,
        expanded,
        orphan: depth === 0 && !!record.parentId
      });
      if (expanded) {
        for (const child of nested) {
          visit(child, depth + 1);
        }
      }
    };
    for (const index of roots) {
      visit(index, 0);
    }
    return rows;
  }

  /**
   * Whether following a run's parents ends at a loaded top-level run. Runs in a parent cycle do not: they are
   * shown at the top rather than lost.
   */
  private _hasRoot(id: string, known: Map<string, boolean>): boolean {
    const path: string[] = [];
    let current: string | null = id;
    let result = true;
    while (current !== null) {
      const cached = known.get(current);
      if (cached !== undefined) {
        result = cached;
        break;
      }
      if (path.includes(current)) {
        result = false;
        break;
      }
      path.push(current);
      const at = this._byId.get(current);
      const parent: string | null = at === undefined ? null : this._records[at].parentId;
      current = parent !== null && this._byId.has(parent) ? parent : null;
    }
    for (const step of path) {
      known.set(step, result);
    }
    return result;
  }

  private _options: RunsTable.IOptions;
  private _records: RunRecord[] = [];
  private _byId = new Map<string, number>();
  private _metricKeys = new Set<string>();
  private _paramKeys = new Set<string>();
  private _tagKeys = new Set<string>();
  private _columns: IColumn[] | null = null;
  private _sort: ISort | null = null;
  private _expanded = new Set<string>();
  private _rows: IRunRow[] | null = null;
}
