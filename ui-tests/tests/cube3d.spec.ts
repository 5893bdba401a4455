import { expect, test } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import { colormapTable, mapColours } from '../../packages/cube3d/src/colormaps';
import { collectErrors, screenshotPath } from './helpers';

test.use({ autoGoto: false });

type RGB = [number, number, number];

/** The colour of each point (in CSS pixels of the element) of a screenshot of an element. */
async function coloursAt(page: Page, element: Locator, points: [number, number][]): Promise<RGB[]> {
  const box = (await element.boundingBox())!;
  const png = await element.screenshot();
  return page.evaluate(
    async ({ base64, width, points }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const scale = image.width / width;
      return points.map(([x, y]) => {
        const [r, g, b] = context.getImageData(Math.floor(x * scale), Math.floor(y * scale), 1, 1).data;
        return [r, g, b] as RGB;
      });
    },
    { base64: png.toString('base64'), width: box.width, points }
  );
}

/** How many pixels of a screenshot of an element differ from its first (background) pixel. */
async function drawnPixels(page: Page, element: Locator): Promise<number> {
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
    const data = context.getImageData(0, 0, image.width, image.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 30) {
        count++;
      }
    }
    return count;
  }, png.toString('base64'));
}

async function openCoadsSst(page: Page): Promise<Locator> {
  await page.goto();
  await page.waitForFunction(() => (window as any).jupyterapp.commands.hasCommand('esdl-lab:open-cube3d'));
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('esdl-lab:open-cube3d', {
      server: 'demo',
      dataset: 'coads',
      variable: 'SST'
    })
  );
  const cube = page.locator('.jp-MainAreaWidget .esdl-Cube3D');
  await expect(cube.locator('.esdl-Cube3D-status')).toHaveText(/^[1-9]\d* chunks, \d+ KiB fetched$/);
  return cube;
}

