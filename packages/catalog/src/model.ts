/**
 * The catalogue model: every dataset of every configured cube server. It follows the status model (servers
 * appear, disappear and come back up), lists each server through the xcube client, keeps a problem per
 * server that fails while the others stay listed, and remembers which datasets were used recently.
 */
import { EsdlApiError, IStatusModel, IUpstreamStatus, IXcubeDataset, XcubeClient } from '@esdl-lab/core';
import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyJSONValue } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { ICatalogEntry, toEntry } from './entry';
import { ILoadProblem, describeProblem } from './problems';
import { ICatalogFilters, NO_FILTERS } from './search';

/** `pending`: not asked yet, because the catalogue has not been shown (asking starts managed servers) */
export type ListingState = 'pending' | 'loading' | 'ready' | 'error';

/** What the catalogue knows of one cube server. */
export interface IServerListing {
  name: string;
  title: string;
  state: ListingState;
  entries: ICatalogEntry[];
  /** why the server could not be listed, when `state` is `error` */
  problem: ILoadProblem | null;
  /** datasets listed without details because their own request failed */
  datasetProblems: { id: string; title: string; problem: ILoadProblem }[];
  /** the server as the status model last reported it */
  upstream: IUpstreamStatus | undefined;
}

export namespace CatalogModel {
  export interface IOptions {
    status: IStatusModel;
    /** makes the client of a server (tests pass clients over recorded responses) */
    client?: (server: string) => XcubeClient;
    /** where "recently used" is kept across reloads */
    state?: IStateDB | null;
    /** how many datasets' details are fetched at once when a server lacks `details=1` */
    concurrency?: number;
  }
}

const RECENT_KEY = '@esdl-lab/labextension:catalog:recent';
const FILTERS_KEY = '@esdl-lab/labextension:catalog:filters';
const RECENT_MAX = 100;

export class CatalogModel implements IDisposable {
  constructor(options: CatalogModel.IOptions) {
    this._status = options.status;
    this._clientFactory = options.client ?? (server => new XcubeClient({ server }));
    this._state = options.state ?? null;
    this._concurrency = options.concurrency ?? 4;
    this._status.changed.connect(this._sync, this);
    this.ready = Promise.all([this._status.ready, this._restoreRecent(), this._restoreFilters()]).then(() =>
      this._sync()
    );
  }

  /** resolves once the servers known at start have been asked */
  readonly ready: Promise<void>;

