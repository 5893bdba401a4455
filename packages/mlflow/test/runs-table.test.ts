import { IMlflowRun } from '@esdl-lab/core';
import { describe, expect, it } from 'vitest';
import { RunsTable } from '../src/model/runs-table';
import { DEFAULT_SETTINGS } from '../src/settings';
import { PARENT, experimentOneRuns, fixture } from './fixtures';

function table(options: Partial<RunsTable.IOptions> = {}): RunsTable {
  const t = new RunsTable({ ...DEFAULT_SETTINGS, ...options });
  t.setRuns(experimentOneRuns(), false, 1795505200000);
  return t;
}

const names = (t: RunsTable) => t.rows.map(row => row.name);

describe('RunsTable: columns and cells', () => {
  it('shows the chosen built-in columns, then the first metrics and params', () => {
    const t = table({ autoColumns: 2 });
    expect(t.columns.map(c => c.id)).toEqual([
      'name',
      'status',
      'start',
      'duration',
      'user',
      'metrics.train_loss',
      'metrics.val_loss',
      'params.lr',
      'params.arch'
    ]);
    expect(t.keys.metrics).toEqual(expect.arrayContaining(['train_loss', 'val_loss', 'rmse_t2m_K', 'final_acc', 'r2']));
  });

  it('shows exactly the chosen metrics and params, in their order', () => {
    const t = table({ columns: ['name'], metricColumns: ['final_acc', 'nope'], paramColumns: ['batch_size'] });
    expect(t.columns.map(c => c.id)).toEqual(['name', 'metrics.final_acc', 'metrics.nope', 'params.batch_size']);
  });

  it('writes cells as text: names, times, durations, values', () => {
    const t = table({ columns: ['name', 'status', 'duration', 'user', 'source', 'models', 'datasets'] });
    const run = t.run('2983c368d70a4f539d9fc2bf74827064')!;
    const cell = (id: string) => t.cell(run, t.column(id)!).text;
    expect(cell('name')).toBe('unet-lr0.001');
    expect(cell('status')).toBe('FINISHED');
    expect(cell('duration')).toBe('17.7 s');
    expect(cell('user')).toBe('root');
    expect(cell('source')).toBe('seed.py');
    expect(cell('datasets')).toBe('era5-t2m-sample (training)');
    expect(cell('metrics.val_loss')).toBe('0.0755041');
    expect(cell('params.lr')).toBe('0.001');
    expect(cell('metrics.r2')).toBe('');
    expect(t.cell(t.run('614687bb18794c83a4497299137d579b')!, t.column('models')!).text).toBe('1 model');
  });

  it('shows a running run by how long it has run so far', () => {
    const running: IMlflowRun = {
      info: { run_id: 'r', experiment_id: '1', status: 'RUNNING', start_time: 1000, lifecycle_stage: 'active' },
      data: {}
    };
    const t = new RunsTable(DEFAULT_SETTINGS);
    t.setRuns([running], false, 1000 + 125_000);
    expect(t.cell(running, t.column('duration')!).text).toBe('2 min 05 s…');
  });
});

describe('RunsTable: sorting', () => {
  it("keeps the server's order until sorted", () => {
    const t = table();
    expect(names(t)[0]).toBe('unet-lr0.003');
  });

  it('sorts by a metric both ways, runs without it last', () => {
    const t = table();
    t.setSort({ column: 'metrics.val_loss', ascending: true });
    expect(names(t)).toEqual([
      'unet-lr0.003',
      'unet-lr0.001',
      'fno-lr0.0003',
      'vit-lr0.0001',
      'sweep-parent',
      'sklearn-emulator'
    ]);
    t.setSort({ column: 'metrics.val_loss', ascending: false });
    expect(names(t).slice(0, 4)).toEqual(['vit-lr0.0001', 'fno-lr0.0003', 'unet-lr0.001', 'unet-lr0.003']);
    expect(names(t).slice(4).sort()).toEqual(['sklearn-emulator', 'sweep-parent']);
  });

  it('sorts params as numbers when they are numbers, and by name, duration and start', () => {
    const t = table();
    t.setSort({ column: 'params.lr', ascending: false });
    expect(t.rows.slice(0, 3).map(r => r.run.data.params?.find(p => p.key === 'lr')?.value)).toEqual([
      '0.003',
      '0.001',
      '0.0003'
    ]);
    t.setSort({ column: 'name', ascending: true });
    expect(names(t)).toEqual([...names(t)].sort());
    t.setSort({ column: 'duration', ascending: false });
    expect(names(t)[0]).toBe('unet-lr0.001');
    t.setSort({ column: 'start', ascending: true });
    const starts = t.rows.map(r => r.run.info.start_time!);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    t.setSort(null);
    expect(names(t)[0]).toBe('unet-lr0.003');
  });

  it('builds the runs/search request with the sort as MLflow order_by', () => {
    const t = table();
    const base = {
      experimentIds: ['1'],
      filter: '  metrics.rmse < 1  ',
      viewType: 'ACTIVE_ONLY' as const,
      pageSize: 100
    };
    expect(t.searchRequest(base)).toEqual({
      experimentIds: ['1'],
      filter: 'metrics.rmse < 1',
      runViewType: 'ACTIVE_ONLY',
      maxResults: 100,
      orderBy: undefined,
      pageToken: undefined
    });
    t.setSort({ column: 'metrics.val_loss', ascending: true });
    expect(t.searchRequest({ ...base, pageToken: 'abc' })).toMatchObject({
      orderBy: ['metrics.`val_loss` ASC'],
      pageToken: 'abc'
    });
    t.setSort({ column: 'user', ascending: false });
    expect(t.searchRequest(base).orderBy).toEqual(['tags.`mlflow.user` DESC']);
    t.setSort({ column: 'name', ascending: true });
    expect(t.searchRequest(base).orderBy).toEqual(['attributes.run_name ASC']);
    // MLflow cannot sort by duration: the loaded runs are sorted, the server keeps its order
    t.setSort({ column: 'duration', ascending: true });
    expect(t.searchRequest({ ...base, filter: '' })).toMatchObject({ orderBy: undefined, filter: undefined });
  });
});

