/**
 * The configured datasets and their opened cubes. A cube opens on first use; a store that is missing or
 * broken makes only its dataset answer 503 (retried after a few seconds, so a cube built later appears
 * without a restart), and a local store that was rebuilt (new `.zmetadata`) is reopened with fresh caches.
 */
import { ServerConfig, DatasetConfig, matchesVariable } from './config';
import { Cube, CubeError, Values } from './cube';
import { ApiError, notFound, unavailable } from './errors';
import { ByteLru } from './lru';
import { DirectoryStore, Store, openStore } from './stores';

const RETRY_MS = 3000;
const RECHECK_MS = 2000;

interface Entry {
  config: DatasetConfig;
  store: Store;
  opening: Promise<Cube> | null;
  cube: Cube | null;
  error: string | null;
  errorAt: number;
  checkedAt: number;
  fingerprint: string | null;
}

function sameSource(a: DatasetConfig, b: DatasetConfig): boolean {
  return a.location === b.location && a.s3Endpoint === b.s3Endpoint;
}

export class Registry {
  constructor(
    config: ServerConfig,
    private readonly _log: (message: string) => void = () => undefined
  ) {
    this.chunkCache = new ByteLru<Values>(config.chunkCacheBytes, v => v.byteLength + 64);
    this.setConfig(config);
  }

  readonly chunkCache: ByteLru<Values>;

  get config(): ServerConfig {
    return this._config!;
  }

  /** Applies a (re)loaded configuration: datasets whose store did not change keep their opened cube. */
  setConfig(config: ServerConfig): void {
    const old = this._entries;
    this._entries = new Map();
    for (const dataset of config.datasets) {
      const previous = old.get(dataset.identifier);
      if (previous && sameSource(previous.config, dataset)) {
        previous.config = dataset;
        this._entries.set(dataset.identifier, previous);
      } else {
        this._entries.set(dataset.identifier, {
          config: dataset,
          store: openStore(dataset.location, config.baseDir, dataset.s3Endpoint),
          opening: null,
          cube: null,
          error: null,
          errorAt: 0,
          checkedAt: 0,
          fingerprint: null
        });
      }
    }
    for (const [id, entry] of old) {
      if (this._entries.get(id) !== entry && entry.cube) {
        this.chunkCache.deletePrefix(entry.cube.cacheKey);
      }
    }
    this._config = config;
  }

  /** The configured datasets that are listed (not Hidden), in file order. */
  listed(): DatasetConfig[] {
    return [...this._entries.values()].map(e => e.config).filter(c => !c.hidden);
  }

  /** The configuration of a dataset; 404 when there is none. */
  dataset(id: string): DatasetConfig {
    const entry = this._entries.get(id);
    if (!entry) {
      throw notFound(`Dataset '${id}' not found`, 'datasetId');
    }
    return entry.config;
  }

  /** The store of a dataset (for the S3 API). */
  store(id: string): Store {
    this.dataset(id);
    return this._entries.get(id)!.store;
  }

  /** The opened cube of a dataset: 404 for an unknown dataset, 503 when its store cannot be opened. */
  async cube(id: string): Promise<Cube> {
    const entry = this._entries.get(id);
    if (!entry) {
      throw notFound(`Dataset '${id}' not found`, 'datasetId');
    }
    const now = Date.now();
    if (entry.cube && now - entry.checkedAt > RECHECK_MS && entry.store instanceof DirectoryStore) {
      entry.checkedAt = now;
      const fingerprint = await this._fingerprint(entry.store);
      if (fingerprint !== entry.fingerprint) {
        this._log(`dataset '${id}': the store at ${entry.store.location} changed; reopening it`);
        this.chunkCache.deletePrefix(entry.cube.cacheKey);
        entry.cube = null;
      }
    }
    if (entry.cube) {
      return entry.cube;
    }
    if (entry.error && now - entry.errorAt < RETRY_MS) {
      throw unavailable(entry.error);
    }
    if (!entry.opening) {
      entry.opening = this._open(entry).finally(() => (entry.opening = null));
    }
    return entry.opening;
  }

  /** The published variables of a cube (the configured `Variables`, or all). */
  variables(id: string, cube: Cube): string[] {
    const config = this.dataset(id);
    return cube.variables.filter(name => matchesVariable(name, config.variables));
  }

  /** A published variable of a dataset; 404 naming it when there is none. */
  async variable(id: string, name: string): Promise<{ cube: Cube; name: string }> {
    const cube = await this.cube(id);
    if (!this.variables(id, cube).includes(name)) {
      throw notFound(`Variable '${name}' not found in dataset '${id}'`, 'varName');
    }
    return { cube, name };
  }

  /** The state of every dataset, for the server info and logs. */
  states(): { id: string; open: boolean; error: string | null }[] {
    return [...this._entries.values()].map(e => ({ id: e.config.identifier, open: !!e.cube, error: e.error }));
  }

  private async _open(entry: Entry): Promise<Cube> {
    const id = entry.config.identifier;
    try {
      const fingerprint = entry.store instanceof DirectoryStore ? await this._fingerprint(entry.store) : null;
      const cube = await Cube.open(id, entry.store, this.chunkCache);
      entry.cube = cube;
      entry.fingerprint = fingerprint;
      entry.checkedAt = Date.now();
      if (entry.error) {
        this._log(`dataset '${id}': store ${entry.store.location} is available again`);
      }
      entry.error = null;
      return cube;
    } catch (error) {
      const why = error instanceof CubeError || error instanceof Error ? error.message : String(error);
      const message = `Dataset '${id}' is unavailable: its store ${entry.store.location} cannot be opened (${why})`;
      if (entry.error !== message) {
        this._log(message);
      }
      entry.error = message;
      entry.errorAt = Date.now();
      throw error instanceof ApiError ? error : unavailable(message);
    }
  }

  private async _fingerprint(store: DirectoryStore): Promise<string> {
    try {
      const stat = (await store.stat('.zmetadata')) ?? (await store.stat('.zgroup'));
      return stat ? `${stat.size}:${stat.mtimeMs}` : 'none';
    } catch {
      return 'error';
    }
  }

  private _config: ServerConfig | null = null;
  private _entries = new Map<string, Entry>();
}
