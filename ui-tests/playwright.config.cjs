// galata (Playwright) in Debian's Chromium against a real JupyterLab with ESDL Lab installed.
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = Number(process.env.ESDL_UI_PORT || 18888);
const token = process.env.ESDL_UI_TOKEN || 'esdl-ui-tests-token';

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  // one worker: the machine has two cores and JupyterLab itself needs one
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    // Playwright's own ffmpeg/trace downloads are not available here
    video: 'off',
    trace: 'off',
    extraHTTPHeaders: { Authorization: `token ${token}` },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic'
      ]
    }
  },
  webServer: {
    command: `jupyter lab --config jupyter_server_test_config.py`,
    url: `http://127.0.0.1:${port}/api/status?token=${token}`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: { ...process.env, ESDL_UI_PORT: String(port), ESDL_UI_TOKEN: token }
  }
};
