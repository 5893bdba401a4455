import { expect, test } from '@jupyterlab/galata';
import { BASE_URL, TOKEN, collectErrors, screenshotPath, setTheme } from './helpers';

test.use({ autoGoto: false });

test.describe('ESDL Lab foundation', () => {
  test('JupyterLab loads with the suite, without console errors and without heavy libraries', async ({ page }) => {
    const errors = collectErrors(page);
    const ourScripts = new Map<string, string>();
    page.on('response', async response => {
      const url = response.url();
      if (url.includes('/lab/extensions/@esdl-lab/labextension/static/') && new URL(url).pathname.endsWith('.js')) {
        const body = await response.body().catch(() => Buffer.alloc(0));
        ourScripts.set(url, body.toString('latin1'));
      }
    });
    await page.goto();
    await expect(page.locator('.esdl-ServicesStatus-button')).toBeVisible();

    const plugins = await page.evaluate(() =>
      (window as any).jupyterapp.listPlugins().filter((id: string) => id.startsWith('@esdl-lab/labextension:'))
    );
    expect(plugins.sort()).toEqual(
      ['catalog', 'cube3d', 'launcher', 'mlflow', 'status', 'viewer'].map(name => `@esdl-lab/labextension:${name}`)
    );
    const activated = await page.evaluate(() =>
      ['status', 'catalog', 'viewer', 'cube3d', 'mlflow', 'launcher'].every(name =>
        (window as any).jupyterapp.isPluginActivated(`@esdl-lab/labextension:${name}`)
      )
    );
    expect(activated).toBe(true);

    // heavy libraries (three, deck.gl, zarrita) load when their widget opens, never at start-up
    const startupBytes = [...ourScripts.values()].reduce((sum, body) => sum + body.length, 0);
    expect(ourScripts.size).toBeGreaterThan(1);
    expect(startupBytes).toBeLessThan(400_000);
    for (const [url, body] of ourScripts) {
      // strings that survive minification in three.js, deck.gl/luma.gl and zarrita
      expect(body, url).not.toMatch(/WebGLRenderer|luma\.gl|deck\.gl|zarrita/);
    }

    expect(errors).toEqual([]);
  });

  test('the services view shows every upstream and its state', async ({ page }) => {
    await page.goto();
    const statusItem = page.locator('.esdl-ServicesStatus-button');
    await expect(statusItem).toBeVisible();
    await statusItem.click();

    const list = page.getByRole('list', { name: 'ESDL services' });
    await expect(list).toBeVisible();
    const offline = list.getByRole('listitem', { name: /Offline cube server: down/ });
    await expect(offline).toBeVisible();
    await expect(offline).toContainText('127.0.0.1:9');
    // the UI tests run MLflow as a managed replay of a recorded server (config.d/mlflow.py)
    await expect(list.getByRole('listitem', { name: /MLflow.*: (idle, starts on first use|up)/ })).toBeVisible();
    // idle until first use; up when an earlier test (the catalogue's) has used it already
    await expect(list.getByRole('listitem', { name: /ESDL demo cubes: (idle, starts on first use|up)/ })).toBeVisible();

    // a request starts the managed cube server if it is idle; the view follows
    const response = await page.request.get(`${BASE_URL}/esdl-lab/cubes/demo/`);
    expect(response.status()).toBe(200);
    await page.getByRole('button', { name: 'Check the services again' }).click();
    const demo = list.getByRole('listitem', { name: /ESDL demo cubes: up/ });
    await expect(demo).toBeVisible();
    await expect(demo).toContainText('version');
    // the item counts the configured upstreams that can serve (up or idle) among all configured ones
    const status = await (await page.request.get(`${BASE_URL}/esdl-lab/status`)).json();
    const configured = status.upstreams.filter((u: { state: string }) => u.state !== 'unconfigured');
    const serving = configured.filter((u: { state: string }) => u.state === 'up' || u.state === 'idle');
    await expect(statusItem).toHaveText(`ESDL ${serving.length}/${configured.length}`);

    await page.screenshot({ path: screenshotPath('status-light') });
    await setTheme(page, 'JupyterLab Dark');
    await page.screenshot({ path: screenshotPath('status-dark') });
    await setTheme(page, 'JupyterLab Light');
  });

  test('anonymous requests are refused and forwarded nowhere', async () => {
    // plain fetch: Playwright's request context would send the token header
    const status = await fetch(`${BASE_URL}/esdl-lab/status`);
    expect(status.status).toBe(403);
    const proxied = await fetch(`${BASE_URL}/esdl-lab/cubes/demo/datasets`);
    expect(proxied.status).toBe(403);
    const authorised = await fetch(`${BASE_URL}/esdl-lab/status`, { headers: { Authorization: `token ${TOKEN}` } });
    expect(authorised.status).toBe(200);
  });
});
