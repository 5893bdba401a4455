/**
 * `npm run -w @esdl-lab/catalog bench`: the catalogue with 10,000 datasets in Chromium — first render, and
 * filter + re-render per keystroke — for the virtualized list and, as a reference measured in the same run, a
 * naive list that renders every row. Prints figures; never fails on them.
 */
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const count = Number(process.env.ESDL_BENCH_DATASETS ?? 10_000);
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const out = mkdtempSync(join(tmpdir(), 'esdl-catalog-bench-'));

const fmt = ms => `${ms.toFixed(1)} ms`;

try {
  await build({
    entryPoints: [join(here, 'page.tsx')],
    bundle: true,
    outfile: join(out, 'page.js'),
    format: 'iife',
    platform: 'browser',
    minify: true,
    loader: { '.svg': 'text', '.css': 'empty' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    logLevel: 'error'
  });
  // the plugin's own style sheet: the list's height (and so its virtualization) comes from it
  const css = readFileSync(join(here, '..', '..', '..', 'style', 'catalog.css'), 'utf-8');
  writeFileSync(
    join(out, 'index.html'),
    `<!DOCTYPE html><html><head><style>${css}</style></head><body><script src="page.js"></script></body></html>`
  );

  if (!existsSync(chromium)) {
    console.log(`catalogue benchmark: skipped, no Chromium at ${chromium} (set CHROMIUM_PATH)`);
    process.exit(0);
  }
  const { chromium: launcher } = await import('playwright-core');
  const browser = await launcher.launch({ executablePath: chromium, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', error => errors.push(error.message));
    await page.goto(`file://${join(out, 'index.html')}?count=${count}`);
    const result = await page.evaluate(() => window.runBenchmark());
    if (errors.length) {
      console.log(`page errors: ${errors.join('; ')}`);
    }
    const { virtualized: v, naive: n } = result;
    console.log(
      `catalogue benchmark: ${result.count} datasets in Chromium ${browser.version()} ` +
        `(${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} when it ended)`
    );
    console.log(`  listing through the model and xcube client (JSON parse + index): ${fmt(result.load)}`);
    console.log('                          first render    keystroke median   p95       max      DOM rows');
    for (const [name, r] of [
      ['virtualized (ours)', v],
      ['naive, every row', n]
    ]) {
      console.log(
        `  ${name.padEnd(22)}  ${fmt(r.firstRender).padStart(12)}    ${fmt(r.keystrokeMedian).padStart(12)}  ` +
          `${fmt(r.keystrokeP95).padStart(9)}  ${fmt(r.keystrokeMax).padStart(9)}  ${String(r.domRows).padStart(6)}`
      );
    }
    console.log(
      `  typing "${result.query}" ${result.rounds} times, ${v.keystrokes} keys (naive: its first ${result.naiveKeys} ` +
        `keys once): ${v.rowsAfterQuery} rows in the DOM ` +
        `at the end (naive: ${n.rowsAfterQuery});` +
        ` goal per keystroke <= 50 ms: ${v.keystrokeP95 <= 50 ? 'met' : 'missed'} (p95 ${fmt(v.keystrokeP95)})`
    );
    console.log(
      `  ratios naive / virtualized: first render ${(n.firstRender / v.firstRender).toFixed(1)}x, ` +
        `keystroke median ${(n.keystrokeMedian / v.keystrokeMedian).toFixed(1)}x`
    );
  } finally {
    await browser.close();
  }
} catch (error) {
  console.log(`catalogue benchmark could not run: ${error instanceof Error ? error.message : error}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
