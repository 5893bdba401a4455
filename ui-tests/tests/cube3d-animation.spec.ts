import { expect, test } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { collectErrors, screenshotPath } from './helpers';

test.use({ autoGoto: false });

/** The cube's canvas pixels (RGBA), read in the page. */
async function canvasPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const canvas = document.querySelector('.esdl-Cube3DOutput canvas:not(.esdl-Cube3D-legend)') as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    [copy.width, copy.height] = [canvas.width, canvas.height];
    const context = copy.getContext('2d')!;
    context.drawImage(canvas, 0, 0);
    return Array.from(context.getImageData(0, 0, copy.width, copy.height).data);
  });
}

function differing(a: number[], b: number[]): number {
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    count += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 30 ? 1 : 0;
  }
  return count;
}

/** The timestamps (ms) of the video frames of a WebM file: its EBML clusters' (Simple)Blocks. */
function webmFrameTimes(bytes: Buffer): number[] {
  const vint = (at: number, keepMarker: boolean): [number, number] => {
    let length = 1;
    while (!(bytes[at] & (0x80 >> (length - 1)))) {
      length++;
    }
    let value = keepMarker ? bytes[at] : bytes[at] & (0xff >> length);
    for (let i = 1; i < length; i++) {
      value = value * 256 + bytes[at + i];
    }
    return [value, length];
  };
  const containers = new Set([0x18538067, 0x1f43b675, 0xa0]);
  const times: number[] = [];
  let cluster = 0;
  const walk = (at: number, end: number): void => {
    while (at < end) {
      const [id, idLength] = vint(at, true);
      const [size, sizeLength] = vint(at + idLength, false);
      at += idLength + sizeLength;
      const length = size === 2 ** (7 * sizeLength) - 1 ? end - at : size;
      if (containers.has(id)) {
        walk(at, Math.min(end, at + length));
      } else if (id === 0xe7) {
        cluster = bytes.readUIntBE(at, length);
      } else if (id === 0xa3 || id === 0xa1) {
        times.push(cluster + bytes.readInt16BE(at + vint(at, false)[1]));
      }
      at += length;
    }
  };
  walk(0, bytes.length);
  return times;
}

/** Runs code in a new cell and returns the cell's output text. */
async function run(page: Page, code: string): Promise<string> {
  const index = await page.notebook.getCellCount();
  await page.notebook.addCell('code', code);
  await page.notebook.runCell(index, true);
  return (await page.notebook.getCellTextOutput(index))?.join('') ?? '';
}

async function kernelCube(page: Page, notebook: string): Promise<Locator> {
  await page.goto();
  await page.notebook.createNew(notebook, { kernel: 'python3' });
  // the front face (dim_0) changes colour with every step: each frame differs
  await page.notebook.setCell(
    0,
    'code',
    [
      'import numpy as np, esdl_lab',
      "t, y, x = np.meshgrid(np.arange(6), np.linspace(80, -80, 20), np.linspace(-170, 170, 30), indexing='ij')",
      "c = esdl_lab.Cube3D(np.cos(np.radians(y)) * 10 + t * 6, cmap='viridis')",
      'c'
    ].join('\n')
  );
  await page.notebook.runCell(0, true);
  const output = page.locator('.esdl-Cube3DOutput .esdl-Cube3D');
  await expect(output.locator('.esdl-Cube3D-status')).toHaveText(/^3 chunks, \d+ KiB fetched$/);
  return output;
}

