/**
 * `npm run -w @esdl-lab/cube3d bench`: the 3D cube in Chromium against a real JupyterLab and real cube servers
 * (software WebGL here; absolute figures only hold on a GPU). The cube servers are started (on first use) before
 * the figures, as the catalogue does when it lists them. For each demo cube: time from the open command to
 * the first fully drawn cube, bytes fetched for it against the bytes of the whole variable, frame times while
 * dragging a face, a one-step drag and a one-step key press to a stable picture; as a reference measured in the
 * same run, the time to fetch every chunk of the variable through the same proxy (what a viewer that holds the
 * whole array, as Lexcube does, waits for). Then coarse levels first: no demo cube has a pyramid on three
 * dimensions (ETOPO5's is 2-D), so the navy winds are generated twice into a temporary folder (spatial chunks of
 * 32, time-series copy), with overview levels and without, served by a second cube server, and opened one after
 * the other. Last, the kernel's memory around show_cube against holding the variable in the kernel.
 * Prints figures; never fails on them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const browserPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const token = 'esdl-cube3d-bench';
const demoCubes = join(root, 'data', 'cubes');
const cubeGen = join(root, 'packages', 'server', 'esdl_lab', 'node', 'cube-gen.mjs');
const venvBin = join(root, '.venv', 'bin');
// from the issue: Lexcube 1.0.3 measured on this kind of machine in headless Chromium (not measured here)
const LEXCUBE = 'Lexcube 1.0.3 (issue): first paint 1.7-1.9 s, one-step drag 0.20-0.46 s, 250-760 KiB first paint';

function freePort() {
  return new Promise(resolve => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const chunkFiles = folder => readdirSync(folder).filter(name => !name.startsWith('.'));
const storeBytes = folder => chunkFiles(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
const kib = bytes => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = value => `${value.toFixed(0)} ms`;
const quantile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

if (!existsSync(browserPath) || !existsSync(join(demoCubes, 'coads.zarr')) || !existsSync(cubeGen)) {
  console.log('cube3d benchmark: skipped (needs Chromium, the demo cubes and the build: npm run demo builds them)');
  process.exit(0);
}

/** The navy winds twice, with overview levels and without, and a cube-server config for them. */
function makePyramidCubes(folder) {
  for (const [id, overviews] of [
    ['nw_pyramid', 'auto'],
    ['nw_flat', 'false']
  ]) {
    const recipe = join(folder, `${id}.yaml`);
    writeFileSync(
      recipe,
      [
        `name: ${id}`,
        'inputs: [/usr/share/ferret-vis/data/monthly_navy_winds.cdf]',
        'variables: {UWND: {}}',
        'chunks: {time: 1, lat: 32, lon: 32}',
        `overviews: ${overviews}`,
        'timeseries: true',
        'metadata: {title: "Navy winds (benchmark copy)", license: unknown}',
        ''
      ].join('\n')
    );
    const made = spawnSync(process.execPath, [cubeGen, recipe, '--output', folder, '--quiet'], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new Error(`cube-gen failed for ${id}: ${made.stderr}`);
    }
  }
  const config = join(folder, 'cubes.yaml');
  writeFileSync(
    config,
    [
      `BaseDir: ${folder}`,
      'Datasets:',
      '  - {Identifier: nw_pyramid, Path: nw_pyramid.zarr}',
      '  - {Identifier: nw_flat, Path: nw_flat.zarr}',
      ''
    ].join('\n')
  );
  // the galata config, plus the second cube server
  const testConfig = join(root, 'ui-tests', 'jupyter_server_test_config.py');
  const labConfig = join(folder, 'jupyter_bench_config.py');
  writeFileSync(
    labConfig,
    [
      `exec(compile(open(${JSON.stringify(testConfig)}).read(), ${JSON.stringify(testConfig)}, "exec"),`,
      `     {"get_config": get_config, "__file__": ${JSON.stringify(testConfig)}})  # noqa: F821`,
      'get_config().ESDLLab.cube_servers["bench"] = {  # noqa: F821',
      '    "title": "Benchmark cubes",',
      `    "command": [${JSON.stringify(join(venvBin, 'esdl-cube-server'))}, "--config", ${JSON.stringify(config)},`,
      '                "--port", "{port}"],',
      '}',
      ''
    ].join('\n')
  );
  return labConfig;
}

