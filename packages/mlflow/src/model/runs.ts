/**
 * The runs of one experiment as the runs panel shows them: pages of `runs/search` with MLflow's filter, the
 * view type and the sort, "load more", refresh and auto-refresh while runs are running, the selection, and
 * every failure as a message.
 */
import { IMlflowRun, MlflowClient, MlflowError, MlflowViewType } from '@esdl-lab/core';
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { IMlflowSettings } from '../settings';
import { ISort, RunsTable } from './runs-table';

export class RunsModel implements IDisposable {
  constructor(options: { client: MlflowClient; experimentIds: string[]; settings: IMlflowSettings }) {
    this._client = options.client;
    this.experimentIds = options.experimentIds;
    this._settings = options.settings;
    this.table = new RunsTable(options.settings);
    this._poll = new Poll({
      auto: false,
      factory: () => this._autoRefresh(),
      frequency: {
        interval: options.settings.autoRefreshInterval * 1000,
        backoff: false,
        max: options.settings.autoRefreshInterval * 1000
      },
      name: '@esdl-lab/mlflow:runs-refresh',
      standby: () => (this._autoRefreshOn && this.hasRunning ? 'when-hidden' : true)
    });
    void this._poll.start();
    this.setAutoRefresh(options.settings.autoRefresh);
  }

  readonly experimentIds: string[];
  readonly table: RunsTable;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get filter(): string {
    return this._filter;
  }

  get viewType(): MlflowViewType {
    return this._viewType;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** The last failure, or null. A bad filter is reported here with kind 'invalid'. */
  get error(): MlflowError | Error | null {
    return this._error;
  }

  /** A note about the data shown (e.g. sorted among the loaded runs only, or paging stopped). */
  get notice(): string | null {
    return this._notice;
  }

  /** Whether every run matching the filter is loaded. */
  /** Every run of the search is loaded (false until the first page has arrived). */
  get complete(): boolean {
    return this._loaded && !this._loading && this._nextPageToken === null;
  }

  get hasRunning(): boolean {
    return this.table.runs.some(run => run.info.status === 'RUNNING' || run.info.status === 'SCHEDULED');
  }

  get autoRefresh(): boolean {
    return this._autoRefreshOn;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The checked runs, in the order they were checked. */
  get selection(): readonly string[] {
    return [...this._selection];
  }

  isSelected(id: string): boolean {
    return this._selection.has(id);
  }

  setSelected(ids: string[], selected: boolean): void {
    for (const id of ids) {
      if (selected) {
        this._selection.add(id);
      } else {
        this._selection.delete(id);
      }
    }
    this._changed.emit();
  }

  clearSelection(): void {
    this._selection.clear();
    this._changed.emit();
  }

  /** The selected runs that are loaded. */
  selectedRuns(): IMlflowRun[] {
    return this.selection.map(id => this.table.run(id)).filter((run): run is IMlflowRun => !!run);
  }

  updateSettings(settings: IMlflowSettings): void {
    const pageSizeChanged = settings.pageSize !== this._settings.pageSize;
    this._settings = settings;
    this.table.setOptions(settings);
    this._poll.frequency = {
      interval: settings.autoRefreshInterval * 1000,
      backoff: false,
      max: settings.autoRefreshInterval * 1000
    };
    this.setAutoRefresh(settings.autoRefresh);
    if (pageSizeChanged) {
      void this.load();
    } else {
      this._changed.emit();
    }
  }

  /** Applies MLflow's filter syntax; the server's message shows when it refuses it. */
  async setFilter(filter: string): Promise<void> {
    this._filter = filter;
    await this.load();
  }

  async setViewType(viewType: MlflowViewType): Promise<void> {
    this._viewType = viewType;
    await this.load();
  }

  /**
   * Sorts by a column. With every run loaded, the table sorts at once; otherwise the server sorts and the
   * first page loads again, so that "Load more" continues in that order. Columns MLflow cannot sort by are
   * sorted among the loaded runs, and the notice says so.
   */
  async setSort(sort: ISort | null): Promise<void> {
    this.table.setSort(sort);
    const column = sort ? this.table.column(sort.column) : undefined;
    if (this.complete) {
      this._notice = null;
      this._changed.emit();
      return;
    }
    if (sort && !column?.orderKey) {
      this._notice = `Sorted among the ${this.table.size.toLocaleString('en')} loaded runs: MLflow cannot sort by ${column?.label ?? sort.column}. Load more to include more runs.`;
      this._changed.emit();
      return;
    }
    await this.load();
  }

  /** Loads the first page again. */
  async load(): Promise<void> {
    await this._fetch(false);
  }

  /** Loads the next page. */
  async loadMore(): Promise<void> {
    if (this._nextPageToken && !this._loading) {
      await this._fetch(true);
    }
  }

  /** Loads again as many runs as are loaded now (at least a page), keeping the selection. */
  async refresh(): Promise<void> {
    const wanted = Math.max(this.table.size, this._settings.pageSize);
    await this._fetch(false, Math.min(wanted, 50_000));
  }

  /** While on, the runs load again every interval as long as some are running and the page is visible. */
  setAutoRefresh(on: boolean): void {
    if (on !== this._autoRefreshOn) {
      this._autoRefreshOn = on;
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._abort?.abort();
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _autoRefresh(): Promise<void> {
    if (this._autoRefreshOn && this.hasRunning && !this._loading) {
      await this.refresh();
    }
  }

  private async _fetch(append: boolean, pageSize = this._settings.pageSize): Promise<void> {
    this._abort?.abort();
    const abort = (this._abort = new AbortController());
    this._loading = true;
    this._error = null;
    if (!append) {
      this._notice = null;
    }
    this._changed.emit();
    const token = append ? this._nextPageToken : null;
    try {
      const request = this.table.searchRequest({
        experimentIds: this.experimentIds,
        filter: this._filter,
        viewType: this._viewType,
        pageSize,
        pageToken: token
      });
      const page = await this._client.searchRuns(request, { signal: abort.signal });
      if (abort.signal.aborted || this._disposed) {
        return;
      }
      this.table.setRuns(page.items, append);
      this._loaded = true;
      if (page.nextPageToken !== null && page.nextPageToken === token) {
        this._nextPageToken = null;
        this._notice =
          "The MLflow server's page token did not advance, so loading stopped after " +
          `${this.table.size.toLocaleString('en')} runs.`;
      } else {
        this._nextPageToken = page.nextPageToken;
      }
    } catch (error) {
      if (abort.signal.aborted || this._disposed) {
        return;
      }
      this._error = error as Error;
      if (!append) {
        this.table.setRuns([]);
        this._nextPageToken = null;
        this._loaded = true;
      }
    } finally {
      if (this._abort === abort) {
        this._loading = false;
        this._abort = null;
      }
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _client: MlflowClient;
  private _settings: IMlflowSettings;
  private _filter = '';
  private _viewType: MlflowViewType = 'ACTIVE_ONLY';
  private _loading = false;
  private _loaded = false;
  private _error: Error | null = null;
  private _notice: string | null = null;
  private _nextPageToken: string | null = null;
  private _abort: AbortController | null = null;
  private _selection = new Set<string>();
  private _autoRefreshOn = false;
  private _poll: Poll;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