test.describe('3D cube animation', () => {
  test('ranges set in Python move the faces; save_animation writes a GIF with a frame per step', async ({ page }) => {
    const errors = collectErrors(page);
    const output = await kernelCube(page, 'cube3d-animation-ranges.ipynb');
    const animation = output.getByRole('group', { name: 'Animation' });
    await expect(animation.getByLabel('Animate along')).toHaveValue('0');
    const whole = await canvasPixels(page);

    expect(await run(page, 'c.ranges = [[2, 6], [5, 15], [0, 30]]')).toBe('');
    await expect.poll(async () => differing(whole, await canvasPixels(page))).toBeGreaterThan(2000);
    await page.screenshot({ path: screenshotPath('cube3d-animation-ranges') });
    expect(await run(page, 'print(c.ranges, c.get_current_selection().shape)')).toContain(
      '[[2, 6], [5, 15], [0, 30]] (4, 10, 30)'
    );
    const narrowed = await canvasPixels(page);
    expect(await run(page, 'c.ranges = [[0, 9], [0, 20], [0, 30]]')).toContain(
      'The range of dim_0 must have 0 <= start < end <= 6 (its length); [0, 9] does not'
    );

    // four frames (time 2..5), read back by Pillow, each different; the cube shows its ranges again after
    const gif = await run(
      page,
      [
        "p = c.save_animation('anim.gif', dim='dim_0', fps=5)",
        'from PIL import Image',
        'im = Image.open(p)',
        'frames = {(im.seek(i), im.convert("RGB").tobytes())[1] for i in range(im.n_frames)}',
        "print(p.name, im.format, im.n_frames, len(frames), im.info['duration'], im.info['loop'], c.ranges)"
      ].join('\n')
    );
    expect(gif).toContain('anim.gif GIF 4 4 200 0 [[2, 6], [5, 15], [0, 30]]');
    await expect.poll(async () => differing(narrowed, await canvasPixels(page))).toBeLessThan(50);
    const served = await page.evaluate(async () => {
      const bytes = new Uint8Array(await (await fetch('/files/anim.gif', { cache: 'no-store' })).arrayBuffer());
      return { magic: String.fromCharCode(...bytes.subarray(0, 6)), last: bytes[bytes.length - 1] };
    });
    expect(served).toEqual({ magic: 'GIF89a', last: 0x3b });
    expect(await run(page, "c.save_animation('anim.gif', dim='depth')")).toContain(
      "Unknown dimension 'depth': the cube shows ['dim_0', 'dim_1', 'dim_2']"
    );
    expect(errors).toEqual([]);
  });

  test('Play steps the front face and tells Python; Export GIF and WebM download the animation', async ({ page }) => {
    const errors = collectErrors(page);
    const output = await kernelCube(page, 'cube3d-animation-export.ipynb');
    const animation = output.getByRole('group', { name: 'Animation' });
    const play = animation.getByRole('button', { name: 'Play' });
    await animation.getByLabel('Animate along').selectOption({ label: 'dim_2' });
    await animation.getByLabel('Frames per second').fill('30');
    const whole = await canvasPixels(page);
    await play.click();
    await expect(animation.getByRole('status')).toHaveText(/^Frame \d+ of 30: dim_2 /);
    await expect(play).toHaveText('Play', { timeout: 30_000 });
    await expect(animation.getByRole('status')).toHaveText('Frame 30 of 30: dim_2 29');
    expect(differing(whole, await canvasPixels(page))).toBeGreaterThan(2000);
    await page.screenshot({ path: screenshotPath('cube3d-animation-played') });
    expect(await run(page, 'print(c.ranges)')).toContain('[[0, 6], [0, 20], [29, 30]]');

    // along dim_0, 6 frames
    await animation.getByLabel('Animate along').selectOption({ label: 'dim_0' });
    await animation.getByLabel('Frames per second').fill('10');
    expect(await run(page, 'c.ranges = [[0, 6], [0, 20], [0, 30]]')).toBe('');
    const gifDownload = page.waitForEvent('download');
    await animation.getByRole('button', { name: 'Export GIF' }).click();
    const gif = await gifDownload;
    expect(gif.suggestedFilename()).toBe('data-dim_0.gif');
    const gifBytes = readFileSync((await gif.path())!);
    expect(gifBytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    await expect(animation.getByRole('status')).toHaveText(/^Saved data-dim_0\.gif \(\d+ KiB\)$/);

    const webmDownload = page.waitForEvent('download');
    await animation.getByRole('button', { name: 'Export WebM' }).click();
    const webm = await webmDownload;
    expect(webm.suggestedFilename()).toBe('data-dim_0.webm');
    const webmBytes = readFileSync((await webm.path())!);
    // an EBML header and a frame for each of the 6 steps, and the last one again to give it its duration
    expect([...webmBytes.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    const times = webmFrameTimes(webmBytes);
    expect(times).toHaveLength(7);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await expect(animation.getByRole('status')).toHaveText(/^Saved data-dim_0\.webm \(\d+ KiB\)$/);
    await page.screenshot({ path: screenshotPath('cube3d-animation-exported') });

    // save_animation as WebM from Python
    expect(
      await run(page, "p = c.save_animation('anim.webm', fps=10); print(p.name, p.stat().st_size > 2000)")
    ).toContain('anim.webm True');

    // a browser that cannot record video says so, in the toolbar and to Python
    await page.evaluate(() => ((window as any).MediaRecorder = undefined));
    await animation.getByRole('button', { name: 'Export WebM' }).click();
    const noVideo = 'This browser cannot record video from a canvas (no MediaRecorder); export a GIF instead.';
    await expect(animation.getByRole('status')).toHaveText(`WEBM export failed: ${noVideo}`);
    const refused = await run(page, "c.save_animation('none.webm')");
    expect(refused).toContain(`RuntimeError: The browser could not write 'none.webm': ${noVideo}`);
    expect(await run(page, "import os; print(sorted(f for f in os.listdir() if f.startswith('none')))")).toContain(
      '[]'
    );
    expect(errors).toEqual([]);
  });
});
