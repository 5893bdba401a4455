import { expect, test } from '@jupyterlab/galata';
import { join } from 'node:path';
import { collectErrors, screenshotPath } from './helpers';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

test.describe('Example notebooks', () => {
  test('example 1 runs cell by cell in JupyterLab against the demo cubes', async ({ page, tmpPath }) => {
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
    await page.screenshot({ path: screenshotPath('example-1') });
    expect(errors).toEqual([]);
  });
});
