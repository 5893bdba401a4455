import { expect, test } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import { collectErrors, screenshotPath, setTheme } from './helpers';

test.use({ autoGoto: false });

type RGB = [number, number, number];

/** The colours of a screenshot of an element at points given in degrees, for a map that fits the world's width
 * (the viewer's first view: centre 0°, 0°, Web Mercator). */
async function coloursAt(page: Page, map: Locator, places: [number, number][]): Promise<RGB[]> {
  const box = (await map.boundingBox())!;
  const png = await map.screenshot();
  return page.evaluate(
    async ({ base64, width, height, places }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const scale = image.width / width;
      return places.map(([lon, lat]) => {
        const x = width / 2 + (lon / 360) * width;
        const merc = Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
        const y = height / 2 - (merc / (2 * Math.PI)) * width;
        const [r, g, b] = context.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data;
        return [r, g, b] as [number, number, number];
      });
    },
    { base64: png.toString('base64'), width: box.width, height: box.height, places }
  );
}

async function openCoadsFromCatalogue(page: Page): Promise<Locator> {
  await page.goto();
  // the catalogue's "open in viewer" for one variable, once the catalogue has listed the dataset
  await page.locator('body').press('Control+Shift+Y');
  // the first request starts the managed cube server
  await expect(
    page.locator('#esdl-lab-catalog').getByRole('listitem', { name: /^COADS monthly climatology/ })
  ).toBeVisible({ timeout: 60_000 });
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('esdl-lab:catalog-open-in-viewer', {
      server: 'demo',
      dataset: 'coads',
      variable: 'SST'
    })
  );
  const viewer = page.locator('.jp-MainAreaWidget .esdl-Viewer');
  await expect(viewer.getByText('0000-01-16 (1/12)')).toBeVisible();
  await tilesLoaded(viewer);
  return viewer;
}

async function tilesLoaded(viewer: Locator): Promise<void> {
  const status = viewer.locator('.esdl-Viewer-status');
  await expect(status).toHaveText(/^[1-9]\d* tiles, \d+ KiB$/);
  // the new layer replaces the old one once drawn
  await viewer.page().waitForTimeout(500);
}