  /** emitted when a server's listing, the servers, or the status changes */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** emitted when the recently-used list changes */
  get recentChanged(): ISignal<this, void> {
    return this._recentChanged;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** true once the status model has answered (so "no server configured" can be told apart from "not yet") */
  get statusKnown(): boolean {
    return this._status.status !== null;
  }

  /** the status request's own error, when the server extension cannot be asked */
  get statusError(): Error | null {
    return this._status.error;
  }

  /** every configured cube server, in the status model's order */
  get servers(): IServerListing[] {
    return [...this._servers.values()];
  }

  /** every listed dataset of every server */
  get entries(): ICatalogEntry[] {
    if (!this._entries) {
      this._entries = this.servers.flatMap(server => server.entries);
    }
    return this._entries;
  }

  /** the time (ms) each dataset key was last used */
  get lastUsed(): ReadonlyMap<string, number> {
    return this._recent;
  }

  entry(key: string): ICatalogEntry | undefined {
    return this.entries.find(entry => entry.key === key);
  }

  upstream(server: string): IUpstreamStatus | undefined {
    return this._status.upstream('cube', server);
  }

  /** the client of one server */
  client(server: string): XcubeClient {
    let client = this._clients.get(server);
    if (!client) {
      client = this._clientFactory(server);
      this._clients.set(server, client);
    }
    return client;
  }

  /** true once `start` was called */
  get started(): boolean {
    return this._started;
  }

  /**
   * Lists every server from now on. Called when the catalogue is first shown: listing a managed cube server
   * starts its process, which JupyterLab's start-up alone must not do.
   */
  start(): void {
    if (this._started) {
      return;
    }
    this._started = true;
    void this.ready.then(() => {
      for (const listing of this.servers) {
        if (listing.state === 'pending') {
          void this._load(listing.name);
        }
      }
    });
  }

  /** Lists one server again, or every server (after asking the status model again). */
  async refresh(server?: string): Promise<void> {
    this._started = true;
    if (server) {
      await this._load(server);
      return;
    }
    await this._status.refresh().catch(() => undefined);
    this._sync();
    await Promise.all(this.servers.map(listing => this._load(listing.name)));
  }

  /** the search and filters the user last set, kept across reloads */
  get filters(): ICatalogFilters {
    return this._filters;
  }

  set filters(filters: ICatalogFilters) {
    this._filters = filters;
    if (this._state) {
      const value = filters as unknown as ReadonlyJSONValue;
      void this._state.save(FILTERS_KEY, value).catch(() => undefined);
    }
  }

  /** Records that a dataset was used (opened, inserted, dragged, copied). */
  markUsed(key: string): void {
    this._recent.delete(key);
    this._recent.set(key, Date.now());
    while (this._recent.size > RECENT_MAX) {
      this._recent.delete(this._recent.keys().next().value as string);
    }
    this._recentChanged.emit();
    if (this._state) {
      const value = [...this._recent.entries()].map(([key, at]) => [key, at]) as unknown as ReadonlyJSONValue;
      void this._state.save(RECENT_KEY, value).catch(() => undefined);
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._status.changed.disconnect(this._sync, this);
    for (const controller of this._loads.values()) {
      controller.abort();
    }
    Signal.clearData(this);
  }

  private async _restoreRecent(): Promise<void> {
    if (!this._state) {
      return;
    }
    try {
      const saved = await this._state.fetch(RECENT_KEY);
      if (Array.isArray(saved)) {
        for (const item of saved) {
          if (Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'number') {
            this._recent.set(item[0], item[1]);
          }
        }
      }
    } catch {
      // a state database that cannot be read leaves the list empty
    }
  }

  private async _restoreFilters(): Promise<void> {
    try {
      const saved = (await this._state?.fetch(FILTERS_KEY)) as Partial<ICatalogFilters> | undefined;
      if (saved && typeof saved === 'object' && typeof saved.query === 'string') {
        const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
        const bbox = saved.bbox;
        this._filters = {
          query: saved.query,
          variable: text(saved.variable),
          timeFrom: text(saved.timeFrom),
          timeTo: text(saved.timeTo),
          bbox:
            Array.isArray(bbox) && bbox.length === 4 && bbox.every(Number.isFinite)
              ? (bbox as ICatalogFilters['bbox'])
              : null,
          servers: Array.isArray(saved.servers) ? saved.servers.filter(s => typeof s === 'string') : []
        };
      }
    } catch {
      // a state database that cannot be read starts without filters
    }
  }

  /** Follows the status model: new servers are listed, removed ones dropped, recovered ones listed again. */
  private _sync(): void {
    if (this._disposed || !this._status.status) {
      this._emit();
      return;
    }
    const upstreams = this._status.upstreams('cube');
    const names = new Set(upstreams.map(upstream => upstream.name));
    for (const name of [...this._servers.keys()]) {
      if (!names.has(name)) {
        this._loads.get(name)?.abort();
        this._servers.delete(name);
        this._entries = null;
      }
    }
    const toLoad: string[] = [];
    for (const upstream of upstreams) {
      const listing = this._servers.get(upstream.name);
      const previous = this._lastState.get(upstream.name);
      this._lastState.set(upstream.name, upstream.state);
      if (!listing) {
        this._servers.set(upstream.name, {
          name: upstream.name,
          title: upstream.title || upstream.name,
          state: this._started ? 'loading' : 'pending',
          entries: [],
          problem: null,
          datasetProblems: [],
          upstream
        });
        if (this._started) {
          toLoad.push(upstream.name);
        }
        continue;
      }
      listing.upstream = upstream;
      if (listing.title !== (upstream.title || upstream.name)) {
        listing.title = upstream.title || upstream.name;
      }
      // a server that failed and is now up again (or was restarted) is listed again at once
      if (listing.state === 'error' && upstream.state === 'up' && previous !== 'up') {
        toLoad.push(upstream.name);
      }
    }
    this._emit();
    for (const name of toLoad) {
      void this._load(name);
    }
  }

  private async _load(name: string): Promise<void> {
    const listing = this._servers.get(name);
    if (!listing) {
      return;
    }
    this._loads.get(name)?.abort();
    const controller = new AbortController();
    this._loads.set(name, controller);
    listing.state = 'loading';
    this._emit();
    const what = 'GET /datasets?details=1';
    try {
      const { datasets, problems } = await this._fetchDatasets(name, controller.signal);
      if (controller.signal.aborted) {
        return;
      }
      listing.entries = datasets.map(dataset => toEntry(name, listing.title, dataset));
      listing.datasetProblems = problems;
      listing.problem = null;
      listing.state = 'ready';
    } catch (error) {
      if (controller.signal.aborted) {
        return;
      }
      listing.entries = [];
      listing.datasetProblems = [];
      listing.problem = describeProblem(error, what, this.upstream(name));
      listing.state = 'error';
    } finally {
      if (this._loads.get(name) === controller) {
        this._loads.delete(name);
      }
    }
    this._entries = null;
    this._emit();
  }

  /**
   * `/datasets?details=1`, as xcube's viewer asks; a server that lacks it (an error, or summaries without
   * variables) is listed with `/datasets` and one `/datasets/{id}` per dataset instead.
   */
  private async _fetchDatasets(
    name: string,
    signal: AbortSignal
  ): Promise<{ datasets: IXcubeDataset[]; problems: IServerListing['datasetProblems'] }> {
    const client = this.client(name);
    try {
      const { datasets } = await client.datasets({ details: true, signal });
      return { datasets, problems: [] };
    } catch (error) {
      const fatal =
        !(error instanceof EsdlApiError) ||
        error.isUpstreamError ||
        error.isAuthError ||
        (error.reason === 'invalid-response' && typeof error.body === 'string');
      if (fatal || signal.aborted) {
        throw error;
      }
      let summaries;
      try {
        summaries = (await client.datasets({ signal })).datasets;
      } catch {
        throw error;
      }
      const datasets: IXcubeDataset[] = [];
      const problems: IServerListing['datasetProblems'] = [];
      let next = 0;
      const worker = async () => {
        while (next < summaries.length && !signal.aborted) {
          const summary = summaries[next++];
          try {
            datasets.push({ ...summary, ...(await client.dataset(summary.id, { signal })) });
          } catch (cause) {
            const problem = describeProblem(cause, `GET /datasets/${summary.id}`, this.upstream(name));
            problems.push({ id: summary.id, title: summary.title || summary.id, problem });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this._concurrency, summaries.length) }, worker));
      const order = new Map(summaries.map((summary, index) => [summary.id, index]));
      datasets.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
      return { datasets, problems };
    }
  }

  private _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _status: IStatusModel;
  private _clientFactory: (server: string) => XcubeClient;
  private _clients = new Map<string, XcubeClient>();
  private _state: IStateDB | null;
  private _concurrency: number;
  private _servers = new Map<string, IServerListing>();
  private _lastState = new Map<string, string>();
  private _loads = new Map<string, AbortController>();
  private _entries: ICatalogEntry[] | null = null;
  private _recent = new Map<string, number>();
  private _filters: ICatalogFilters = NO_FILTERS;
  private _disposed = false;
  private _started = false;
  private _changed = new Signal<this, void>(this);
  private _recentChanged = new Signal<this, void>(this);
}
