/**
 * `npm run -w @esdl-lab/cube3d bench`: the 3D cube in Chromium against a real JupyterLab and the real demo cube
 * server (software WebGL here; absolute figures only hold on a GPU). For each demo cube: time from the open
 * command to the first fully drawn cube, bytes fetched for it against the bytes of the whole variable, and a
 * one-step slice to a stable picture; as a reference measured in the same run, the time to fetch every chunk of
 * the variable through the same proxy (what a viewer that holds the whole array, as Lexcube does, must wait for).
 * Prints figures; never fails on them.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const browserPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const token = 'esdl-cube3d-bench';
const cubes = [
  ['coads', 'SST'],
  ['navy_winds', 'UWND'],
  ['levitus', 'TEMP']
];
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

function storeBytes(dataset, variable) {
  const folder = join(root, 'data', 'cubes', `${dataset}.zarr`, variable);
  return readdirSync(folder)
    .filter(name => !name.startsWith('.'))
    .reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
}

const kib = bytes => `${(bytes / 1024).toFixed(0)} KiB`;
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (!existsSync(browserPath) || !existsSync(join(root, 'data', 'cubes', 'coads.zarr'))) {
  console.log('cube3d benchmark: skipped (needs Chromium and the demo cubes: npm run demo builds them)');
  process.exit(0);
}

const port = await freePort();
const lab = spawn('jupyter', ['lab', '--config', 'jupyter_server_test_config.py'], {
  cwd: join(root, 'ui-tests'),
  env: {
    ...process.env,
    PATH: `${join(root, '.venv', 'bin')}:${process.env.PATH}`,
    ESDL_UI_PORT: String(port),
    ESDL_UI_TOKEN: token
  },
  stdio: 'ignore',
  detached: true
});
let browser;
try {
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
  await page.goto(`${base}/lab`);
  await page.waitForFunction(() => window.jupyterapp?.commands.hasCommand('esdl-lab:open-cube3d'), null, {
    timeout: 120_000
  });
  console.log(`cube3d benchmark (${LEXCUBE})`);
  for (const [dataset, variable] of cubes) {
    const opened = await page.evaluate(
      async ([dataset, variable]) => {
        const start = performance.now();
        await window.jupyterapp.commands.execute('esdl-lab:open-cube3d', { server: 'demo', dataset, variable });
        const node = document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
        const status = node.querySelector('.esdl-Cube3D-status');
        while (!/^[1-9]\d* chunks, \d+ KiB fetched$/.test(status.textContent) || node.dataset.pending !== '0') {
          await new Promise(requestAnimationFrame);
        }
        return { ms: performance.now() - start, status: status.textContent };
      },
      [dataset, variable]
    );
    const firstKiB = Number(/(\d+) KiB/.exec(opened.status)[1]) * 1024;
    const whole = storeBytes(dataset, variable);
    const cube = page.locator('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
    await cube.getByRole('button', { name: 'Front' }).click();
    await cube.locator('canvas').focus();
    const steps = [];
    for (let i = 0; i < 5; i++) {
      steps.push(
        await page.evaluate(async () => {
          const node = document.querySelector('.jp-MainAreaWidget:not(.lm-mod-hidden) .esdl-Cube3D');
          const start = performance.now();
          node.querySelector('canvas').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
          do {
            await new Promise(requestAnimationFrame);
          } while (node.dataset.pending !== '0');
          return performance.now() - start;
        })
      );
    }
    // the reference: every chunk of the variable through the same proxy, as a whole-array viewer needs
    const chunkKeys = readdirSync(join(root, 'data', 'cubes', `${dataset}.zarr`, variable)).filter(
      name => !name.startsWith('.')
    );
    const wholeMs = await page.evaluate(
      async ([dataset, variable, keys, token]) => {
        const start = performance.now();
        await Promise.all(
          keys.map(key =>
            fetch(`/esdl-lab/cubes/demo/s3/datasets/${dataset}.zarr/${variable}/${key}`, {
              headers: { Authorization: `token ${token}` }
            }).then(r => r.arrayBuffer())
          )
        );
        return performance.now() - start;
      },
      [dataset, variable, chunkKeys, token]
    );
    console.log(
      `  ${dataset}.${variable}: first paint ${opened.ms.toFixed(0)} ms (${opened.status}); ` +
        `${kib(firstKiB)} of ${kib(whole)} stored (${((100 * firstKiB) / whole).toFixed(1)} %); ` +
        `one-step slice to stable ${median(steps).toFixed(0)} ms (median of 5); ` +
        `reference, fetching the whole variable: ${wholeMs.toFixed(0)} ms ` +
        `(first paint / whole fetch ${(opened.ms / wholeMs).toFixed(2)})`
    );
  }
  console.log(
    '  kernel memory for cube-server cubes: none (the browser reads the Zarr store; show_cube sends a reference)'
  );
} finally {
  await browser?.close();
  process.kill(-lab.pid, 'SIGTERM');
}
