import { expect, test } from '@jupyterlab/galata';
import { screenshotPath } from './helpers';

test.describe('GPU kernels on Slurm', () => {
  test('the launcher offers the GPU profiles; a notebook on one runs as a Slurm job with its GPU', async ({ page }) => {
    const card = page.locator('.jp-LauncherCard[title="Python 3 · 1 GPU · 4 h"]').first();
    await expect(card).toBeVisible();
    await expect(page.locator('.jp-LauncherCard[title="Python 3 · 2 GPUs · 1 h"]').first()).toBeVisible();
    await page.screenshot({ path: screenshotPath('launcher-gpu-cards') });

    await card.click();
    // the kernel starts once its job runs: the cell runs when the kernel is ready
    await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toBeVisible({ timeout: 60_000 });
    await page.notebook.setCell(
      0,
      'code',
      "import os\nprint('job', os.environ['SLURM_JOB_ID'], 'gpus', os.environ['SLURM_JOB_GPUS'], os.environ['CUDA_VISIBLE_DEVICES'])"
    );
    await page.notebook.runCell(0, true);
    await expect
      .poll(async () => (await page.notebook.getCellTextOutput(0))?.join('\n') ?? '', { timeout: 60_000 })
      .toMatch(/^job \d+ gpus \d \d\s*$/);
    await page.screenshot({ path: screenshotPath('launcher-gpu-notebook') });
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('kernelmenu:shutdown'));
  });
});