test.describe('3D cube', () => {
  test('COADS SST: six faces drawn, dates and degrees, warm tropics and cold high latitudes', async ({ page }) => {
    const errors = collectErrors(page);
    const cube = await openCoadsSst(page);
    await expect(cube.locator('.esdl-Cube3D-title')).toHaveText('Sea surface temperature (degC) — coads');
    const viewport = cube.locator('.esdl-Cube3D-viewport');
    const labels = cube.locator('.esdl-Cube3D-label');
    await expect(labels).toHaveText(['179°W', '179°E', '89°N', '89°S', '0000-01-16', '0000-12-16']);
    expect(await drawnPixels(page, viewport)).toBeGreaterThan(20_000);
    await page.screenshot({ path: screenshotPath('cube3d-coads-isometric') });

    // face-on: the front face is January; walk down its middle (0° E) reading the value under the cursor
    await cube.getByRole('button', { name: 'Front' }).click();
    const box = (await viewport.boundingBox())!;
    const readout = cube.getByRole('status', { name: 'Value under the cursor' });
    const samples: { lat: number; value: number; at: [number, number] }[] = [];
    for (let step = box.height * 0.05; step < box.height * 0.95; step += box.height / 60) {
      // at pixel centres: the cell under the cursor is the cell drawn at that pixel of the screenshot
      const y = Math.floor(step) + 0.5;
      await viewport.hover({ position: { x: Math.floor(box.width / 2) + 0.5, y } });
      const text = (await readout.textContent()) ?? '';
      const match = /^SST (-?[\d.]+) degC at ([\d.]+)°([NS]), [\d.]+°[EW], 0000-01-16/.exec(text);
      if (match) {
        const lat = Number(match[2]) * (match[3] === 'S' ? -1 : 1);
        samples.push({ lat, value: Number(match[1]), at: [Math.floor(box.width / 2) + 0.5, y] });
      }
    }
    const tropics = samples.filter(s => Math.abs(s.lat) <= 5);
    const high = samples.filter(s => Math.abs(s.lat) >= 55 && Math.abs(s.lat) <= 65);
    expect(tropics.length).toBeGreaterThan(0);
    expect(high.length).toBeGreaterThan(0);
    // north up: latitudes fall as the cursor moves down
    expect(samples[0].lat).toBeGreaterThan(samples[samples.length - 1].lat);
    expect(tropics.every(s => s.value > 22)).toBe(true);
    expect(high.every(s => s.value < 12)).toBe(true);
    // RdYlBu reversed from -2 to 32 °C: red where warm, blue where cold
    const warm = await coloursAt(
      page,
      viewport,
      tropics.map(s => s.at)
    );
    const cold = await coloursAt(
      page,
      viewport,
      high.map(s => s.at)
    );
    expect(warm.every(([r, , b]) => r > b + 60)).toBe(true);
    expect(cold.every(([r, , b]) => b > r + 40)).toBe(true);
    // the GPU's colour of a cell is the CPU mapping (mapColours) of the value the readout shows (within the
    // readout's four digits; one point may fall on a cell's edge, where raycast and raster may disagree)
    const table = colormapTable('RdYlBu_r');
    const drawn = await coloursAt(
      page,
      viewport,
      samples.map(s => s.at)
    );
    const matching = samples.filter((s, i) =>
      [-0.05, 0, 0.05].some(delta => {
        const expected = mapColours([s.value + delta], table, -2, 32);
        return drawn[i].every((c, k) => Math.abs(c - expected[k]) <= 2);
      })
    );
    expect(matching.length).toBeGreaterThanOrEqual(samples.length - 1);
    await page.screenshot({ path: screenshotPath('cube3d-coads-front') });
    await expect(cube.getByRole('img', { name: 'Colour bar: RdYlBu_r from -2 to 32 degC' })).toBeVisible();
    // SST goes below 0 °C: no log scale, and a message that says why
    await cube.getByLabel('log').click();
    await expect(cube.getByRole('alert')).toHaveText('A log scale needs a minimum above 0.');
    await expect(cube.getByLabel('log')).not.toBeChecked();
    expect(errors).toEqual([]);
  });

  test('dragging the front face moves it through time; the arrow keys step it back', async ({ page }) => {
    const errors = collectErrors(page);
    const cube = await openCoadsSst(page);
    await cube.getByRole('button', { name: 'Front' }).click();
    const viewport = cube.locator('.esdl-Cube3D-viewport');
    const slice = cube.getByLabel('Selected face');
    await expect(slice).toHaveText('Front face: time 1 of 12 (0000-01-16)');
    const january = await viewport.screenshot();
    const box = (await viewport.boundingBox())!;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    // face-on, a drag upwards pushes the face into the cube: 6 pixels a step
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x, y - 33, { steps: 6 });
    await page.mouse.up();
    await expect(slice).toHaveText(/^Front face: time 6 of 12 \(0000-06-1\d/);
    await expect(cube.locator('.esdl-Cube3D-status')).toHaveText(/^[1-9]\d* chunks, \d+ KiB fetched$/);
    await expect(cube.locator('.esdl-Cube3D-label').nth(4)).toHaveText(/^0000-06-1\d/);
    const june = await viewport.screenshot();
    expect(june.equals(january)).toBe(false);
    await page.screenshot({ path: screenshotPath('cube3d-coads-dragged') });
    await viewport.locator('canvas').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(slice).toHaveText(/^Front face: time 4 of 12 \(0000-04-1\d/);
    // rotating from outside the cube leaves the slice where it is
    await page.mouse.move(box.x + 20, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + 60, { steps: 5 });
    await page.mouse.up();
    await expect(slice).toHaveText(/^Front face: time 4 of 12/);
    expect((await viewport.screenshot()).equals(june)).toBe(false);
    expect(errors).toEqual([]);
  });

  test('exact ranges typed or slid with dates and degrees; the wheel zooms a face, Shift+drag pans it', async ({
    page
  }) => {
    const errors = collectErrors(page);
    const cube = await openCoadsSst(page);
    await cube.getByRole('button', { name: 'Front' }).click();
    const ranges = cube.getByRole('group', { name: 'Ranges of the shown dimensions' });
    await expect(ranges.getByLabel('time from (a coordinate)')).toHaveValue('0000-01-16');
    await expect(ranges.getByLabel('lat from (a coordinate)')).toHaveValue('89°N');
    await expect(ranges.getByLabel('lon to (a coordinate)')).toHaveValue('179°E');
    const counts = ranges.locator('.esdl-Cube3D-rangeCount');
    await expect(counts).toHaveText(['12 of 12', '90 of 90', '180 of 180']);

    // a typed date moves the front face to March; typed degrees cut the latitudes to 60°N..60°S
    await ranges.getByLabel('time from (a coordinate)').fill('0000-03');
    await ranges.getByLabel('time from (a coordinate)').press('Enter');
    await expect(cube.getByLabel('Selected face')).toHaveText(/^Front face: time 3 of 12 \(0000-03-1\d/);
    await ranges.getByLabel('lat from (a coordinate)').fill('60N');
    await ranges.getByLabel('lat from (a coordinate)').press('Enter');
    await ranges.getByLabel('lat to (a coordinate)').fill('60 S');
    await ranges.getByLabel('lat to (a coordinate)').press('Enter');
    await expect(counts).toHaveText(['10 of 12', '61 of 90', '180 of 180']);
    await expect(cube.locator('.esdl-Cube3D-label').nth(2)).toHaveText('61°N');
    await expect(cube.locator('.esdl-Cube3D-label').nth(3)).toHaveText('59°S');
    await page.screenshot({ path: screenshotPath('cube3d-ranges') });
    await ranges.getByLabel('lon from (a coordinate)').fill('far east');
    await ranges.getByLabel('lon from (a coordinate)').press('Enter');
    await expect(cube.getByRole('alert')).toHaveText('"far east" is not a lon value; type one like 179°W.');
    await expect(ranges.getByLabel('lon from (a coordinate)')).toHaveValue('179°W');
    // the slider of the last time steps, by keyboard
    await ranges.getByLabel('time to', { exact: true }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(counts.first()).toHaveText('9 of 12');
    await expect(cube.getByRole('alert')).toHaveCount(0);

    // the wheel over the front face zooms into its longitudes and latitudes around the cursor
    const viewport = cube.locator('.esdl-Cube3D-viewport');
    const box = (await viewport.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const before = await viewport.screenshot();
    await page.mouse.wheel(0, -100);
    await page.mouse.wheel(0, -100);
    await expect(counts).toHaveText(['9 of 12', '39 of 90', '115 of 180']);
    await expect(cube.locator('.esdl-Cube3D-status')).toHaveText(/^[1-9]\d* chunks, \d+ KiB fetched$/);
    expect((await viewport.screenshot()).equals(before)).toBe(false);
    const lonFrom = await ranges.getByLabel('lon from (a coordinate)').inputValue();
    // Shift+drag to the right pans the data with the pointer: western longitudes come into view
    await page.keyboard.down('Shift');
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect(counts).toHaveText(['9 of 12', '39 of 90', '115 of 180']);
    await expect(ranges.getByLabel('lon from (a coordinate)')).not.toHaveValue(lonFrom);
    await expect(cube.getByLabel('Selected face')).toHaveText(/^Front face: time 3 of 12/);
    await page.screenshot({ path: screenshotPath('cube3d-zoomed') });
    // the wheel outside the cube still zooms the camera, not the data
    await page.mouse.move(box.x + 10, box.y + 10);
    await page.mouse.wheel(0, 100);
    await expect(counts).toHaveText(['9 of 12', '39 of 90', '115 of 180']);
    expect(errors).toEqual([]);
  });

  test('a lost WebGL context is given back or replaced by a new one; the cube draws again', async ({ page }) => {
    const errors = collectErrors(page);
    const cube = await openCoadsSst(page);
    const viewport = cube.locator('.esdl-Cube3D-viewport');
    const lose = (restore: boolean) =>
      page.evaluate(async restore => {
        const canvas = document.querySelector('.esdl-Cube3D-viewport canvas') as HTMLCanvasElement;
        canvas.dataset.old = 'yes';
        const extension = canvas.getContext('webgl2')!.getExtension('WEBGL_lose_context')!;
        extension.loseContext();
        if (restore) {
          await new Promise(resolve => setTimeout(resolve, 300));
          extension.restoreContext();
        }
      }, restore);

    // the browser gives the context back: the same canvas draws the faces again
    await lose(true);
    await expect(cube.getByRole('alert')).toHaveCount(0);
    await expect(viewport.locator('canvas[data-old]')).toHaveCount(1);
    await expect.poll(() => drawnPixels(page, viewport)).toBeGreaterThan(20_000);

    // it does not: the message says what happens, then a new canvas takes over, and slicing still works
    await lose(false);
    await expect(cube.getByRole('alert')).toContainText('The WebGL context was lost');
    await expect(cube.getByRole('alert')).toHaveCount(0);
    await expect(viewport.locator('canvas')).toHaveCount(1);
    await expect(viewport.locator('canvas[data-old]')).toHaveCount(0);
    await expect.poll(() => drawnPixels(page, viewport)).toBeGreaterThan(20_000);
    await page.screenshot({ path: screenshotPath('cube3d-context-replaced') });
    await viewport.locator('canvas').focus();
    await page.keyboard.press('ArrowUp');
    await expect(cube.getByLabel('Selected face')).toHaveText(/time 2 of 12/);
    expect(errors).toEqual([]);
  });

  test('a four-dimensional notebook dataset: three dims chosen, the fourth at an index; a vanished store is named', async ({
    page
  }) => {
    await page.goto();
    await page.notebook.createNew('cube3d-4d.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(
      0,
      'code',
      [
        'import esdl_lab, shutil, xarray as xr',
        "ds = xr.open_dataset('/usr/share/ferret-vis/data/ocean_atlas_subset.nc', decode_times=False)",
        "ds = ds.rename(XAX_SUBSET='lon', YAX_SUBSET='lat', ZAXLEVIT19='depth', TIME='time')",
        "v = esdl_lab.show(ds, name='ocean_atlas_4d')",
        "esdl_lab.show_cube('ocean_atlas_4d', 'TEMP', server=v.server, dims=['time', 'lat', 'lon'], at={'depth': 3})"
      ].join('\n')
    );
    await page.notebook.runCell(0, true);
    const cube = page.locator('.esdl-Cube3DOutput .esdl-Cube3D').first();
    await expect(cube.locator('.esdl-Cube3D-status')).toHaveText(/^[1-9]\d* chunks, \d+ KiB fetched$/);
    await expect(cube.getByLabel('Dimensions shown')).toHaveValue('0,2,3');
    await expect(cube.getByLabel('depth shown')).toHaveValue('3');
    await expect(cube.getByLabel('depth shown').locator('option:checked')).toHaveText('30 m');
    await expect(cube.getByLabel('Selected face')).toHaveText(/^Front face: time 1 of 12/);
    // the store names no colour range: it is fitted to the temperatures drawn (about -2 to 30 °C)
    await expect(cube.getByLabel('Maximum value')).not.toHaveValue('1');
    const [low, high] = [
      Number(await cube.getByLabel('Minimum value').inputValue()),
      Number(await cube.getByLabel('Maximum value').inputValue())
    ];
    expect(low).toBeGreaterThan(-3);
    expect(low).toBeLessThan(5);
    expect(high).toBeGreaterThan(20);
    expect(high).toBeLessThan(32);

    // depth instead of time: the front face is the surface, the cube goes down 19 levels; time stands at March
    await cube.getByLabel('Dimensions shown').selectOption({ label: 'depth × lat × lon' });
    await expect(cube.getByLabel('Selected face')).toHaveText('Front face: depth 1 of 19 (0 m)');
    await cube.getByLabel('time shown').selectOption({ index: 2 });
    await expect(cube.locator('.esdl-Cube3D-rangeName')).toHaveText(['depth', 'lat', 'lon']);
    await expect(cube.locator('.esdl-Cube3D-status')).toHaveText(/^[1-9]\d* chunks, \d+ KiB fetched$/);
    expect(await drawnPixels(page, cube.locator('.esdl-Cube3D-viewport'))).toBeGreaterThan(10_000);
    await page.screenshot({ path: screenshotPath('cube3d-4d') });

    // a store that vanishes while its cube is open: moving to data not fetched yet says what happened
    await page.notebook.addCell(
      'code',
      [
        "v2 = esdl_lab.show(ds, name='ocean_atlas_gone')",
        "esdl_lab.show_cube('ocean_atlas_gone', 'TEMP', server=v2.server, dims=['depth', 'lat', 'lon'])"
      ].join('\n')
    );
    await page.notebook.runCell(1, true);
    const gone = page.locator('.esdl-Cube3DOutput .esdl-Cube3D').nth(1);
    await expect(gone.locator('.esdl-Cube3D-status')).toHaveText(/^[1-9]\d* chunks, \d+ KiB fetched$/);
    await page.notebook.addCell(
      'code',
      "shutil.rmtree(esdl_lab.notebook_cubes.stores_folder() / 'ocean_atlas_gone.zarr')"
    );
    await page.notebook.runCell(2, true);
    await gone.getByLabel('time shown').selectOption({ index: 7 });
    await expect(gone.getByRole('alert')).toContainText("Dataset 'ocean_atlas_gone' is unavailable");
    await expect(gone.locator('.esdl-Cube3D-status')).toHaveText(/, some faces could not be read$/);
    // the other cube is unaffected
    await expect(cube.getByRole('alert')).toHaveCount(0);
  });

  test('esdl_lab.show_cube in a notebook draws a live cube in the output', async ({ page }) => {
    await page.goto();
    await page.notebook.createNew('cube3d.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'import esdl_lab\nesdl_lab.show_cube("coads", "AIRT", cmap="magma")');
    await page.notebook.runCell(0, true);
    const output = page.locator('.esdl-Cube3DOutput .esdl-Cube3D');
    await expect(output.locator('.esdl-Cube3D-status')).toHaveText(/^[1-9]\d* chunks, \d+ KiB fetched$/);
    await expect(output.locator('.esdl-Cube3D-title')).toContainText('— coads');
    await expect(output.getByLabel('Colour map')).toHaveValue('magma');
    expect(await drawnPixels(page, output.locator('.esdl-Cube3D-viewport'))).toBeGreaterThan(10_000);
    await page.screenshot({ path: screenshotPath('cube3d-notebook') });
  });

  test('esdl_lab.Cube3D of a numpy array renders from the kernel; colour settings sync both ways', async ({ page }) => {
    await page.goto();
    await page.notebook.createNew('cube3d-kernel.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(
      0,
      'code',
      [
        'import numpy as np, esdl_lab',
        "t, y, x = np.meshgrid(np.arange(10), np.linspace(80, -80, 40), np.linspace(-170, 170, 80), indexing='ij')",
        "c = esdl_lab.Cube3D(np.cos(np.radians(y)) * 30 + t, cmap='RdYlBu_r')",
        'c'
      ].join('\n')
    );
    await page.notebook.runCell(0, true);
    const output = page.locator('.esdl-Cube3DOutput .esdl-Cube3D');
    // three faces in view, each one message from the kernel
    await expect(output.locator('.esdl-Cube3D-status')).toHaveText(/^3 chunks, \d+ KiB fetched$/);
    expect(await drawnPixels(page, output.locator('.esdl-Cube3D-viewport'))).toBeGreaterThan(10_000);
    await page.screenshot({ path: screenshotPath('cube3d-kernel') });
    await page.notebook.addCell('code', "c.cmap = 'gray'");
    await page.notebook.runCell(1, true);
    await expect(output.getByLabel('Colour map')).toHaveValue('gray');
    await output.getByLabel('Minimum value').fill('5');
    await output.getByLabel('Minimum value').press('Enter');
    await page.notebook.addCell('code', 'print(c.vmin, c.cmap)');
    await page.notebook.runCell(2, true);
    await expect(page.locator('.jp-OutputArea-output').filter({ hasText: '5.0 gray' })).toHaveCount(1);

    // savefig returns once the PNG exists, and the PNG is the canvas
    await page.notebook.addCell('code', "p = c.savefig('cube3d-saved.png'); print(p.name, p.stat().st_size > 1000)");
    await page.notebook.runCell(3, true);
    await expect(page.locator('.jp-OutputArea-output').filter({ hasText: 'cube3d-saved.png True' })).toHaveCount(1);
    const comparison = await page.evaluate(async () => {
      const canvas = document.querySelector('.esdl-Cube3DOutput canvas:not(.esdl-Cube3D-legend)') as HTMLCanvasElement;
      const response = await fetch('/files/cube3d-saved.png', { cache: 'no-store' });
      const image = await createImageBitmap(await response.blob());
      const pixels = (source: CanvasImageSource): Uint8ClampedArray => {
        const copy = document.createElement('canvas');
        [copy.width, copy.height] = [canvas.width, canvas.height];
        const context = copy.getContext('2d')!;
        context.drawImage(source, 0, 0);
        return context.getImageData(0, 0, copy.width, copy.height).data;
      };
      const [saved, shown] = [pixels(image), pixels(canvas)];
      let differ = 0;
      let drawn = 0;
      for (let i = 0; i < saved.length; i += 4) {
        differ += Math.abs(saved[i] - shown[i]) + Math.abs(saved[i + 2] - shown[i + 2]) > 6 ? 1 : 0;
        drawn += saved[i + 3] > 0 ? 1 : 0;
      }
      return { size: [image.width, image.height], canvas: [canvas.width, canvas.height], differ, drawn };
    });
    expect(comparison.size).toEqual(comparison.canvas);
    expect(comparison.drawn).toBeGreaterThan(10_000);
    expect(comparison.differ).toBeLessThan(100);
  });

  test('a dataset without the variable says which variables it has', async ({ page }) => {
    await page.goto();
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('esdl-lab:open-cube3d', {
        server: 'demo',
        dataset: 'coads',
        variable: 'NOPE'
      })
    );
    await expect(page.getByRole('alert')).toContainText('Dataset "coads" has no variable "NOPE"; it has AIRT, SLP');
  });
});
