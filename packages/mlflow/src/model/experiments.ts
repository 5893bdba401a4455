/**
 * The experiment list of the sidebar: a search (plain words match names; MLflow's experiment filter syntax
 * passes as it is), active or deleted experiments, pages of 100 with "load more".
 */
import { IMlflowExperiment, MlflowClient, MlflowViewType } from '@esdl-lab/core';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

const FILTER_SYNTAX = /^\s*(name|tags?\.|attributes?\.|creation_time|last_update_time)\b.*(=|<|>|\blike\b|\bilike\b)/i;

/**
 * The experiment filter for what a user typed: a filter expression as it is, anything else as words that
 * the name must contain (MLflow's `ILIKE`, with `%`, `_` and quotes escaped).
 */
export function experimentFilter(search: string): string {
  const text = search.trim();
  if (!text) {
    return '';
  }
  if (FILTER_SYNTAX.test(text)) {
    return text;
  }
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/[%_]/g, c => `\\${c}`)
    .replace(/'/g, "\\'");
  return `name ILIKE '%${escaped}%'`;
}

export class ExperimentsModel implements IDisposable {
  constructor(client: MlflowClient, pageSize = 100) {
    this._client = client;
    this._pageSize = pageSize;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get experiments(): readonly IMlflowExperiment[] {
    return this._experiments;
  }

  get search(): string {
    return this._search;
  }

  get viewType(): MlflowViewType {
    return this._viewType;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): Error | null {
    return this._error;
  }

  /** Whether the server has more experiments than are loaded. */
  get hasMore(): boolean {
    return this._nextPageToken !== null;
  }

  /** Whether a first answer has arrived (with experiments or an error). */
  get loaded(): boolean {
    return this._loaded;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  experiment(id: string): IMlflowExperiment | undefined {
    return this._experiments.find(experiment => experiment.experiment_id === id);
  }

  async setSearch(search: string): Promise<void> {
    this._search = search;
    await this.load();
  }

  async setViewType(viewType: MlflowViewType): Promise<void> {
    this._viewType = viewType;
    await this.load();
  }

  async load(): Promise<void> {
    await this._fetch(false);
  }

  async loadMore(): Promise<void> {
    if (this._nextPageToken && !this._loading) {
      await this._fetch(true);
    }
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this._abort?.abort();
      Signal.clearData(this);
    }
  }

  private async _fetch(append: boolean): Promise<void> {
    this._abort?.abort();
    const abort = (this._abort = new AbortController());
    const token = append ? this._nextPageToken : null;
    this._loading = true;
    this._error = null;
    this._changed.emit();
    try {
      const page = await this._client.searchExperiments(
        {
          filter: experimentFilter(this._search),
          viewType: this._viewType,
          maxResults: this._pageSize,
          orderBy: ['last_update_time DESC'],
          pageToken: token
        },
        { signal: abort.signal }
      );
      if (abort.signal.aborted) {
        return;
      }
      this._experiments = append ? [...this._experiments, ...page.items] : page.items;
      // a token that does not advance would load the same page for ever
      this._nextPageToken = page.nextPageToken && page.nextPageToken !== token ? page.nextPageToken : null;
    } catch (error) {
      if (abort.signal.aborted) {
        return;
      }
      this._error = error as Error;
      if (!append) {
        this._experiments = [];
        this._nextPageToken = null;
      }
    } finally {
      if (this._abort === abort) {
        this._abort = null;
        this._loading = false;
        this._loaded = true;
      }
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _client: MlflowClient;
  private _pageSize: number;
  private _experiments: IMlflowExperiment[] = [];
  private _search = '';
  private _viewType: MlflowViewType = 'ACTIVE_ONLY';
  private _loading = false;
  private _loaded = false;
  private _error: Error | null = null;
  private _nextPageToken: string | null = null;
  private _abort: AbortController | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
