/**
 * `npm run -w @esdl-lab/viewer bench`: the map viewer in Chromium against a real JupyterLab with the demo cube
 * server behind the proxy. Prints figures and ratios; never fails on them.
 *
 * - first map: from running the "open viewer" command to the tiles in view drawn (warm server), against the
 *   floor of fetching the same tiles with fetch() in the same page (no decoding, no drawing);
 * - animation on navy winds (132 months) at 4 steps/s, with the next step fetched ahead and, as the reference,
 *   without: per step, the time from the step to its tiles drawn, and the steps whose tiles came too late
 *   (the old step stays on screen then: the viewer never shows a blank map);
 * - frames per second while animating and while panning; tiles/s fetched while animating.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const venvBin = join(root, '.venv', 'bin');
const token = 'esdl-viewer-bench';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const median = values => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
};
const ms = value => `${value.toFixed(0)} ms`;

if (!existsSync(chromium) || !existsSync(join(venvBin, 'jupyter'))) {
  console.log(`viewer benchmark: skipped, needs Chromium at ${chromium} and JupyterLab in .venv (npm run build)`);
  process.exit(0);
}
if (!existsSync(join(root, 'data', 'cubes', 'navy_winds.zarr'))) {
  console.log(
    'viewer benchmark: skipped, the demo cubes are not built (packages/cube-server/scripts/build-demo-cubes.sh)'
  );
  process.exit(0);
}

const tmp = mkdtempSync(join(tmpdir(), 'esdl-viewer-bench-'));
const port = await freePort();
writeFileSync(
  join(tmp, 'config.py'),
  `c.ESDLLab.cube_servers = {"demo": {"command": [${JSON.stringify(join(venvBin, 'esdl-cube-server'))}, "--config", ` +
    `${JSON.stringify(join(root, 'packages', 'cube-server', 'demo', 'cubes.yaml'))}, "--port", "{port}"]}}\n` +
    // the benchmark drives JupyterLab through window.jupyterapp, as galata does
    'c.LabApp.expose_app_in_browser = True\n'
);
const lab = spawn(
  join(venvBin, 'jupyter'),
  [
    'lab',
    `--config=${join(tmp, 'config.py')}`,
    `--port=${port}`,
    '--ip=127.0.0.1',
    '--no-browser',
    '--allow-root',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${tmp}`
  ],
  {
    stdio: ['ignore', 'ignore', 'pipe'],
    // its own settings and workspaces: the benchmark changes the viewer's settings
    env: {
      ...process.env,
      JUPYTER_CONFIG_DIR: join(tmp, 'jupyter-config'),
      JUPYTERLAB_SETTINGS_DIR: join(tmp, 'settings'),
      JUPYTERLAB_WORKSPACES_DIR: join(tmp, 'workspaces')
    }
  }
);
let labLog = '';
lab.stderr.on('data', chunk => (labLog = (labLog + chunk).slice(-4000)));
const base = `http://127.0.0.1:${port}`;

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/status?token=${token}`)).ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (i > 600 || lab.exitCode !== null) {
      throw new Error(`JupyterLab did not start:\n${labLog}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const { chromium: launcher } = await import('playwright-core');
  const browser = await launcher.launch({
    executablePath: chromium,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking']
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/lab?token=${token}`);
    await page.waitForFunction(
      () => window.jupyterapp?.started !== undefined && document.querySelector('.jp-LabShell')
    );
    await page.evaluate(() => window.jupyterapp.started);

    /** Opens a viewer and resolves with ms from the command to its first tiles drawn. */
    const openViewer = (dataset, variable) =>
      page.evaluate(
        async ({ dataset, variable }) => {
          const start = performance.now();
          const loaded = new Promise(resolve =>
            document.addEventListener('esdl-viewer-load', event => resolve(event.detail.time), {
              once: true,
              capture: true
            })
          );
          await window.jupyterapp.commands.execute('esdl-lab:open-viewer', { server: 'demo', dataset, variable });
          return (await loaded) - start;
        },
        { dataset, variable }
      );
    const closeAll = () => page.evaluate(() => window.jupyterapp.commands.execute('application:close-all'));

    // warm the cube server and the browser (first use starts the managed server and loads deck.gl)
    await openViewer('coads', 'SST');
    await closeAll();
    const firstMap = [];
    for (const variable of ['SST', 'AIRT', 'SLP', 'WSPD', 'SPEH']) {
      firstMap.push(await openViewer('coads', variable));
      await page.waitForTimeout(300);
      await closeAll();
    }
    // the floor: the same tiles (level 1 of the world, 4 tiles) fetched in the page with fetch(), no drawing
    const floor = [];
    for (const variable of ['SST', 'AIRT', 'SLP', 'WSPD', 'SPEH']) {
      floor.push(
        await page.evaluate(
          async ({ variable, token }) => {
            const start = performance.now();
            const urls = [0, 1].flatMap(y =>
              [0, 1].map(
                x =>
                  `/esdl-lab/cubes/demo/tiles/coads/${variable}/1/${y}/${x}?crs=EPSG%3A3857&vmin=-2&vmax=33&cmap=viridis&time=0000-03-17`
              )
            );
            await Promise.all(
              urls.map(url =>
                fetch(url, { headers: { Authorization: `token ${token}` }, cache: 'no-store' }).then(r => r.blob())
              )
            );
            return performance.now() - start;
          },
          { variable, token }
        )
      );
    }
    console.log(
      `first map (COADS, warm server): median ${ms(median(firstMap))} (runs ${firstMap.map(ms).join(', ')}); ` +
        `floor (fetch of the same tiles, no drawing) ${ms(median(floor))}; ratio ${(median(firstMap) / median(floor)).toFixed(1)}x; goal <= 1000 ms`
    );

    /** Animates navy winds for `seconds` at 4 steps/s; the step latencies, late steps, fps and tiles/s. */
    const animate = async (prefetch, seconds) => {
      await page.evaluate(async prefetch => {
        const registry = window.jupyterapp.serviceManager.settings;
        const id = '@esdl-lab/labextension:viewer';
        const current = await registry.fetch(id);
        await registry.save(id, JSON.stringify({ ...(current.settings ?? {}), prefetch, stepsPerSecond: 4 }));
      }, prefetch);
      await page.reload();
      await page.waitForFunction(() => document.querySelector('.jp-LabShell'));
      await page.evaluate(() => window.jupyterapp.started);
      await closeAll();
      await openViewer('navy_winds', 'UWND');
      await page.waitForTimeout(500);
      return page.evaluate(async seconds => {
        const created = new Map();
        const loaded = new Map();
        const onLayer = event => created.set(event.detail.key, event.detail.time);
        const onLoad = event => loaded.has(event.detail.key) || loaded.set(event.detail.key, event.detail.time);
        document.addEventListener('esdl-viewer-layer', onLayer, true);
        document.addEventListener('esdl-viewer-load', onLoad, true);
        const status = () => document.querySelector('.jp-MainAreaWidget .esdl-Viewer-status')?.textContent ?? '';
        const tilesBefore = Number(/(\d+) tiles/.exec(status())?.[1] ?? 0);
        let frames = 0;
        let running = true;
        const count = () => {
          frames++;
          if (running) {
            requestAnimationFrame(count);
          }
        };
        requestAnimationFrame(count);
        const play = [...document.querySelectorAll('.jp-MainAreaWidget .esdl-Viewer-button')].find(
          button => button.getAttribute('aria-label') === 'Play'
        );
        const start = performance.now();
        play.click();
        await new Promise(resolve => setTimeout(resolve, seconds * 1000));
        document.querySelector('.jp-MainAreaWidget .esdl-Viewer-button[aria-label="Stop"]')?.click();
        running = false;
        const elapsed = (performance.now() - start) / 1000;
        const tilesAfter = Number(/(\d+) tiles/.exec(status())?.[1] ?? 0);
        document.removeEventListener('esdl-viewer-layer', onLayer, true);
        document.removeEventListener('esdl-viewer-load', onLoad, true);
        const latencies = [...created].filter(([key]) => loaded.has(key)).map(([key, t]) => loaded.get(key) - t);
        return {
          steps: created.size,
          latencies,
          late: latencies.filter(latency => latency > 250).length + (created.size - latencies.length),
          fps: frames / elapsed,
          tilesPerSecond: (tilesAfter - tilesBefore) / elapsed
        };
      }, seconds);
    };
    const withPrefetch = await animate(true, 12);
    const without = await animate(false, 12);
    for (const [name, run] of [
      ['with prefetch', withPrefetch],
      ['without prefetch (reference)', without]
    ]) {
      console.log(
        `animation, navy winds UWND at 4 steps/s, ${name}: ${run.steps} steps, step to tiles drawn median ` +
          `${ms(median(run.latencies))} p95 ${ms(quantile(run.latencies, 0.95))}, ${run.late} steps later than 250 ms ` +
          `(the previous step stays drawn: no blank frame), ${run.fps.toFixed(0)} frames/s, ${run.tilesPerSecond.toFixed(1)} tiles/s`
      );
    }
    console.log(
      `prefetch: median step latency ${ms(median(withPrefetch.latencies))} vs ${ms(median(without.latencies))} ` +
        `(${(median(without.latencies) / Math.max(1, median(withPrefetch.latencies))).toFixed(1)}x faster)`
    );

    // panning: drag across the map for 3 s
    const map = page.locator('.jp-MainAreaWidget .esdl-Viewer-map');
    const box = await map.boundingBox();
    const fps = page.evaluate(
      () =>
        new Promise(resolve => {
          let frames = 0;
          const start = performance.now();
          const tick = () => {
            frames++;
            if (performance.now() - start < 3000) {
              requestAnimationFrame(tick);
            } else {
              resolve(frames / ((performance.now() - start) / 1000));
            }
          };
          requestAnimationFrame(tick);
        })
    );
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 0; i < 60; i++) {
      await page.mouse.move(box.x + box.width * (0.3 + 0.4 * Math.sin(i / 10) ** 2), box.y + box.height / 2, {
        steps: 2
      });
      await page.waitForTimeout(40);
    }
    await page.mouse.up();
    console.log(`panning: ${(await fps).toFixed(0)} frames/s (software WebGL here: SwiftShader on 2 cores)`);
  } finally {
    await browser.close();
  }
} catch (error) {
  console.log(`viewer benchmark: could not finish: ${error.message}`);
  process.exitCode = 1;
} finally {
  lab.kill('SIGTERM');
  await new Promise(resolve => setTimeout(resolve, 1500));
  rmSync(tmp, { recursive: true, force: true });
}
