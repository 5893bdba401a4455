import { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const BASE_URL = `http://127.0.0.1:${process.env.ESDL_UI_PORT || 18888}`;
export const TOKEN = process.env.ESDL_UI_TOKEN || 'esdl-ui-tests-token';

/** Where screenshots go: they are looked at by people, and the README shows some of them. */
// outside Playwright's output folder, which it empties at the start of every run
export const SCREENSHOTS = join(__dirname, '..', 'screenshots');

export function screenshotPath(name: string): string {
  const path = join(SCREENSHOTS, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/** Collects the browser console's errors and the page's uncaught exceptions from now on. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  page.on('pageerror', error => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/** Switches JupyterLab's theme and waits until it is applied. */
export async function setTheme(page: Page, theme: 'JupyterLab Light' | 'JupyterLab Dark'): Promise<void> {
  await page.evaluate(async name => {
    await (window as any).jupyterapp.commands.execute('apputils:change-theme', { theme: name });
  }, theme);
  await page.waitForFunction(name => document.body.dataset.jpThemeName === name, theme);
}
