/**
 * The status model: polls `/esdl-lab/status` so that every panel can say why it has no data.
 * It backs off while the server fails and stands by while the page is hidden.
 */
import { JSONExt, ReadonlyJSONValue } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { requestAPI } from './client';
import { IStatusResponse, IUpstreamStatus, UpstreamKind } from './types';

export interface IStatusModel extends IDisposable {
  /** the last status the server sent, or null before the first answer */
  readonly status: IStatusResponse | null;
  /** the error of the last poll, or null when it succeeded */
  readonly error: Error | null;
  /** emitted whenever `status` or `error` changes */
  readonly changed: ISignal<IStatusModel, void>;
  /** resolves after the first poll, whatever its outcome */
  readonly ready: Promise<void>;
  /** the upstreams of one kind, in the server's order */
  upstreams(kind?: UpstreamKind): IUpstreamStatus[];
  /** one upstream by kind and name */
  upstream(kind: UpstreamKind, name: string): IUpstreamStatus | undefined;
  /** polls now, and resolves when the answer has been applied */
  refresh(): Promise<void>;
  /** sets the time between polls while all is well, in milliseconds */
  setInterval(milliseconds: number): void;
}

export namespace StatusModel {
  export interface IOptions {
    /** fetches the status; by default `GET /esdl-lab/status` */
    fetchStatus?: () => Promise<IStatusResponse>;
    /** milliseconds between polls while all is well (default 10 s) */
    interval?: number;
    /** the longest wait between polls while the server fails (default 2 min) */
    maxInterval?: number;
    /** when to stop polling; by default while the page is hidden */
    standby?: Poll.Standby | (() => boolean | Poll.Standby);
  }
}

export class StatusModel implements IStatusModel {
  constructor(options: StatusModel.IOptions = {}) {
    this._fetchStatus = options.fetchStatus ?? (() => requestAPI<IStatusResponse>('status'));
    this._poll = new Poll<IStatusResponse, Error, 'standby'>({
      auto: false,
      factory: () => this._fetchStatus(),
      name: '@esdl-lab/core:status',
      standby: options.standby ?? 'when-hidden'
    });
    // set after construction: Poll's constructor raises any `max` below 30 s to 30 s
    this._maxInterval = options.maxInterval ?? 120_000;
    this.setInterval(options.interval ?? 10_000);
    this._poll.ticked.connect((_, tick) => {
      if (tick.phase === 'resolved') {
        this._apply(tick.payload as IStatusResponse, null);
      } else if (tick.phase === 'rejected') {
        this._apply(this._status, tick.payload as Error);
      }
    });
    this.ready = this._poll.start().then(() => this._poll.tick.then(() => undefined));
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this._onVisibilityChange);
    }
  }

  readonly ready: Promise<void>;

  get status(): IStatusResponse | null {
    return this._status;
  }

  get error(): Error | null {
    return this._error;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Sets the time between polls while all is well; backoff never waits less than this. */
  setInterval(milliseconds: number): void {
    this._poll.frequency = {
      interval: milliseconds,
      backoff: true,
      max: Math.max(milliseconds, this._maxInterval)
    };
  }

  upstreams(kind?: UpstreamKind): IUpstreamStatus[] {
    const all = this._status?.upstreams ?? [];
    return kind ? all.filter(upstream => upstream.kind === kind) : all;
  }

  upstream(kind: UpstreamKind, name: string): IUpstreamStatus | undefined {
    return this.upstreams(kind).find(upstream => upstream.name === name);
  }

  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    if (typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', this._onVisibilityChange);
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** Checks at once when the page comes back, instead of waiting out the standby. */
  private _onVisibilityChange = (): void => {
    if (document.visibilityState === 'visible' && this._poll.state.phase === 'standby') {
      void this._poll.refresh();
    }
  };

  private _apply(status: IStatusResponse | null, error: Error | null): void {
    const same =
      JSONExt.deepEqual(status as unknown as ReadonlyJSONValue, this._status as unknown as ReadonlyJSONValue) &&
      (error?.message ?? null) === (this._error?.message ?? null);
    this._status = status;
    this._error = error;
    if (!same) {
      this._changed.emit();
    }
  }

  private _fetchStatus: () => Promise<IStatusResponse>;
  private _maxInterval: number;
  private _poll: Poll<IStatusResponse, Error, 'standby'>;
  private _status: IStatusResponse | null = null;
  private _error: Error | null = null;
  private _changed = new Signal<this, void>(this);
}