describe('RunsTable: nested runs', () => {
  it('puts nested runs under their parent, collapsed until expanded', () => {
    const t = table();
    const parent = t.rows.find(row => row.id === PARENT)!;
    expect(parent.childCount).toBe(2);
    expect(parent.expanded).toBe(false);
    expect(names(t)).not.toContain('sweep-child-0');
    t.toggle(PARENT);
    const at = names(t).indexOf('sweep-parent');
    // in the loaded order under their parent
    expect(names(t).slice(at, at + 3)).toEqual(['sweep-parent', 'sweep-child-0', 'sweep-child-1']);
    expect(t.rows[at + 1].depth).toBe(1);
    t.setSort({ column: 'name', ascending: false });
    const sorted = names(t);
    expect(sorted.slice(sorted.indexOf('sweep-parent'), sorted.indexOf('sweep-parent') + 3)).toEqual([
      'sweep-parent',
      'sweep-child-1',
      'sweep-child-0'
    ]);
    t.expandAll(false);
    expect(t.rows).toHaveLength(6);
  });

  it('shows nested runs whose parent is not loaded at the top, marked', () => {
    const t = new RunsTable(DEFAULT_SETTINGS);
    t.setRuns(fixture('runs-search-children').runs);
    expect(t.rows.map(row => [row.name, row.depth, row.orphan])).toEqual([
      ['sweep-child-1', 0, true],
      ['sweep-child-0', 0, true]
    ]);
  });

  it('loses no run in a parent cycle', () => {
    const run = (id: string, parent: string): IMlflowRun => ({
      info: { run_id: id, experiment_id: '1', status: 'FINISHED', lifecycle_stage: 'active' },
      data: { tags: [{ key: 'mlflow.parentRunId', value: parent }] }
    });
    const t = new RunsTable(DEFAULT_SETTINGS);
    t.setRuns([run('a', 'b'), run('b', 'a'), run('c', 'c')]);
    expect(t.rows.map(row => row.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('adds pages, and a run that moved between pages once', () => {
    const [first, ...rest] = experimentOneRuns();
    const t = new RunsTable(DEFAULT_SETTINGS);
    t.setRuns([first, rest[0]]);
    t.setRuns([rest[0], ...rest.slice(1)], true);
    expect(t.size).toBe(8);
    expect(new Set(t.runs.map(r => r.info.run_id)).size).toBe(8);
  });
});

describe('RunsTable: 10,000 runs', () => {
  it('sorts and nests them', () => {
    const runs: IMlflowRun[] = Array.from({ length: 10_000 }, (_, i) => ({
      info: { run_id: `run${i}`, experiment_id: '1', status: 'FINISHED', start_time: i, lifecycle_stage: 'active' },
      data: {
        metrics: [{ key: 'loss', value: (i * 7919) % 10_000, timestamp: 0, step: 0 }],
        tags: i % 10 ? [{ key: 'mlflow.parentRunId', value: `run${i - (i % 10)}` }] : []
      }
    }));
    const t = new RunsTable(DEFAULT_SETTINGS);
    t.setRuns(runs);
    expect(t.rows).toHaveLength(1000);
    t.expandAll(true);
    expect(t.rows).toHaveLength(10_000);
    t.setSort({ column: 'metrics.loss', ascending: true });
    const tops = t.rows.filter(row => row.depth === 0).map(row => row.run.data.metrics![0].value);
    expect(tops).toEqual([...tops].sort((a, b) => a - b));
  });
});
