/**
 * `esdl-cube-server --config FILE --port N [--host 127.0.0.1] [--base-url URL]`: serves the configured cubes
 * with xcube server's REST API. Prints one line when listening; exits cleanly on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../server/config';
import { startServer } from '../server/server';
import { VERSION } from '../server/version';

const USAGE = 'usage: esdl-cube-server --config cubes.yaml --port 8080 [--host 127.0.0.1] [--base-url https://host/prefix]';

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'base-url': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    }));
  } catch (error) {
    console.error(`esdl-cube-server: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.version) {
    console.log(VERSION);
    return;
  }
  const port = Number(values.port ?? '8080');
  if (!values.config || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`esdl-cube-server: ${!values.config ? '--config is required' : `--port '${values.port}' is not a port number`}\n${USAGE}`);
    process.exit(2);
  }
  const baseUrl = values['base-url'] as string | undefined;
  if (baseUrl !== undefined && !/^https?:\/\/\S+$/.test(baseUrl)) {
    console.error(`esdl-cube-server: --base-url '${baseUrl}' is not an http(s) URL\n${USAGE}`);
    process.exit(2);
  }
  let running;
  try {
    running = await startServer({
      configFile: values.config as string,
      port,
      host: (values.host as string | undefined) ?? '127.0.0.1',
      baseUrl: baseUrl?.replace(/\/+$/, ''),
      version: VERSION
    });
  } catch (error) {
    console.error(`esdl-cube-server: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
    process.exit(1);
  }
  console.log(`esdl-cube-server listening on ${running.url}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.error(`[esdl-cube-server] ${signal}: shutting down`);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
