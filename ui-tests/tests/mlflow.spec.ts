import { expect, test } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectErrors, screenshotPath, setTheme } from './helpers';

// The MLflow server is a replay of a recorded MLflow 3.6 server (config.d/mlflow.py), with a generated
// experiment of 10,000 runs and one whose texts hold HTML and script.
const FIXTURES = join(__dirname, '..', '..', 'test-fixtures', 'mlflow');

test.use({ autoGoto: false });

async function openMlflow(page: Page): Promise<Locator> {
  await page.goto();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('esdl-lab:open-mlflow'));
  await expect(page.getByRole('heading', { name: 'MLflow', exact: true })).toBeVisible();
  return page.getByRole('list', { name: 'MLflow experiments' });
}

async function openExperiment(page: Page, name: string | RegExp): Promise<Locator> {
  const list = await openMlflow(page);
  await list.getByRole('button', { name }).click();
  const table = page.getByRole('table', { name: /^Runs of / });
  await expect(table).toBeVisible();
  return table;
}

/** A run's row in the runs table. */
function row(table: Locator, name: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('button', { name, exact: true }) });
}

/**
 * Counts the pixels of a screenshot of an element that differ from its background (its top-left corner), and
 * those in saturated colours (lines in the runs' colours, not the grey axes and text).
 */
async function drawnPixels(page: Page, element: Locator): Promise<{ total: number; drawn: number; coloured: number }> {
  const png = await element.screenshot();
  return page.evaluate(async base64 => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const [r0, g0, b0] = [data[0], data[1], data[2]];
    let drawn = 0;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (Math.abs(r - r0) + Math.abs(g - g0) + Math.abs(b - b0) > 30) {
        drawn++;
      }
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) {
        coloured++;
      }
    }
    return { total: data.length / 4, drawn, coloured };
  }, png.toString('base64'));
}

async function expectChartDrawn(page: Page, card: Locator): Promise<void> {
  await expect(card.getByText(/\d+ points?/)).toBeVisible();
  const canvas = card.locator('canvas');
  await expect(canvas).toBeVisible();
  // a theme or axis change redraws the canvas: wait until the redrawn lines are there
  await expect
    .poll(
      async () => {
        const pixels = await drawnPixels(page, canvas);
        return pixels.drawn > pixels.total * 0.02 && pixels.coloured > 300 ? 'drawn' : JSON.stringify(pixels);
      },
      { timeout: 20_000 }
    )
    .toBe('drawn');
}

function recordedBody(file: string): string {
  return readFileSync(join(FIXTURES, file), 'utf-8');
}

