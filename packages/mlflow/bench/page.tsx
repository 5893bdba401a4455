/**
 * The benchmark's page: the runs table and the charts of the MLflow panel, measured in Chromium after the
 * data has arrived, each beside a reference measured in the same page.
 */
import React from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { IMlflowMetric, IMlflowRun } from '@esdl-lab/core';
import { LineChart } from '../src/chart/line-chart';
import { RunsTable } from '../src/model/runs-table';
import { buildSeries, history, historiesByRun, runColor } from '../src/model/series';
import { DEFAULT_SETTINGS } from '../src/settings';
import { RunsTableView } from '../src/widgets/runs-table';

function host(width: number, height: number): HTMLDivElement {
  const div = document.createElement('div');
  div.style.cssText = `position:absolute;left:0;top:0;width:${width}px;height:${height}px;display:flex;flex-direction:column`;
  document.body.append(div);
  return div;
}

/** Forces layout (the DOM) and raster (a canvas) so that the time includes what the browser does. */
function settle(node: Element, canvas?: HTMLCanvasElement): void {
  node.getBoundingClientRect();
  canvas?.getContext('2d')?.getImageData(0, 0, 1, 1);
}

function time(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

const CSS = `
.esdl-MlflowTable { flex: 1; overflow: auto; font: 13px sans-serif; }
.esdl-MlflowTable-inner { position: relative; }
.esdl-MlflowTable-head, .esdl-MlflowTable-row { display: grid; height: 28px; align-items: center; }
.esdl-MlflowTable-cell { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; padding: 0 6px; }
.esdl-MlflowChart { position: relative; width: 800px; height: 300px; }
`;

const api = {
  /** The runs table: first render of the runs, then a re-sort by a metric. Reference: all rows in the DOM. */
  table(json: string): Record<string, number> {
    const style = document.createElement('style');
    style.textContent = CSS;
    document.head.append(style);
    let runs: IMlflowRun[] = [];
    const parse = time(() => (runs = JSON.parse(json).runs));
    const node = host(1200, 700);
    const root = createRoot(node);
    let table: RunsTable | null = null;
    const view = () => (
      <RunsTableView
        table={table!}
        version={0}
        label="bench"
        isSelected={() => false}
        onSelect={() => undefined}
        onOpen={() => undefined}
        onSort={() => undefined}
        onToggle={() => undefined}
      />
    );
    const firstRender = time(() => {
      table = new RunsTable({ ...DEFAULT_SETTINGS, autoColumns: 6 });
      table.setRuns(runs);
      flushSync(() => root.render(view()));
      settle(node);
    });
    const rowsInDom = node.querySelectorAll('[role="row"]').length;
    const resort = time(() => {
      table!.setSort({ column: 'metrics.val_loss', ascending: true });
      flushSync(() => root.render(view()));
      settle(node);
    });
    const resortBack = time(() => {
      table!.setSort({ column: 'name', ascending: false });
      flushSync(() => root.render(view()));
      settle(node);
    });
    root.unmount();
    node.remove();

    // reference: every row in the DOM, as a table without virtualization would have it
    const plain = host(1200, 700);
    plain.style.overflow = 'auto';
    const allRows = time(() => {
      const body = document.createElement('div');
      for (const run of runs) {
        const row = document.createElement('div');
        row.className = 'esdl-MlflowTable-row';
        for (const text of [
          run.info.run_name ?? '',
          run.info.status,
          String(run.info.start_time),
          run.info.user_id ?? ''
        ]) {
          const cell = document.createElement('div');
          cell.className = 'esdl-MlflowTable-cell';
          cell.textContent = text;
          row.append(cell);
        }
        for (const metric of run.data.metrics ?? []) {
          const cell = document.createElement('div');
          cell.className = 'esdl-MlflowTable-cell';
          cell.textContent = String(metric.value);
          row.append(cell);
        }
        body.append(row);
      }
      plain.append(body);
      settle(plain);
    });
    const values = runs.map(run => run.data.metrics?.[1]?.value ?? 0);
    const plainSort = time(() => values.sort((a, b) => a - b));
    plain.remove();
    style.remove();
    return { parse, firstRender, resort, resortBack, rowsInDom, allRows, plainSort };
  },

  /** A chart of 100 runs x 320 points from a bulk-interval answer. Reference: every point drawn as it is. */
  chart(json: string): Record<string, number> {
    let metrics: IMlflowMetric[] = [];
    const parse = time(() => (metrics = JSON.parse(json).metrics));
    const node = document.createElement('div');
    node.className = 'esdl-MlflowChart';
    document.body.append(node);
    const chart = new LineChart(node);
    const ids = [...new Set(metrics.map(m => m.run_id!))];
    const runs = ids.map((id, i) => ({ id, label: `run ${i}`, color: runColor(i) }));
    const ours = time(() => {
      const series = buildSeries(historiesByRun(metrics), runs, { axis: 'step', smoothing: 0.6 });
      chart.setData(series, { xKind: 'steps', logY: false, xLabel: 'Step' });
      settle(node, chart.canvas);
    });
    const reference = time(() => naiveDraw(node, metrics));
    chart.dispose();
    node.remove();
    return { parse, ours, reference, points: metrics.length };
  },

  /** A full history of 100,000 points: arrays, then drawn. Reference: every point drawn as it is. */
  history(json: string): Record<string, number> {
    let metrics: IMlflowMetric[] = [];
    const parse = time(() => (metrics = JSON.parse(json).metrics));
    const node = document.createElement('div');
    node.className = 'esdl-MlflowChart';
    document.body.append(node);
    const chart = new LineChart(node);
    const ours = time(() => {
      const h = history('r', metrics);
      const series = buildSeries(new Map([['r', h]]), [{ id: 'r', label: 'r', color: runColor(0) }], {
        axis: 'step',
        smoothing: 0
      });
      chart.setData(series, { xKind: 'steps', logY: true, xLabel: 'Step' });
      settle(node, chart.canvas);
    });
    const reference = time(() => naiveDraw(node, metrics));
    chart.dispose();
    node.remove();
    return { parse, ours, reference, points: metrics.length };
  }
};

/** Draws every point of every run with a line, no cutting down, no axes: what a chart costs at the least. */
function naiveDraw(node: HTMLElement, metrics: IMlflowMetric[]): void {
  const canvas = document.createElement('canvas');
  canvas.width = 800;
  canvas.height = 300;
  node.append(canvas);
  const ctx = canvas.getContext('2d')!;
  const byRun = new Map<string, IMlflowMetric[]>();
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const m of metrics) {
    const id = m.run_id ?? '';
    let list = byRun.get(id);
    if (!list) {
      list = [];
      byRun.set(id, list);
    }
    list.push(m);
    minX = Math.min(minX, m.step);
    maxX = Math.max(maxX, m.step);
    minY = Math.min(minY, m.value);
    maxY = Math.max(maxY, m.value);
  }
  let i = 0;
  for (const list of byRun.values()) {
    ctx.strokeStyle = runColor(i++);
    ctx.beginPath();
    list.forEach((m, k) => {
      const x = ((m.step - minX) / (maxX - minX || 1)) * 800;
      const y = 300 - ((m.value - minY) / (maxY - minY || 1)) * 300;
      if (k === 0) {
        ctx.moveTo(x, y);
      } else {
        ctx.lineTo(x, y);
      }
    });
    ctx.stroke();
  }
  settle(node, canvas);
  canvas.remove();
}

(window as any).bench = api;
