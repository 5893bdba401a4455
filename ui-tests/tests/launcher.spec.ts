import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'node:child_process';
import { screenshotPath } from './helpers';

// the test Slurm of ui-tests/config.d/launcher.py (scripts/slurm/start.sh's default run folder)
const slurm = { env: { ...process.env, SLURM_CONF: process.env.SLURM_CONF || '/tmp/esdl-slurm/slurm.conf' } };

test.describe('GPU kernels on Slurm', () => {
  // kernels left by other specs would hold GPUs and show in the jobs panel
  test.beforeEach(async ({ page }) => {
    await page.kernel.shutdownAll();
  });

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
    const jobId = ((await page.notebook.getCellTextOutput(0))?.join('') ?? '').split(/\s+/)[1];

    // the jobs panel shows the kernel's job with its node, GPU and walltime, and so does Running
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('esdl-lab:open-cluster-launcher'));
    const panel = page.locator('#esdl-kernel-jobs');
    const item = panel.locator(`.esdl-KernelJobs-item[data-job-id="${jobId}"]`);
    await expect(item).toHaveAttribute('data-state', 'RUNNING');
    await expect(item.locator('.esdl-KernelJobs-detail')).toContainText(/running on \S+ · GPU \d · .* left/);
    await expect(item.locator('.esdl-KernelJobs-name')).toHaveText('Python 3 · 1 GPU · 4 h');
    await expect(item.locator('.esdl-KernelJobs-facts')).toContainText('walltime 4 h 00 min');
    await expect(panel.locator('.esdl-KernelJobs-status')).toHaveText('1 kernel job');
    await page.screenshot({ path: screenshotPath('launcher-jobs-panel') });
    await page.locator('[data-id="jp-running-sessions"]').click();
    await expect(page.getByRole('region', { name: 'GPU kernel jobs Section' })).toContainText(
      `Python 3 · 1 GPU · 4 h · job ${jobId}`
    );
    await page.screenshot({ path: screenshotPath('launcher-running-sidebar') });

    // Cancel: after a confirmation, the kernel is shut down and its job ends
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('esdl-lab:open-cluster-launcher'));
    await item.getByRole('button', { name: `Cancel kernel job ${jobId}` }).click();
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Cancel job' }).click();
    await expect(item.locator('.esdl-KernelJobs-cancel')).toHaveCount(0, { timeout: 30_000 });
    await expect(panel.locator('.esdl-KernelJobs-status')).toContainText('No kernel jobs');
    const kernels = await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      await app.serviceManager.kernels.refreshRunning();
      return [...app.serviceManager.kernels.running()].map((k: any) => k.name);
    });
    expect(kernels).not.toContain('esdl-gpu-1');
    await page.screenshot({ path: screenshotPath('launcher-jobs-cancelled') });
  });

  test('a kernel that waits in the queue says why and when, and Cancel calls its start off', async ({ page }) => {
    // every GPU of the test node busy: the kernel's job has to wait
    const blocker = execFileSync(
      'sbatch',
      ['--parsable', '--gres=gpu:4', '--mem=100M', '--time=00:05:00', '--output=/dev/null', '--wrap=sleep 300'],
      slurm
    )
      .toString()
      .trim();
    try {
      await page.locator('.jp-LauncherCard[title="Python 3 · 1 GPU · 4 h"]').first().click();
      const toast = page.locator('.Toastify__toast', { hasText: /queued: (Resources|Priority)/ });
      await expect(toast).toBeVisible({ timeout: 30_000 });
      await expect(toast).toContainText('Python 3 · 1 GPU · 4 h');
      await page.evaluate(() => (window as any).jupyterapp.commands.execute('esdl-lab:open-cluster-launcher'));
      const item = page.locator('#esdl-kernel-jobs .esdl-KernelJobs-item[data-state="PENDING"]');
      await expect(item).toHaveCount(1);
      await expect(item.locator('.esdl-KernelJobs-detail')).toContainText(/queued: (Resources|Priority)/);
      await expect(page.locator('#esdl-kernel-jobs .esdl-KernelJobs-status')).toHaveText('1 kernel job, 1 queued');
      await page.screenshot({ path: screenshotPath('launcher-queued') });

      await toast.getByRole('button', { name: 'Cancel' }).click();
      // the kernel does not start, and JupyterLab says why
      const dialog = page.locator('.jp-Dialog');
      await expect(dialog).toContainText(/The kernel job \d+ CANCELLED before the kernel started/, { timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('launcher-queued-cancelled') });
      await dialog.getByRole('button').last().click();
      await expect(item).toHaveCount(0);
      const left = execFileSync('squeue', ['-h', '-o', '%j %T'], slurm).toString();
      expect(left).not.toMatch(/esdl-kernel-\S+ PENDING/);
    } finally {
      execFileSync('scancel', [blocker], slurm);
    }
  });

  test('the custom GPU kernel form checks the limits, shows the estimated start and starts the kernel', async ({
    page
  }) => {
    await page.locator('.jp-LauncherCard[title="Custom GPU kernel…"]').click();
    const dialog = page.locator('.jp-Dialog');
    const estimate = dialog.locator('.esdl-CustomKernel-estimate');
    await expect(estimate).toHaveText(/Slurm could start it now, on \S+ \(partition gpu\)\./);
    await dialog.locator('input[name="gpus"]').fill('3');
    await expect(estimate).toHaveText('At most 2 GPUs may be asked for here, not 3.');
    await expect(estimate).toHaveClass(/esdl-mod-problem/);
    await page.screenshot({ path: screenshotPath('launcher-custom-limits') });
    await dialog.locator('input[name="gpus"]').fill('2');
    await dialog.locator('input[name="walltime"]').fill('00:30:00');
    await expect(estimate).toHaveText(/Slurm could start it now/);
    await page.screenshot({ path: screenshotPath('launcher-custom-form') });
    await dialog.getByRole('button', { name: 'Start kernel' }).click();

    await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('.jp-KernelName')).toContainText('Python 3 · 2 GPUs · 2G · 30 min (custom)');
    // the notebook made by notebook:create-new: its first cell, set and run through JupyterLab's own API
    await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      const notebook = app.shell.currentWidget;
      await notebook.context.ready;
      await notebook.sessionContext.ready;
      notebook.content.activeCellIndex = 0;
      notebook.content.activeCell.model.sharedModel.setSource("import os\nprint(os.environ['SLURM_JOB_GPUS'])");
      await app.commands.execute('notebook:run-cell');
    });
    await expect(page.locator('.jp-OutputArea-output').first()).toHaveText(/^\d,\d\s*$/, { timeout: 60_000 });
    await page.screenshot({ path: screenshotPath('launcher-custom-notebook') });
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('kernelmenu:shutdown'));
  });
});
