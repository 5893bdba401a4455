/**
 * `esdl-cube-server --config FILE --port N [--host 127.0.0.1] [--base-url URL] [--workers N]`: serves the
 * configured cubes with xcube server's REST API. Prints one line when listening; exits cleanly on
 * SIGTERM/SIGINT.
 *
 * With more than one worker (the default is one per core, at most 4), a primary process validates the
 * configuration and forks workers that share the listening socket (node:cluster), each with its share of
 * the cache sizes; a worker that dies is replaced.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../server/config';
import { startServer } from '../server/server';
import { VERSION } from '../server/version';

const USAGE =
  'usage: esdl-cube-server --config cubes.yaml --port 8080 [--host 127.0.0.1] [--base-url https://host/prefix] [--workers N]';

interface Options {
  config: string;
  port: number;
  host: string;
  baseUrl?: string;
  workers: number;
}

function fail(message: string, code = 2): never {
  console.error(`esdl-cube-server: ${message}${code === 2 ? `\n${USAGE}` : ''}`);
  process.exit(code);
}

function parseOptions(): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'base-url': { type: 'string' },
        workers: { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.version) {
    console.log(VERSION);
    process.exit(0);
  }
  if (!values.config) {
    fail('--config is required');
  }
  const port = Number(values.port ?? '8080');
  if (!/^\d+$/.test(String(values.port ?? '8080')) || port > 65535) {
    fail(`--port '${values.port}' is not a port number (0 picks a free one)`);
  }
  const baseUrl = values['base-url'] as string | undefined;
  if (baseUrl !== undefined && !/^https?:\/\/\S+$/.test(baseUrl)) {
    fail(`--base-url '${baseUrl}' is not an http(s) URL`);
  }
  const workersText = (values.workers as string | undefined) ?? String(Math.min(4, availableParallelism()));
  const workers = Number(workersText);
  if (!/^\d+$/.test(workersText) || workers < 1 || workers > 64) {
    fail(`--workers '${workersText}' is not a number of processes between 1 and 64`);
  }
  return {
    config: values.config as string,
    port,
    host: (values.host as string | undefined) ?? '127.0.0.1',
    baseUrl: baseUrl?.replace(/\/+$/, ''),
    workers
  };
}

/** Runs one server in this process; `share` divides the cache sizes among the workers. */
async function serve(options: Options, share: number, onListening: (url: string, port: number) => void): Promise<void> {
  let running;
  try {
    running = await startServer({
      configFile: options.config,
      port: options.port,
      host: options.host,
      baseUrl: options.baseUrl,
      version: VERSION,
      cacheShare: share
    });
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    fail(
      error instanceof ConfigError
        ? error.message
        : inUse
          ? `port ${options.port} on ${options.host} is in use: choose another --port (0 picks a free one)`
          : (error as Error).message,
      1
    );
  }
  onListening(running.url, running.port);
  let stopping = false;
  const stop = () => {
    if (stopping) {
      return;
    }
    stopping = true;
    setTimeout(() => process.exit(0), 5000).unref();
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('message', message => {
    if (message === 'shutdown') {
      stop();
    }
  });
}

async function primary(options: Options): Promise<void> {
  try {
    await loadConfig(options.config);
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : (error as Error).message, 1);
  }
  let announced = false;
  let stopping = false;
  let listening = 0;
  const fork = () => {
    const worker = cluster.fork({ ESDL_CUBE_SERVER_WORKER: '1' });
    worker.on('message', (message: { listening?: string }) => {
      if (message?.listening && ++listening === options.workers && !announced) {
        announced = true;
        console.log(`esdl-cube-server listening on ${message.listening}`);
      }
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        process.exit(0);
      }
      return;
    }
    if (!announced) {
      // a worker that fails before listening (port in use, bad config) said why: the start has failed
      process.exit(typeof code === 'number' && code !== 0 ? code : 1);
    }
    console.error(
      `[esdl-cube-server] worker ${worker.process.pid} exited (code ${code}${signal ? `, ${signal}` : ''}); starting another`
    );
    fork();
  });
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.error(`[esdl-cube-server] ${signal}: shutting down`);
    for (const worker of Object.values(cluster.workers ?? {})) {
      worker?.send('shutdown');
    }
    setTimeout(() => process.exit(0), 6000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < options.workers; i++) {
    fork();
  }
}

const options = parseOptions();
if (cluster.isPrimary && options.workers > 1) {
  void primary(options);
} else if (cluster.isWorker) {
  void serve(options, options.workers, url => process.send?.({ listening: url }));
} else {
  void serve(options, 1, url => console.log(`esdl-cube-server listening on ${url}`));
}