test.describe('MLflow run panel', () => {
  test('lists the experiments and runs of the recorded server, filters, sorts and nests them', async ({ page }) => {
    const errors = collectErrors(page);
    const list = await openMlflow(page);
    for (const name of ['precip-nowcast', 'ocean-heat-emulator', 'era5-downscaling', 'Default', 'generated-sweep']) {
      await expect(list.getByRole('button', { name: new RegExp(`^${name}`) })).toBeVisible();
    }
    await expect(page.getByText('server 3.6.1.dev0')).toBeVisible();

    await list.getByRole('button', { name: /^era5-downscaling/ }).click();
    const table = page.getByRole('table', { name: 'Runs of era5-downscaling' });
    for (const name of [
      'unet-lr0.001',
      'unet-lr0.003',
      'fno-lr0.0003',
      'vit-lr0.0001',
      'sweep-parent',
      'sklearn-emulator'
    ]) {
      await expect(row(table, name)).toBeVisible();
    }
    await expect(row(table, 'unet-lr0.001')).toContainText('0.0755041');
    await expect(page.getByText('8 runs', { exact: true })).toBeVisible();

    // nested runs under their parent
    await expect(table.getByRole('button', { name: 'sweep-child-0', exact: true })).toHaveCount(0);
    await table.getByRole('button', { name: 'Show the 2 nested runs of sweep-parent' }).click();
    await expect(row(table, 'sweep-child-0')).toBeVisible();
    await expect(row(table, 'sweep-child-1')).toBeVisible();

    // sort by a metric: the best run first
    const header = table.getByRole('columnheader', { name: 'val_loss' });
    await header.getByRole('button').click();
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await expect(table.getByRole('row').nth(1)).toContainText('unet-lr0.003');
    await header.getByRole('button').click();
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect(table.getByRole('row').nth(1)).toContainText('vit-lr0.0001');
    await page.screenshot({ path: screenshotPath('mlflow-runs-light') });

    // MLflow's filter syntax; the server's message for a bad one
    const filter = page.getByLabel('Filter runs (MLflow search syntax)');
    await filter.fill('metrics.val_loss >> 1');
    await filter.press('Enter');
    await expect(page.getByRole('alert')).toContainText(
      "MLflow refused the filter: Invalid comparator '>>' not one of '{'>', '!=', '<', '=', '<=', '>='}"
    );
    await filter.fill("params.arch = 'unet' and metrics.val_loss < 0.1");
    await filter.press('Enter');
    await expect(page.getByText('2 runs', { exact: true })).toBeVisible();
    await expect(row(table, 'unet-lr0.001')).toBeVisible();
    await expect(row(table, 'unet-lr0.003')).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);

    // deleted runs of another experiment
    await list.getByRole('button', { name: /^precip-nowcast/ }).click();
    const precip = page.getByRole('table', { name: 'Runs of precip-nowcast' });
    await expect(row(precip, 'crashed-run')).toContainText('FAILED');
    await page.getByRole('combobox', { name: 'Which runs' }).last().selectOption('DELETED_ONLY');
    await expect(row(precip, 'deleted-run')).toBeVisible();
    await expect(row(precip, 'crashed-run')).toHaveCount(0);

    // the only console error: the browser logging the filter's 400
    expect(errors.filter(error => !/status of 400/.test(error))).toEqual([]);
  });

  test('keeps 10,000 runs smooth: pages, load more, server-side sort, few rows in the DOM', async ({ page }) => {
    const table = await openExperiment(page, /^generated-sweep/);
    await expect(page.getByText('100 runs loaded, more on the server')).toBeVisible();
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(page.getByText('200 runs loaded, more on the server')).toBeVisible();
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(page.getByText('300 runs loaded, more on the server')).toBeVisible();
    // only the rows in view are in the DOM
    expect(await table.getByRole('row').count()).toBeLessThan(80);
    await table.evaluate(node => (node.scrollTop = node.scrollHeight));
    await expect(table.getByRole('button', { name: /^sweep-097/ }).first()).toBeVisible();
    expect(await table.getByRole('row').count()).toBeLessThan(80);

    // with more runs on the server, MLflow sorts: the first page starts again in that order
    const header = table.getByRole('columnheader', { name: 'val_loss' });
    await header.getByRole('button').click();
    await expect(page.getByText('100 runs loaded, more on the server')).toBeVisible();
    const first = Number(await table.getByRole('row').nth(1).getByRole('cell').nth(7).textContent());
    const second = Number(await table.getByRole('row').nth(2).getByRole('cell').nth(7).textContent());
    expect(first).toBeLessThanOrEqual(second);
    await page.screenshot({ path: screenshotPath('mlflow-10k-runs') });
  });

  test('opens a run: params, metrics with min and max, tags, dataset, and a chart with drawn pixels', async ({
    page
  }) => {
    const table = await openExperiment(page, /^era5-downscaling/);
    await table.getByRole('button', { name: 'unet-lr0.001', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'unet-lr0.001' })).toBeVisible();
    const params = page.getByRole('table', { name: 'Parameters' });
    await expect(params.getByRole('row', { name: /lr 0\.001/ })).toBeVisible();
    const metrics = page.getByRole('table', { name: 'Metrics' });
    // latest, min, max and step of train_loss from its recorded history
    await expect(metrics.getByRole('row', { name: /train_loss/ })).toContainText(
      /0\.0582913\s*0\.0582913\s*1\.01279\s*29/
    );
    await expect(page.getByRole('table', { name: 'Tags' })).toContainText('prod');
    await expect(page.getByRole('table', { name: 'Datasets' })).toContainText('era5-t2m-sample');
    await expect(page.getByRole('table', { name: 'Datasets' })).toContainText('/data/era5/t2m_sample.parquet');

    await page.getByRole('tab', { name: 'Charts' }).click();
    const card = page.getByRole('region', { name: 'Chart of val_loss' });
    await expectChartDrawn(page, card);
    await page.getByRole('checkbox', { name: 'Log scale' }).check();
    await page.getByRole('combobox', { name: /X axis/ }).selectOption('relative');
    await expectChartDrawn(page, card);
    await page.screenshot({ path: screenshotPath('mlflow-run-charts-light') });
    await setTheme(page, 'JupyterLab Dark');
    await expectChartDrawn(page, card);
    await page.screenshot({ path: screenshotPath('mlflow-run-charts-dark') });
    await setTheme(page, 'JupyterLab Light');
  });

  test('loads a full history of 100,000 points on demand', async ({ page }) => {
    const table = await openExperiment(page, /^generated-sweep/);
    const header = table.getByRole('columnheader', { name: 'Started' });
    await header.getByRole('button').click();
    await table.getByRole('button', { name: 'sweep-00000', exact: true }).click();
    await page.getByRole('tab', { name: 'Charts' }).click();
    const card = page.getByRole('region', { name: 'Chart of val_loss' });
    await expect(card.getByText('321 points')).toBeVisible();
    await card.getByRole('button', { name: 'Full history' }).click();
    await expect(card.getByText('100,000 points (full history)')).toBeVisible({ timeout: 60_000 });
    await expectChartDrawn(page, card);
  });

  test('compares two runs, differences only, overlaid charts and params against a metric', async ({ page }) => {
    const table = await openExperiment(page, /^era5-downscaling/);
    await table.getByRole('checkbox', { name: 'Select run unet-lr0.001' }).check();
    await table.getByRole('checkbox', { name: 'Select run fno-lr0.0003' }).check();
    await expect(page.getByText('2 selected')).toBeVisible();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();

    const sideBySide = page.getByRole('table', { name: 'Runs side by side' });
    await expect(sideBySide.getByRole('row', { name: /^epochs/ })).toBeVisible();
    await page.getByRole('checkbox', { name: 'Differences only' }).check();
    await expect(sideBySide.getByRole('row', { name: /^lr 0\.001 0\.0003/ })).toBeVisible();
    await expect(sideBySide.getByRole('row', { name: /^arch unet fno/ })).toBeVisible();
    await expect(sideBySide.getByRole('row', { name: /^batch_size 16 32/ })).toBeVisible();
    // the same in both runs: hidden
    await expect(sideBySide.getByRole('row', { name: /^epochs/ })).toHaveCount(0);
    await expect(sideBySide.getByRole('row', { name: /^Experiment/ })).toHaveCount(0);
    await page.screenshot({ path: screenshotPath('mlflow-compare-light') });

    await page.getByRole('tab', { name: 'Charts' }).click();
    const card = page.getByRole('region', { name: 'Chart of val_loss' });
    await expectChartDrawn(page, card);
    await expect(card.getByRole('list', { name: 'Runs in the chart of val_loss' })).toContainText('fno-lr0.0003');
    await page.screenshot({ path: screenshotPath('mlflow-compare-charts-light') });

    await page.getByRole('tab', { name: 'Params vs metric' }).click();
    const plot = page.locator('.esdl-MlflowCompare-paramsPlot canvas');
    await expect(plot).toHaveAttribute('aria-label', /Parallel coordinates of .*lr/);
    const pixels = await drawnPixels(page, plot);
    expect(pixels.coloured).toBeGreaterThan(100);
    await page.getByRole('combobox', { name: 'View' }).selectOption('scatter');
    await expect(plot).toHaveAttribute('aria-label', /Scatter plot of/);
  });

  test('previews artifacts: text, JSON, CSV as a table, images; and downloads', async ({ page }) => {
    const table = await openExperiment(page, /^era5-downscaling/);
    await table.getByRole('button', { name: 'unet-lr0.001', exact: true }).click();
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    const tree = page.getByRole('tree', { name: 'Artifacts' });
    const preview = page.getByRole('region', { name: 'Artifact preview' });
    await tree.getByRole('button', { name: /config\.yaml/ }).click();
    await expect(preview.locator('pre')).toHaveText('model: unet\nlr: 0.001\ngrid: 0.25deg\n');
    await tree.getByRole('button', { name: /plots/ }).click();
    await tree.getByRole('button', { name: /skill\.csv/ }).click();
    const csv = preview.getByRole('table', { name: 'Table plots/skill.csv' });
    await expect(csv.getByRole('row')).toHaveCount(9);
    await expect(csv.getByRole('row').nth(8)).toContainText('42');
    await page.screenshot({ path: screenshotPath('mlflow-artifacts-light') });
    await tree.getByRole('button', { name: /reports/ }).click();
    await tree.getByRole('button', { name: /summary\.json/ }).click();
    await expect(preview.locator('pre')).toContainText('"lr": 0.001');
    const download = page.waitForEvent('download');
    await preview.getByRole('button', { name: 'Download' }).click();
    expect((await download).suggestedFilename()).toBe('summary.json');

    // an image artifact of a generated run
    await page
      .getByRole('list', { name: 'MLflow experiments' })
      .getByRole('button', { name: /^generated-sweep/ })
      .click();
    const sweep = page.getByRole('table', { name: 'Runs of generated-sweep' });
    await sweep.getByRole('button', { name: 'sweep-09999', exact: true }).click();
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page.getByRole('tree', { name: 'Artifacts' }).getByRole('button', { name: /plots/ }).first().click();
    await page
      .getByRole('tree', { name: 'Artifacts' })
      .getByRole('button', { name: /loss\.png/ })
      .click();
    const image = page.getByRole('img', { name: 'plots/loss.png' });
    await expect(image).toBeVisible();
    expect(await image.evaluate((node: HTMLImageElement) => node.naturalWidth)).toBe(96);
  });

  test('shows names, params, tags and notes with HTML or script as text', async ({ page }) => {
    let dialogs = 0;
    page.on('dialog', dialog => {
      dialogs++;
      void dialog.dismiss();
    });
    const table = await openExperiment(page, /^xss/);
    const name = '<img src=x onerror="window.__esdlXss=\'name\'">';
    await table.getByRole('button', { name, exact: true }).click();
    await expect(page.getByRole('heading', { name })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Parameters' })).toContainText(
      '<b>param</b><script>window.__esdlXss="param"</script>'
    );
    await expect(page.getByRole('table', { name: 'Tags' })).toContainText(
      '<a href="javascript:window.__esdlXss=\'tag\'">click</a>'
    );
    // the note is Markdown, sanitized: its heading renders, its script and handler do not
    const note = page.getByLabel('Run description');
    await expect(note.getByRole('heading', { name: 'A note with markup' })).toBeVisible();
    await expect(note.locator('script')).toHaveCount(0);
    await expect(note.locator('[onerror]')).toHaveCount(0);
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page
      .getByRole('tree', { name: 'Artifacts' })
      .getByRole('button', { name: /page\.html/ })
      .click();
    await expect(page.getByRole('region', { name: 'Artifact preview' }).locator('pre')).toContainText('<script>');
    await page.screenshot({ path: screenshotPath('mlflow-xss') });
    expect(await page.evaluate(() => (window as any).__esdlXss)).toBeUndefined();
    expect(await page.locator('img[onerror], a[href^="javascript:"]').count()).toBe(0);
    expect(dialogs).toBe(0);
  });

  test('every failure ends in a message: proxy errors, auth layer, missing artifact, stuck paging', async ({
    page
  }) => {
    // what the experiment search answers: the proxy's own errors (shapes of esdl_lab/errors.py) for MLflow
    // down, slow and not configured, the recorded 401 of MLflow's auth layer, or MLflow itself
    const proxyError = (status: number, reason: string, message: string) => ({
      status,
      contentType: 'application/json',
      body: JSON.stringify({ message, upstream: 'mlflow', reason })
    });
    const replies = {
      down: proxyError(
        502,
        'unreachable',
        'The MLflow tracking server at http://127.0.0.1:5000 refused the connection. Check that it is running, or fix c.ESDLLab.mlflow_url (or MLFLOW_TRACKING_URI).'
      ),
      slow: proxyError(504, 'timeout', 'The MLflow tracking server at http://x sent nothing for 60 s.'),
      unconfigured: proxyError(
        503,
        'unconfigured',
        'No MLflow tracking server is configured. Set MLFLOW_TRACKING_URI to its http(s) URL.'
      ),
      unauthenticated: {
        status: 401,
        contentType: 'text/html; charset=utf-8',
        body: recordedBody('auth-no-credentials.json.body')
      }
    };
    let reply: keyof typeof replies | 'mlflow' = 'down';
    await page.route('**/esdl-lab/mlflow/api/2.0/mlflow/experiments/search', route =>
      reply === 'mlflow' ? route.fallback() : route.fulfill(replies[reply])
    );
    await openMlflow(page);
    const alert = page.getByRole('alert').first();
    await expect(alert).toContainText(
      'Could not search experiments. The MLflow tracking server at http://127.0.0.1:5000 refused'
    );
    reply = 'slow';
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect(alert).toContainText(
      'Could not search experiments. The MLflow tracking server at http://x sent nothing for 60 s.'
    );
    reply = 'unconfigured';
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByText('No MLflow tracking server is configured.').first()).toBeVisible();
    await expect(page.getByText('c.ESDLLab.mlflow_url = "http://127.0.0.1:5000"')).toBeVisible();
    reply = 'unauthenticated';
    await page.getByRole('button', { name: 'Load the experiments again' }).click();
    await expect(alert).toContainText('You are not authenticated.');
    await expect(alert).toContainText('MLFLOW_TRACKING_USERNAME');
    reply = 'mlflow';
    await page.getByRole('button', { name: 'Load the experiments again' }).click();
    await expect(
      page.getByRole('list', { name: 'MLflow experiments' }).getByRole('button', { name: /^era5-downscaling/ })
    ).toBeVisible();

    // a missing artifact: MLflow's HTML 500
    await page.route('**/esdl-lab/mlflow/get-artifact?path=config.yaml*', route =>
      route.fulfill({
        status: 500,
        contentType: 'text/html; charset=utf-8',
        body: recordedBody('get-artifact-missing.json.body')
      })
    );
    // a page token that never advances: what MLflow 3.6 answers get-history without max_results
    await page.route('**/esdl-lab/mlflow/api/2.0/mlflow/metrics/get-history?*', route =>
      route.fulfill({ status: 200, contentType: 'application/json', body: recordedBody('metrics-get-history.json') })
    );
    await page
      .getByRole('list', { name: 'MLflow experiments' })
      .getByRole('button', { name: /^era5-downscaling/ })
      .click();
    const table = page.getByRole('table', { name: 'Runs of era5-downscaling' });
    await table.getByRole('button', { name: 'unet-lr0.001', exact: true }).click();
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page
      .getByRole('tree', { name: 'Artifacts' })
      .getByRole('button', { name: /config\.yaml/ })
      .click();
    const preview = page.getByRole('region', { name: 'Artifact preview' });
    await expect(preview.getByRole('alert')).toContainText(
      "The MLflow server failed to read artifact 'config.yaml' of run 2983c368d70a4f539d9fc2bf74827064 (HTTP 500: 500 Internal Server Error.)"
    );
    await expect(preview.getByRole('alert')).toContainText('missing from the artifact store');
    await page.getByRole('tab', { name: 'Charts' }).click();
    const card = page.getByRole('region', { name: 'Chart of train_loss' });
    await card.getByRole('button', { name: 'Full history' }).click();
    await expect(card.getByRole('status')).toContainText('did not advance');
    await page.screenshot({ path: screenshotPath('mlflow-failures') });
  });
});
