import { expect, test } from '@jupyterlab/galata';
import { join } from 'node:path';
import { collectErrors, screenshotPath } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

test.describe('Example notebooks', () => {
  test('example 1 runs cell by cell in JupyterLab against the demo cubes, its map drawn', async ({ page, tmpPath }) => {
    const errors = collectErrors(page);
    const name = '01-explore-a-cube.ipynb';
    await page.contents.uploadFile(join(EXAMPLES, name), `${tmpPath}/${name}`);
    await page.notebook.openByPath(`${tmpPath}/${name}`);
    await page.notebook.activate(name);
    const count = await page.notebook.getCellCount();
    for (let index = 0; index < count; index++) {
      if ((await page.notebook.getCellType(index)) === 'code') {
        await page.notebook.runCell(index, true);
      }
    }
    const outputs = page.locator('.jp-OutputArea-output');
    await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')).toHaveCount(0);
    await expect(outputs.filter({ hasText: 'COADS monthly climatology 1946-1989' }).first()).toBeVisible();
    await expect(outputs.filter({ hasText: 'equatorial Pacific' }).first()).toBeVisible();
    await expect(outputs.filter({ hasText: 'largest seasonal range' })).toHaveCount(1);
    // the map viewer in the output draws its tiles
    const viewer = page.locator('.esdl-ViewerOutput .esdl-Viewer');
    await viewer.scrollIntoViewIfNeeded();
    await expect(viewer.locator('.esdl-Viewer-status')).toHaveText(/^[1-9]\d* tiles, \d+ KiB$/);
    const png = await viewer.locator('.esdl-Viewer-map').screenshot();
    const colourful = await page.evaluate(async base64 => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 80) {
          count++;
        }
      }
      return count / (data.length / 4);
    }, png.toString('base64'));
    // the ocean in SST colours covers much of the map
    expect(colourful).toBeGreaterThan(0.2);
    await page.screenshot({ path: screenshotPath('example-1') });
    expect(errors).toEqual([]);
  });
});
