/**
 * Starting and stopping the cube server: the HTTP listener, the caches, and the configuration file watched
 * for changes (a bad edit keeps the last good configuration and logs why).
 */
import { watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createHandler } from './app';
import { ConfigError, ServerConfig, loadConfig } from './config';
import { CachedTile, Context } from './context';
import { ByteLru } from './lru';
import { Registry } from './registry';

export interface ServerOptions {
  configFile: string;
  port: number;
  host?: string;
  /** the public URL of the server (overrides the config's BaseUrl and the X-Forwarded-* headers) */
  baseUrl?: string;
  version: string;
  log?: (message: string) => void;
  /** milliseconds to wait after a change of the config file before reloading it */
  reloadDelayMs?: number;
  /** the number of processes sharing the configured cache sizes (each gets its part); default 1 */
  cacheShare?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  context: Context;
  /** reloads the configuration now (as a change of the file does); false when it was invalid */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** Loads the configuration, starts listening, and watches the configuration file. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((message: string) => console.error(`[esdl-cube-server] ${message}`));
  const share = options.cacheShare ?? 1;
  const load = async (): Promise<ServerConfig> => {
    const loaded = await loadConfig(options.configFile);
    return {
      ...loaded,
      chunkCacheBytes: Math.floor(loaded.chunkCacheBytes / share),
      tileCacheBytes: Math.floor(loaded.tileCacheBytes / share)
    };
  };
  const config = await load();
  const registry = new Registry(config, log);
  const ctx: Context = {
    registry,
    tileCache: new ByteLru<CachedTile>(config.tileCacheBytes, tile => tile.png.byteLength + tile.etag.length + 200),
    version: options.version,
    startTime: new Date(),
    updateTime: new Date(),
    baseUrl: options.baseUrl ?? config.baseUrl,
    log
  };
  const server = createServer({ keepAliveTimeout: 30_000, requestTimeout: 120_000 }, createHandler(ctx));
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    } else {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const reload = async (): Promise<boolean> => {
    let next: ServerConfig;
    try {
      next = await load();
    } catch (error) {
      const why = error instanceof ConfigError ? error.message : (error as Error).message;
      log(`configuration not reloaded, still serving the last good one: ${why}`);
      return false;
    }
    registry.setConfig(next);
    ctx.baseUrl = options.baseUrl ?? next.baseUrl;
    ctx.tileCache.clear();
    ctx.updateTime = new Date();
    log(`configuration reloaded: ${next.datasets.length} dataset(s)`);
    return true;
  };

  // watch the folder, not the file: editors and `mv` replace the file, which ends a watch on it
  const file = path.resolve(options.configFile);
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  try {
    watcher = watch(path.dirname(file), (_event, name) => {
      if (name && name.toString() !== path.basename(file)) {
        return;
      }
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(() => void reload(), options.reloadDelayMs ?? 300);
    });
    watcher.on('error', error => log(`stopped watching ${file}: ${error.message}`));
  } catch (error) {
    log(`cannot watch ${file} for changes (${(error as Error).message}); restart to apply edits`);
  }

  return {
    url,
    port,
    server,
    context: ctx,
    reload,
    close: async () => {
      watcher?.close();
      if (timer) {
        clearTimeout(timer);
      }
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
  };
}
