import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { collectErrors, screenshotPath, setTheme as setThemeName } from './helpers';

/** Switches the theme and waits for JupyterLab's splash screen, shown while it changes, to go. */
async function setTheme(page: IJupyterLabPageFixture, theme: 'JupyterLab Light' | 'JupyterLab Dark'): Promise<void> {
  await setThemeName(page, theme);
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
}

/** Opens the catalogue sidebar with its keyboard shortcut and returns it. */
async function openCatalog(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.locator('body').press('Control+Shift+Y');
  const panel = page.locator('#esdl-lab-catalog');
  await expect(panel).toBeVisible();
  return panel;
}

/**
 * The console errors that are not the browser's own note of a failed request (the offline and garbage
 * servers fail on purpose, and a broken `<img src=x>` would fail only if it had become an element).
 */
function scriptErrors(errors: string[]): string[] {
  return errors.filter(error => !error.startsWith('Failed to load resource'));
}

async function search(panel: Locator, text: string): Promise<void> {
  const box = panel.getByRole('searchbox', { name: 'Search datasets' });
  await box.fill('');
  await box.pressSequentially(text, { delay: 20 });
}

test.describe('Data catalogue', () => {
  test('finds COADS SST by its long name, shows its details, and its code runs in a kernel', async ({ page }) => {
    const errors = collectErrors(page);
    const panel = await openCatalog(page);
    const list = panel.getByRole('list', { name: 'Datasets' });
    await expect(list.getByRole('listitem', { name: /COADS/ })).toBeVisible({ timeout: 60_000 });

    await search(panel, 'sea surface');
    const coads = list.getByRole('listitem', { name: /COADS/ });
    await expect(coads).toBeVisible();
    await expect(coads.getByRole('list', { name: 'Variables' })).toContainText('SST');
    await expect(panel.getByRole('status').first()).toContainText(/\d+ of \d+ datasets/);
    // the preview tile came through the proxy
    await expect(coads.locator('.esdl-Catalog-preview img')).toBeVisible({ timeout: 30_000 });

    await coads.getByRole('button', { name: /COADS/ }).click();
    const details = page.getByRole('article', { name: /Details of COADS/ });
    await expect(details).toBeVisible();
    await expect(details.getByRole('img', { name: "Map of the dataset's extent" })).toBeVisible();
    await expect(details.locator('.esdl-Details-bbox')).toContainText(/1[78]\d(\.\d+)?°W – 1[78]\d(\.\d+)?°E/);
    const sst = details.getByRole('row', { name: 'SST' });
    await expect(sst).toContainText(/deg/i);
    const provenance = details.getByRole('region', { name: 'Provenance' });
    await expect(provenance).toContainText('esdl-cube-gen');
    await expect(provenance).toContainText('coads_climatology.cdf');
    await expect(provenance.getByRole('heading', { name: 'Processing steps' })).toBeVisible();
    await page.screenshot({ path: screenshotPath('catalog-details-light') });
    await setTheme(page, 'JupyterLab Dark');
    await page.screenshot({ path: screenshotPath('catalog-details-dark') });
    await setTheme(page, 'JupyterLab Light');

    // a notebook opens in front of the details; back to them, and insert from there
    await page.notebook.createNew('coads.ipynb', { kernel: 'python3' });
    await page.getByRole('main').getByRole('tab', { name: /COADS/ }).click();
    await details.getByRole('button', { name: 'Insert code cell' }).first().click();
    await expect.poll(() => page.notebook.getCellTextInput(1)).toContain('/s3/datasets/coads.zarr');
    await page.notebook.runCell(1, true);
    const output = (await page.notebook.getCellTextOutput(1))?.join('\n') ?? '';
    expect(output).toContain("'time': 12");
    expect(output).toContain("'lat': 90");
    expect(output).toContain("'lon': 180");
    await page.screenshot({ path: screenshotPath('catalog-notebook') });
    expect(scriptErrors(errors)).toEqual([]);
  });

  test('lists a real xcube server, keeps an error row for a server that answers HTML', async ({ page }) => {
    const panel = await openCatalog(page);
    const list = panel.getByRole('list', { name: 'Datasets' });
    // only the rows in view are in the page: keep to the recorded server's datasets
    await panel.getByRole('button', { name: 'Show filters' }).click();
    const filters = panel.getByRole('group', { name: 'Filters' });
    await filters.getByLabel('Server').selectOption({ label: 'Recorded xcube 1.7.1' });
    await expect(list.getByRole('listitem', { name: 'Synthetic demo cube' })).toBeVisible({ timeout: 60_000 });
    await expect(list.getByRole('listitem', { name: /xcube demo cube \(SNS/ })).toBeVisible();

    const garbage = panel.getByRole('alert', { name: 'Cube server Garbage server failed' });
    await expect(garbage).toContainText('GET /datasets?details=1 failed');
    await expect(garbage).toContainText('an HTML page');
    await expect(garbage).toContainText('xcube-compatible');
    const offline = panel.getByRole('alert', { name: 'Cube server Offline cube server failed' });
    await expect(offline).toContainText('c.ESDLLab.cube_servers');

    // filters: a variable only the SNS cube has, and a box drawn on the map around the North Sea
    await filters.getByLabel('Variable').selectOption('conc_chl');
    await expect(list.getByRole('listitem', { name: 'Synthetic demo cube' })).toHaveCount(0);
    await expect(list.getByRole('listitem', { name: /xcube demo cube \(SNS/ })).toBeVisible();
    await filters.getByLabel('Variable').selectOption('');
    const map = filters.getByRole('img', { name: /Area filter map/ });
    const box = (await map.boundingBox())!;
    const at = (lon: number, lat: number) => [
      box.x + ((lon + 180) / 360) * box.width,
      box.y + ((90 - lat) / 180) * box.height
    ];
    const [x0, y0] = at(-5, 60);
    const [x1, y1] = at(10, 48);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 5 });
    await page.mouse.up();
    await expect(filters.getByLabel('West')).not.toHaveValue('');
    await filters.getByLabel('North').fill('40');
    await filters.getByLabel('South').fill('30');
    await filters.getByLabel('West').fill('100');
    await filters.getByLabel('East').fill('110');
    await expect(list.getByRole('listitem', { name: /xcube demo cube \(SNS/ })).toHaveCount(0);
    await expect(list.getByRole('listitem', { name: 'Synthetic demo cube' })).toBeVisible();

    await search(panel, 'no such dataset anywhere');
    await expect(panel.getByText(/No dataset matches “no such dataset anywhere” with these filters/)).toBeVisible();
    await panel.getByRole('button', { name: 'Clear search and filters' }).click();
    await expect(panel.getByRole('status').first()).toHaveText(/^\d+ datasets/);

    await panel.getByRole('button', { name: 'Hide filters' }).click();
    await search(panel, 'recorded');
    await expect(list.locator('.esdl-Catalog-preview img').first()).toBeVisible();
    await page.screenshot({ path: screenshotPath('catalog-light') });

    // a real xcube server's details: no provenance, no Zarr metadata, and it says so
    await list.getByRole('button', { name: /xcube demo cube \(SNS/ }).click();
    const details = page.getByRole('article', { name: /Details of xcube demo cube/ });
    await expect(details.getByRole('row', { name: 'conc_chl' })).toContainText('mg m^-3');
    await expect(details.getByRole('region', { name: 'Provenance' })).toContainText('no esdl_provenance attribute');
    await expect(details.getByText(/Chunks are unknown/)).toBeVisible();
    await expect(details.locator('.esdl-WorldMap-land')).toBeVisible();
    await page.screenshot({ path: screenshotPath('catalog-details-xcube-light') });
    await setTheme(page, 'JupyterLab Dark');
    await page.screenshot({ path: screenshotPath('catalog-details-xcube-dark') });
    await page.getByRole('tab', { name: 'Launcher' }).click();
    await page.screenshot({ path: screenshotPath('catalog-dark') });
    await setTheme(page, 'JupyterLab Light');
  });

  test("a real xcube dataset's code cell runs in a kernel and prints its dimensions", async ({ page }) => {
    const errors = collectErrors(page);
    await page.notebook.createNew('xcube.ipynb', { kernel: 'python3' });
    const panel = await openCatalog(page);
    await search(panel, 'synthetic');
    const row = panel.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'Synthetic demo cube' });
    await expect(row).toBeVisible({ timeout: 60_000 });
    await row.hover();
    await row.getByRole('button', { name: 'Insert code cell' }).click();
    await expect
      .poll(() => page.notebook.getCellTextInput(1))
      .toMatch(/http:\/\/127\.0\.0\.1:\d+\/s3\/datasets\/demo\.zarr/);
    await page.notebook.runCell(1, true);
    const output = (await page.notebook.getCellTextOutput(1))?.join('\n') ?? '';
    expect(output).toContain("{'time': 10, 'lat': 360, 'lon': 720}");
    expect(scriptErrors(errors)).toEqual([]);
  });

  test('dragging a dataset onto a notebook creates its code cell', async ({ page }) => {
    await page.notebook.createNew('drop.ipynb', { kernel: 'python3' });
    const panel = await openCatalog(page);
    await search(panel, 'synthetic');
    const row = panel.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'Synthetic demo cube' });
    await expect(row).toBeVisible({ timeout: 60_000 });
    const target = page.locator('.jp-NotebookPanel .jp-Cell').first();
    const from = (await row.locator('.esdl-Catalog-meta').boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + 10, from.y + 5);
    await page.mouse.down();
    await page.mouse.move(from.x + 40, from.y + 20, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
    await page.mouse.up();
    await expect(page.locator('.jp-NotebookPanel .jp-Cell')).toHaveCount(2);
    const sources = await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.content.model.sharedModel.cells.map((cell: any) => cell.source)
    );
    expect(sources.join('\n')).toContain('/s3/datasets/demo.zarr');
    expect(sources.join('\n')).toContain('xr.open_zarr(');
  });

  test('metadata with HTML and script is shown as text, and nothing of it runs', async ({ page }) => {
    const errors = collectErrors(page);
    const panel = await openCatalog(page);
    await search(panel, 'hostile');
    const list = panel.getByRole('list', { name: 'Datasets' });
    const row = list.getByRole('listitem', { name: /^Hostile cube <img src=x onerror=/ });
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(row.locator('.esdl-Catalog-tags')).toContainText('<script>');
    await row.getByRole('button', { name: /^Hostile cube/ }).click();
    const details = page.getByRole('article', { name: /Details of Hostile cube/ });
    await expect(details).toBeVisible();
    await expect(details.getByRole('heading', { level: 1 })).toContainText('<img src=x onerror=');
    await expect(details.locator('.esdl-Details-description strong')).toHaveText('bold');
    await details.getByText(/All attributes/).click();
    await expect(details.locator('.esdl-Details-attributes')).toContainText('key-<img src=x');
    await expect(details.getByRole('region', { name: 'Provenance' })).toContainText('<script>');
    await expect(details.getByRole('region', { name: 'Known limitations' })).toContainText('<img');
    // a DOI only ever links to doi.org
    const doi = details.getByRole('region', { name: 'Use and citation' }).getByRole('link');
    await expect(doi).toHaveAttribute('href', /^https:\/\/doi\.org\//);

    // give any handler a chance to run
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => (window as any).__esdlPwned ?? null)).toBeNull();
    expect(await page.locator('img[onerror], [onerror], iframe[src^="javascript"]').count()).toBe(0);
    expect(await page.locator('#esdl-lab-catalog script, .esdl-Details script').count()).toBe(0);
    expect(await page.locator('.esdl-Details a[href^="javascript"]').count()).toBe(0);
    expect(scriptErrors(errors)).toEqual([]);
    await page.screenshot({ path: screenshotPath('catalog-hostile') });
  });

  test('is restored across reloads, with its details and its search', async ({ page }) => {
    const panel = await openCatalog(page);
    await search(panel, 'synthetic');
    const row = panel.getByRole('list', { name: 'Datasets' }).getByRole('listitem', { name: 'Synthetic demo cube' });
    await expect(row).toBeVisible({ timeout: 60_000 });
    await row.getByRole('button', { name: 'Synthetic demo cube' }).click();
    await expect(page.getByRole('article', { name: 'Details of Synthetic demo cube' })).toBeVisible();
    // the layout is saved a moment after it changes
    await page.waitForTimeout(2000);
    // a plain reload: galata's own waits for the file browser, which the catalogue hides
    await page.evaluate(() => window.location.reload());
    await page.waitForLoadState('load');
    await page.waitForFunction(() => (window as any).jupyterapp?.isPluginActivated('@esdl-lab/labextension:catalog'));
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(page.locator('#esdl-lab-catalog')).toBeVisible();
    await expect(page.getByRole('searchbox', { name: 'Search datasets' })).toHaveValue('synthetic');
    await expect(page.getByRole('article', { name: 'Details of Synthetic demo cube' })).toBeVisible({
      timeout: 60_000
    });
    // recently used comes first when sorting by it
    await page.locator('#esdl-lab-catalog').getByLabel('Sort by').selectOption('recent');
    await page.locator('#esdl-lab-catalog').getByLabel('Group by').selectOption('none');
    const first = page.locator('#esdl-lab-catalog .esdl-Catalog-item').first();
    await expect(first).toHaveAttribute('aria-label', 'Synthetic demo cube');
  });
});
