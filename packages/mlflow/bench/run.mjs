/**
 * `npm run -w @esdl-lab/mlflow bench`: the MLflow panel in Chromium with 10,000 runs in the recorded runs'
 * shape, a chart of 100 runs x 320 points and a 100,000-point history, each timed after the data has arrived
 * and beside a reference measured in the same page. Prints figures; never fails on them.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', '..', '..', 'test-fixtures', 'mlflow');
const REPEATS = 5;
const GOAL_MS = 100;

/** A deterministic pseudo-random number generator, so that every run measures the same data. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 10,000 runs shaped as the recorded `runs/search` answer, with nested runs every tenth. */
function runsJson(count) {
  const template = JSON.parse(readFileSync(join(FIXTURES, 'runs-get.json'), 'utf-8')).run;
  const rand = random(1);
  const runs = [];
  for (let i = 0; i < count; i++) {
    const id = i.toString(16).padStart(32, '0');
    const start = 1795505126145 + i * 60_000;
    const loss = 0.02 + rand();
    const tags = template.data.tags.map(tag => (tag.key === 'mlflow.runName' ? { ...tag, value: `run-${i}` } : tag));
    if (i % 10) {
      tags.push({ key: 'mlflow.parentRunId', value: (i - (i % 10)).toString(16).padStart(32, '0') });
    }
    runs.push({
      info: {
        ...template.info,
        run_id: id,
        run_uuid: id,
        run_name: `run-${i}`,
        start_time: start,
        end_time: start + 1000 + rand() * 600_000
      },
      data: {
        metrics: template.data.metrics.map(m => ({
          ...m,
          value: m.key === 'final_acc' ? rand() : loss * (0.5 + rand())
        })),
        params: template.data.params.map(p => ({
          ...p,
          value: p.key === 'lr' ? String([1e-4, 3e-4, 1e-3, 3e-3][i % 4]) : p.value
        })),
        tags
      },
      inputs: template.inputs,
      outputs: {}
    });
  }
  return JSON.stringify({ runs, next_page_token: 'eyJvZmZzZXQiOiAxMDAwMH0=' });
}

/** A `get-history-bulk-interval` answer: `runs` runs, `points` sampled points each (first and last kept). */
function bulkJson(runs, points) {
  const rand = random(2);
  const metrics = [];
  for (let r = 0; r < runs; r++) {
    const steps = 1000 + r * 37;
    for (let k = 0; k <= points; k++) {
      const step = k === points ? steps - 1 : Math.floor((k * steps) / points);
      metrics.push({
        key: 'val_loss',
        value: 0.05 + Math.exp(-step / 300) + 0.02 * rand(),
        timestamp: 1795505126145 + step * 100,
        step,
        run_id: r.toString(16).padStart(32, '0')
      });
    }
  }
  return JSON.stringify({ metrics });
}

/** A full history as `get-history` pages hold it, joined. */
function historyJson(points) {
  const rand = random(3);
  const metrics = [];
  for (let step = 0; step < points; step++) {
    metrics.push({
      key: 'train_loss',
      value: 0.01 + Math.exp(-step / 20000) + 0.05 * rand(),
      timestamp: 1795505126145 + step * 10,
      step
    });
  }
  return JSON.stringify({ metrics });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const bundle = await build({
    entryPoints: [join(HERE, 'page.tsx')],
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error'
  });
  const code = bundle.outputFiles[0].text;
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader']
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: code });
    const data = { table: runsJson(10_000), chart: bulkJson(100, 320), history: historyJson(100_000) };
    const results = {};
    for (const name of ['table', 'chart', 'history']) {
      const samples = [];
      for (let i = 0; i <= REPEATS; i++) {
        const sample = await page.evaluate(([method, json]) => window.bench[method](json), [name, data[name]]);
        if (i > 0) {
          samples.push(sample);
        }
      }
      results[name] = Object.fromEntries(Object.keys(samples[0]).map(key => [key, median(samples.map(s => s[key]))]));
    }
    const { table, chart, history } = results;
    const version = browser.version();
    const line = (what, ours, refWhat, ref) =>
      `${what.padEnd(40)} ${ours.toFixed(1).padStart(7)} ms ${ours <= GOAL_MS ? '  within' : 'OVER   '} | ${refWhat.padEnd(44)} ${ref
        .toFixed(1)
        .padStart(7)} ms  ratio ${(ours / ref).toFixed(2)}`;
    console.log(
      `MLflow panel, Chromium ${version}, median of ${REPEATS} after a warm-up; goal ${GOAL_MS} ms after the data arrived`
    );
    console.log(`${'measured'.padEnd(40)} ${'ours'.padStart(10)} ${'goal'.padEnd(7)}| reference in the same page`);
    console.log(
      line(
        'table: first render of 10,000 runs',
        table.firstRender,
        'all 10,000 rows in the DOM (no virtualizing)',
        table.allRows
      )
    );
    console.log(
      line('table: re-sort by a metric', table.resort, 'Array.sort of the 10,000 values alone', table.plainSort)
    );
    console.log(
      line(
        'table: re-sort by name (descending)',
        table.resortBack,
        'all 10,000 rows in the DOM (no virtualizing)',
        table.allRows
      )
    );
    console.log(
      line(
        'chart: 100 runs x 320 points (smoothed)',
        chart.ours,
        'every point drawn as it is, no axes',
        chart.reference
      )
    );
    console.log(
      line(
        'history: 100,000 points (log scale)',
        history.ours,
        'every point drawn as it is, no axes',
        history.reference
      )
    );
    console.log(
      `(for scale, JSON.parse of the data as it arrives: runs ${table.parse.toFixed(1)} ms, ` +
        `chart ${chart.parse.toFixed(1)} ms (${chart.points} points), history ${history.parse.toFixed(1)} ms (${history.points} points); ` +
        `rows in the DOM after the first render: ${table.rowsInDom})`
    );
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  console.error(`The MLflow benchmark could not run: ${error.message}`);
});