/** Opens a cube and waits for its first fully drawn picture; with the chunk requests it made on the way. */
async function open(page, server, dataset, variable) {
  return page.evaluate(
    async ([server, dataset, variable]) => {
      performance.setResourceTimingBufferSize(1_000_000);
      performance.clearResourceTimings();
      const start = performance.now();
      await window.jupyterapp.commands.execute('esdl-lab:open-cube3d', { server, dataset, variable });
      const node = document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
      const status = node.querySelector('.esdl-Cube3D-status');
      // at most two minutes, so that a cube that never draws shows as such rather than hanging the benchmark
      while (
        (!/^[1-9]\d* chunks, \d+ KiB fetched$/.test(status.textContent) || node.dataset.pending !== '0') &&
        performance.now() - start < 120_000
      ) {
        await new Promise(requestAnimationFrame);
      }
      const ms = performance.now() - start;
      const chunks = performance
        .getEntriesByType('resource')
        .filter(e => e.name.includes(`/datasets/${dataset}.zarr/`) && !e.name.endsWith('.zmetadata'))
        .map(e => ({ coarse: e.name.includes('/overviews/'), end: e.responseEnd - start, bytes: e.encodedBodySize }));
      return { ms, status: status.textContent, chunks };
    },
    [server, dataset, variable]
  );
}

/** Waits in the page until no face is loading (after at least one frame). */
const settled = page =>
  page.evaluate(async () => {
    const node = document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
    const start = performance.now();
    do {
      await new Promise(requestAnimationFrame);
    } while (node.dataset.pending !== '0' && performance.now() - start < 60_000);
  });