test.describe('Map viewer', () => {
  test('COADS SST from the catalogue: warm tropics, the land mask over Antarctica, a legend with units', async ({
    page
  }) => {
    const errors = collectErrors(page);
    const viewer = await openCoadsFromCatalogue(page);
    const map = viewer.locator('.esdl-Viewer-map');
    const [pacific, antarctica, sahara, northAtlantic] = await coloursAt(page, map, [
      [-140, 0],
      [30, -80],
      [10, 20],
      [-30, 55]
    ]);
    // RdYlBu reversed from -2 to 32 °C: the equatorial Pacific in January is red, the North Atlantic blue-ish
    expect(pacific[0]).toBeGreaterThan(180);
    expect(pacific[2]).toBeLessThan(120);
    expect(northAtlantic[2]).toBeGreaterThan(northAtlantic[0]);
    // no data over land: the basemap's land colour shows, the same grey over Antarctica as over the Sahara
    expect(Math.max(...antarctica) - Math.min(...antarctica)).toBeLessThan(12);
    expect(antarctica.map((c, i) => Math.abs(c - sahara[i])).every(d => d < 12)).toBe(true);
    // the value under the cursor, from the cube server
    const box = (await map.boundingBox())!;
    await map.hover({ position: { x: box.width / 2 + (-140 / 360) * box.width, y: box.height / 2 } });
    await expect(viewer.getByLabel('Value under the cursor')).toHaveText(
      /^2\d\.\d+ degC at \d\.\d° [NS] 1[34]\d\.\d° W$/
    );
    await expect(viewer.getByLabel('Colour bar of SST')).toContainText('Sea surface temperature (degC)');
    await expect(viewer.getByLabel('Minimum')).toHaveValue('-2');
    await expect(viewer.getByLabel('Maximum')).toHaveValue('32');
    await page.screenshot({ path: screenshotPath('viewer-coads-light') });
    // the same variable as a 3D cube
    await viewer.getByRole('button', { name: '3D cube' }).click();
    await expect(page.locator('.jp-MainAreaWidget .esdl-Cube3D').first()).toBeVisible();
    // the catalogue's offline and garbage test servers fail on purpose: only script errors count
    expect(errors.filter(error => !error.startsWith('Failed to load resource'))).toEqual([]);
  });

  test('the time slider asks for the tiles of the new time; a click gives a 12-step time series', async ({ page }) => {
    const viewer = await openCoadsFromCatalogue(page);
    const requested: string[] = [];
    page.on('request', request => {
      if (request.url().includes('/esdl-lab/cubes/demo/tiles/coads/SST/')) {
        requested.push(new URL(request.url()).searchParams.get('time') ?? '');
      }
    });
    await viewer.getByRole('button', { name: 'Next' }).click();
    await expect(viewer.getByText(/0000-02-1\d \(2\/12\)/)).toBeVisible();
    await expect.poll(() => requested.some(time => time.startsWith('0000-02-1'))).toBe(true);
    await tilesLoaded(viewer);
    await viewer.getByRole('slider', { name: 'Time step' }).fill('6');
    await expect(viewer.getByText(/0000-07-1\d \(7\/12\)/)).toBeVisible();
    await expect.poll(() => requested.some(time => time.startsWith('0000-07-1'))).toBe(true);

    // play at 8 steps per second: the steps move on by themselves, until Stop
    await viewer.getByRole('combobox', { name: 'Speed' }).selectOption('8');
    await viewer.getByRole('button', { name: 'Play' }).click();
    await expect(viewer.getByText(/\((8|9|10|11|12|1|2)\/12\)/)).toBeVisible();
    await viewer.getByRole('button', { name: 'Stop' }).click();
    await viewer.getByRole('button', { name: 'Last' }).click();
    await expect(viewer.getByText(/\(12\/12\)/)).toBeVisible();
    // a click in the tropical Pacific: its time series
    const map = viewer.locator('.esdl-Viewer-map');
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: box.width / 2 + (-140 / 360) * box.width, y: box.height / 2 } });
    const places = viewer.getByRole('region', { name: 'Time series of places' });
    await expect(places.getByText(/SST at 0\.\d° [NS] 140\.\d° W · 12 steps/)).toBeVisible();
    const chart = places.getByRole('img', { name: 'Time series chart of 1 places' });
    await chart.hover();
    await expect(places.locator('.esdl-Viewer-hover')).toContainText(/0000-\d\d-\d\d: 2\d\.\d+ degC/);
    await page.screenshot({ path: screenshotPath('viewer-time-series-light') });
    await setTheme(page, 'JupyterLab Dark');
    await page.screenshot({ path: screenshotPath('viewer-time-series-dark') });
    await setTheme(page, 'JupyterLab Light');
  });

  test('an area drawn on the map: its mean, median or mean ± std over time', async ({ page }) => {
    const viewer = await openCoadsFromCatalogue(page);
    const map = viewer.locator('.esdl-Viewer-map');
    const box = (await map.boundingBox())!;
    const at = (lon: number, lat: number) => {
      const merc = Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
      return { x: box.width / 2 + (lon / 360) * box.width, y: box.height / 2 - (merc / (2 * Math.PI)) * box.width };
    };
    await viewer.getByRole('button', { name: 'Draw area' }).click();
    for (const [lon, lat] of [
      [-160, 10],
      [-120, 10],
      [-120, -10],
      [-160, -10]
    ]) {
      await map.click({ position: at(lon, lat) });
      await page.waitForTimeout(300);
    }
    await viewer.getByRole('button', { name: 'Finish area (4 corners)' }).click();
    const places = viewer.getByRole('region', { name: 'Time series of places' });
    await expect(places.getByText(/SST at area from \d+\.\d° N 1[56]\d\.\d° W · 12 steps/)).toBeVisible();
    await places.getByRole('combobox', { name: 'Areas show' }).selectOption('meanstd');
    await places.getByRole('img', { name: 'Time series chart of 1 places' }).hover();
    await expect(places.locator('.esdl-Viewer-hover')).toContainText(/0000-\d\d-\d\d: 2\d\.\d+ degC/);
    await page.screenshot({ path: screenshotPath('viewer-area') });
  });

  test('compare: a second map of another variable and time beside the first, each with its colour bar', async ({
    page
  }) => {
    const viewer = await openCoadsFromCatalogue(page);
    const requested: string[] = [];
    page.on('request', request => {
      if (request.url().includes('/esdl-lab/cubes/demo/tiles/coads/')) {
        requested.push(new URL(request.url()).pathname.split('/')[6]);
      }
    });
    await viewer.getByRole('button', { name: 'Compare' }).click();
    const second = viewer.getByRole('region', { name: 'Comparison map' });
    await expect(second.getByRole('combobox', { name: 'Comparison time' })).toHaveValue('1');
    await second.getByRole('combobox', { name: 'Comparison variable' }).selectOption('AIRT');
    await expect.poll(() => requested.includes('AIRT')).toBe(true);
    await expect(viewer.getByLabel('Colour bar of SST')).toBeVisible();
    await expect(second.getByLabel('Colour bar of AIRT')).toBeVisible();
    await tilesLoaded(second);
    await page.screenshot({ path: screenshotPath('viewer-compare') });
    // both maps show the same view: its centre (0° N 0° E, the Gulf of Guinea) is warm in both
    const [sst] = await coloursAt(
      page,
      viewer.getByRole('region', { name: 'Map', exact: true }).locator('.esdl-Viewer-map'),
      [[0, 0]]
    );
    const [airt] = await coloursAt(page, second.locator('.esdl-Viewer-map'), [[0, 0]]);
    for (const colour of [sst, airt]) {
      expect(colour[0]).toBeGreaterThan(180);
      expect(colour[2]).toBeLessThan(120);
    }
    await viewer.getByRole('button', { name: 'Compare' }).click();
    await expect(second).toHaveCount(0);
  });

  test('Levitus: a depth selector, a log scale and a range fitted to the data', async ({ page }) => {
    await page.goto();
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('esdl-lab:open-viewer', {
        server: 'demo',
        dataset: 'levitus',
        variable: 'TEMP'
      })
    );
    const viewer = page.locator('.jp-MainAreaWidget .esdl-Viewer');
    await tilesLoaded(viewer);
    const requested: string[] = [];
    page.on('request', request => {
      if (request.url().includes('/tiles/levitus/TEMP/')) {
        requested.push(request.url());
      }
    });
    const depth = viewer.getByRole('combobox', { name: 'depth' });
    await expect(depth).toHaveValue('0');
    const labels = await depth.locator('option').allTextContents();
    expect(labels.length).toBeGreaterThan(5);
    await depth.selectOption({ index: 5 });
    await expect
      .poll(() => requested.some(url => new URL(url).searchParams.get('depth') === labels[5].split(' ')[0]))
      .toBe(true);
    // a log scale needs a positive range: the minimum moves above zero
    await viewer.getByRole('checkbox', { name: 'Log scale' }).check();
    await expect.poll(() => requested.some(url => new URL(url).searchParams.get('norm') === 'log')).toBe(true);
    expect(Number(await viewer.getByLabel('Minimum').inputValue())).toBeGreaterThan(0);
    await tilesLoaded(viewer);
    await viewer.getByRole('checkbox', { name: 'Log scale' }).uncheck();
    const before = await viewer.getByLabel('Maximum').inputValue();
    await viewer.getByRole('button', { name: 'Fit to data' }).click();
    await expect(viewer.getByLabel('Maximum')).not.toHaveValue(before);
    const [low, high] = [
      Number(await viewer.getByLabel('Minimum').inputValue()),
      Number(await viewer.getByLabel('Maximum').inputValue())
    ];
    expect(low).toBeLessThan(high);
    expect(high).toBeLessThan(35);
    await tilesLoaded(viewer);
    await page.screenshot({ path: screenshotPath('viewer-levitus-depth') });
  });

  test('a shared link opens JupyterLab with the same view', async ({ page }) => {
    const state = { server: 'demo', dataset: 'coads', variable: 'AIRT', time: '0000-04-16', vmin: 0, vmax: 30 };
    await page.goto();
    // a plain navigation, as a browser opening the link does (galata's goto waits for the launcher)
    await page.evaluate(
      search => window.location.assign(`${window.location.pathname}?${search}`),
      `esdl-viewer=${encodeURIComponent(JSON.stringify(state))}`
    );
    const viewer = page.locator('.jp-MainAreaWidget .esdl-Viewer');
    await expect(viewer.getByText(/0000-04-1\d \(4\/12\)/)).toBeVisible();
    await expect(viewer.getByLabel('Colour bar of AIRT')).toBeVisible();
    await expect(viewer.getByLabel('Maximum')).toHaveValue('30');
    await tilesLoaded(viewer);
  });

  test('a missing dataset or variable is a message in the viewer, not a blank map', async ({ page }) => {
    await page.goto();
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('esdl-lab:open-viewer', {
        server: 'demo',
        dataset: 'coads',
        variable: 'NOPE'
      })
    );
    const viewer = page.locator('.jp-MainAreaWidget .esdl-Viewer');
    await expect(viewer.getByRole('alert')).toContainText("The dataset 'coads' has no variable 'NOPE' (it has AIRT");
    await viewer.getByRole('combobox', { name: 'Dataset' }).selectOption('navy_winds');
    await expect(viewer.getByRole('alert')).toHaveCount(0);
    await tilesLoaded(viewer);
  });

  test('esdl_lab.show of an xarray dataset made in the notebook draws it', async ({ page }) => {
    await page.goto();
    await page.notebook.createNew('local.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(
      0,
      'code',
      [
        'import numpy as np, xarray as xr, esdl_lab',
        'lat = np.linspace(-89, 89, 90); lon = np.linspace(-179, 179, 180)',
        'ds = xr.Dataset({"band": (("lat", "lon"), np.where(np.abs(lat)[:, None] < 30, 1.0, 0.0) * np.ones((90, 180)))},',
        '                coords={"lat": lat, "lon": lon})',
        'esdl_lab.show(ds, name="bands", vmin=0, vmax=1, cmap="viridis")'
      ].join('\n')
    );
    await page.notebook.runCell(0, true);
    const output = page.locator('.esdl-ViewerOutput .esdl-Viewer');
    await tilesLoaded(output);
    // viridis: the tropical band yellow (1), the rest purple (0)
    const [tropics, north] = await coloursAt(page, output.locator('.esdl-Viewer-map'), [
      [-140, 0],
      [-160, 50]
    ]);
    expect(tropics[0]).toBeGreaterThan(200);
    expect(tropics[1]).toBeGreaterThan(180);
    expect(north[2]).toBeGreaterThan(north[1]);
    await page.screenshot({ path: screenshotPath('viewer-notebook-xarray') });
  });

  test('esdl_lab.show in a notebook draws a live map in the output', async ({ page }) => {
    await page.goto();
    await page.notebook.createNew('viewer.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'import esdl_lab\nesdl_lab.show("coads", "SST", time="0000-08-16")');
    await page.notebook.runCell(0, true);
    const output = page.locator('.esdl-ViewerOutput .esdl-Viewer');
    await expect(output.getByText('0000-08-16 (8/12)')).toBeVisible();
    await tilesLoaded(output);
    const [pacific] = await coloursAt(page, output.locator('.esdl-Viewer-map'), [[-140, 0]]);
    expect(pacific[0]).toBeGreaterThan(180);
    await page.screenshot({ path: screenshotPath('viewer-notebook') });
  });
});