/** Drags the front face with the mouse (6 pixels a slice): frame intervals while dragging, and one-step drags. */
async function drag(page, cube) {
  await cube.getByRole('button', { name: 'Front' }).click();
  await settled(page);
  const box = await cube.locator('canvas[data-engine]').boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const sliceLine = cube.getByLabel('Selected face');
  await page.evaluate(() => {
    window.benchFrames = [];
    const tick = t => {
      if (window.benchFrames) {
        window.benchFrames.push(t);
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(x, y);
  await page.mouse.down();
  const before = await sliceLine.textContent();
  // up 10 slices, down 10, up 10, at about 60 pointer moves a second
  const path = [...Array(10).keys()].map(i => i + 1);
  for (const step of [...path, ...path.map(i => 10 - i), ...path]) {
    await page.mouse.move(x, y - 6 * step - 3);
    await page.waitForTimeout(16);
  }
  const after = await sliceLine.textContent();
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const frames = window.benchFrames;
    window.benchFrames = null;
    return frames;
  });
  await settled(page);
  const intervals = frames.slice(1).map((t, i) => t - frames[i]);
  const steps = [];
  for (let i = 0; i < 5; i++) {
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.evaluate(() => {
      // the widget captures the pointer: its moves reach the viewport, so they are seen on the way down to it
      const node = document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
      window.benchMove = null;
      node.addEventListener('pointermove', () => (window.benchMove ??= performance.now()), {
        capture: true,
        once: true
      });
    });
    await page.mouse.move(x, y - 9);
    steps.push(
      await page.evaluate(async () => {
        const node = document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
        const start = performance.now();
        do {
          await new Promise(requestAnimationFrame);
        } while ((node.dataset.pending !== '0' || window.benchMove === null) && performance.now() - start < 30_000);
        return window.benchMove === null ? NaN : performance.now() - window.benchMove;
      })
    );
    await page.mouse.up();
  }
  return { intervals, before, after, steps };
}

/** One-step key presses (arrow up on the selected face) to a stable picture. */
async function keySteps(page, cube) {
  await cube.locator('canvas[data-engine]').focus();
  const steps = [];
  for (let i = 0; i < 5; i++) {
    steps.push(
      await page.evaluate(async () => {
        const node = document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
        const start = performance.now();
        node
          .querySelector('canvas[data-engine]')
          .dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
        do {
          await new Promise(requestAnimationFrame);
        } while (node.dataset.pending !== '0' && performance.now() - start < 60_000);
        return performance.now() - start;
      })
    );
  }
  return steps;
}

/** Every chunk of a variable through the same proxy, as a viewer that holds the whole array must fetch. */
function fetchWhole(page, server, dataset, variable, folder) {
  return page.evaluate(
    async ([server, dataset, variable, keys, token]) => {
      const start = performance.now();
      // 16 requests at a time: thousands at once exhaust the browser's sockets
      const queue = [...keys];
      const worker = async () => {
        for (let key = queue.shift(); key; key = queue.shift()) {
          await fetch(`/esdl-lab/cubes/${server}/s3/datasets/${dataset}.zarr/${variable}/${key}`, {
            headers: { Authorization: `token ${token}` }
          }).then(r => r.arrayBuffer());
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      return performance.now() - start;
    },
    [server, dataset, variable, chunkFiles(folder), token]
  );
}

/** Runs Python in a kernel and returns what it printed. */
function python(page, code) {
  return page.evaluate(async code => {
    window.benchKernel ??= await window.jupyterapp.serviceManager.kernels.startNew({ name: 'python3' });
    const future = window.benchKernel.requestExecute({ code });
    let out = '';
    future.onIOPub = msg => {
      if (msg.header.msg_type === 'stream') {
        out += msg.content.text;
      } else if (msg.header.msg_type === 'error') {
        out += `${msg.content.ename}: ${msg.content.evalue}`;
      }
    };
    await future.done;
    return out.trim();
  }, code);
}

const folder = mkdtempSync(join(tmpdir(), 'esdl-cube3d-bench-'));
let lab;
let browser;
try {
  const labConfig = makePyramidCubes(folder);
  const port = await freePort();
  lab = spawn('jupyter', ['lab', '--config', labConfig], {
    cwd: join(root, 'ui-tests'),
    env: { ...process.env, PATH: `${venvBin}:${process.env.PATH}`, ESDL_UI_PORT: String(port), ESDL_UI_TOKEN: token },
    stdio: 'ignore',
    detached: true
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    const up = await fetch(`${base}/api/status?token=${token}`).then(
      r => r.ok,
      () => false
    );
    if (up) {
      break;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-gpu']
  });
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
    extraHTTPHeaders: { Authorization: `token ${token}` }
  });
  // every open reads over the network, as the first open of a session does (the proxy's answers are cacheable)
  await (await page.context().newCDPSession(page)).send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.goto(`${base}/lab`);
  await page.waitForFunction(() => window.jupyterapp?.commands.hasCommand('esdl-lab:open-cube3d'), null, {
    timeout: 120_000
  });
  console.log(`cube3d benchmark (${LEXCUBE})`);
  // the cube servers start on first use: once, as when the catalogue first lists them, and not in the figures
  for (const server of ['demo', 'bench']) {
    const started = performance.now();
    const answer = await fetch(`${base}/esdl-lab/cubes/${server}/datasets`, {
      headers: { Authorization: `token ${token}` }
    });
    await answer.arrayBuffer();
    console.log(
      `  cube server "${server}" started on first use and listed its datasets in ${ms(performance.now() - started)} ` +
        `(${answer.status}; before the figures below, as when the catalogue lists it)`
    );
  }
  // the first open also loads the widget's code (three.js); the second COADS open has it
  const cubes = [
    ['demo', 'coads', 'SST', demoCubes],
    ['demo', 'coads', 'SST', demoCubes],
    ['demo', 'navy_winds', 'UWND', demoCubes],
    ['demo', 'levitus', 'TEMP', demoCubes],
    ['bench', 'nw_flat', 'UWND', folder],
    ['bench', 'nw_pyramid', 'UWND', folder]
  ];
  const opened = {};
  for (const [server, dataset, variable, cubesFolder] of cubes) {
    const store = join(cubesFolder, `${dataset}.zarr`, variable);
    const again = dataset in opened ? ' again, code loaded' : dataset === 'coads' ? ' (with loading the code)' : '';
    const first = await open(page, server, dataset, variable);
    const firstBytes = first.chunks.reduce((sum, c) => sum + c.bytes, 0);
    const whole = storeBytes(store);
    const cube = page.locator('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
    const dragged = await drag(page, cube);
    const keys = await keySteps(page, cube);
    const wholeMs = await fetchWhole(page, server, dataset, variable, store);
    opened[dataset] = first;
    console.log(
      `  ${dataset}.${variable}${again}: first paint ${ms(first.ms)} (${first.status}); ` +
        `${kib(firstBytes)} of ${kib(whole)} stored (${((100 * firstBytes) / whole).toFixed(1)} %); ` +
        `reference, fetching the whole variable: ${ms(wholeMs)} (first paint / whole fetch ` +
        `${(first.ms / wholeMs).toFixed(2)})\n` +
        `    dragging the front face (30 pointer moves, "${dragged.before}" → "${dragged.after}"): frame interval ` +
        `median ${ms(quantile(dragged.intervals, 0.5))}, p95 ${ms(quantile(dragged.intervals, 0.95))} ` +
        `(${dragged.intervals.length} frames; 17 ms is 60 fps)\n` +
        `    one-step drag to stable: median ${ms(quantile(dragged.steps, 0.5))} of 5; ` +
        `one-step key press to stable: median ${ms(quantile(keys, 0.5))} of 5`
    );
    // closed, so that the next open of the same cube makes a new widget
    await page.evaluate(() => window.jupyterapp.shell.currentWidget?.close());
  }
  const flat = opened.nw_flat;
  const pyramid = opened.nw_pyramid;
  const coarse = pyramid.chunks.filter(c => c.coarse);
  const coarseIn = Math.max(...coarse.map(c => c.end));
  const coarseBytes = coarse.reduce((sum, c) => sum + c.bytes, 0);
  const bytes = open => open.chunks.reduce((sum, c) => sum + c.bytes, 0);
  const zmetadata = JSON.parse(readFileSync(join(folder, 'nw_pyramid.zarr', '.zmetadata'), 'utf8'));
  const levels = zmetadata.metadata['.zattrs'].esdl_overviews.map(l => `${l.shape.lat} × ${l.shape.lon}`);
  console.log(
    `  coarse levels first (navy winds UWND, 132 × 73 × 144, chunks 1 × 32 × 32, levels ${levels.join(', ')}): ` +
      `with levels the first (coarse) picture's ${coarse.length} chunks (${kib(coarseBytes)}) were in after ` +
      `${ms(coarseIn)}, fully drawn after ${ms(pyramid.ms)} (${kib(bytes(pyramid))} in all); ` +
      `without levels fully drawn after ${ms(flat.ms)} (${kib(bytes(flat))}); first picture with levels / ` +
      `without ${(coarseIn / flat.ms).toFixed(2)}, fully drawn ${(pyramid.ms / flat.ms).toFixed(2)}, ` +
      `bytes ${(bytes(pyramid) / bytes(flat)).toFixed(2)}`
  );
  const rss = "print(int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]))";
  const kernelKiB = async code => Number((await python(page, `${code}\n${rss}`)).split('\n').at(-1));
  const imported = await kernelKiB('import esdl_lab, xarray\nfrom IPython.display import display');
  const shown = await kernelKiB("display(esdl_lab.show_cube('navy_winds', 'UWND', server='demo'))");
  const store = JSON.stringify(join(demoCubes, 'navy_winds.zarr'));
  const held = await kernelKiB(`held = xarray.open_zarr(${store})['UWND'].load()`);
  await page.evaluate(() => window.benchKernel.shutdown());
  const variableKiB = (132 * 73 * 144 * 4) / 1024;
  console.log(
    [imported, shown, held].every(Number.isFinite)
      ? `  kernel memory (RSS) for a cube-server cube: +${shown - imported} KiB for show_cube('navy_winds', 'UWND') ` +
          `(${imported} → ${shown} KiB; the browser reads the Zarr store, the kernel sends a reference); ` +
          `reference, the variable (${variableKiB.toFixed(0)} KiB of float32) held in the kernel as Lexcube ` +
          `does: +${held - shown} KiB`
      : '  kernel memory: not measured (the kernel did not answer with its RSS)'
  );
} finally {
  await browser?.close();
  if (lab) {
    process.kill(-lab.pid, 'SIGTERM');
  }
  rmSync(folder, { recursive: true, force: true });
}
