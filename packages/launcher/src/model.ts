/**
 * The kernel-jobs model: one batched poll of `/esdl-lab/cluster/jobs` for every job, fast while a job waits or
 * starts, slower when all run, backing off while the server fails and standing by while the page is hidden.
 * It tells when a job starts and when one ends (with why), so that the panel and notifications need no
 * polling of their own.
 */
import { IKernelJob, IKernelJobsResponse, cancelKernelJob, listKernelJobs } from '@esdl-lab/core';
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

export namespace KernelJobsModel {
  export interface IOptions {
    /** fetches the jobs; by default `GET /esdl-lab/cluster/jobs` */
    fetchJobs?: () => Promise<IKernelJobsResponse>;
    /** cancels a job; by default `DELETE /esdl-lab/cluster/jobs/<id>` */
    cancelJob?: (jobId: string) => Promise<unknown>;
    /** ms between polls while a job waits or starts (default 2 s) */
    busyInterval?: number;
    /** ms between polls otherwise (default 5 s: a kernel start shows up as queued soon) */
    idleInterval?: number;
    /** the longest wait between polls while the server fails (default 2 min) */
    maxInterval?: number;
    standby?: Poll.Standby | (() => boolean | Poll.Standby);
  }

  /** A job that changed between two polls. */
  export interface IChange {
    kind: 'started' | 'ended';
    job: IKernelJob;
  }
}

export class KernelJobsModel implements IDisposable {
  constructor(options: KernelJobsModel.IOptions = {}) {
    this._fetchJobs = options.fetchJobs ?? (() => listKernelJobs());
    this._cancelJob = options.cancelJob ?? (id => cancelKernelJob(id));
    this._busyInterval = options.busyInterval ?? 2000;
    // squeue --json of 22.05 ignores its filters, so the server shares one answer among all polls (2 s)
    this._idleInterval = options.idleInterval ?? 5000;
    this._poll = new Poll<IKernelJobsResponse, Error, 'standby'>({
      auto: false,
      factory: () => this._fetchJobs(),
      name: '@esdl-lab/launcher:kernel-jobs',
      standby: options.standby ?? 'when-hidden'
    });
    this._maxInterval = options.maxInterval ?? 120_000;
    this._setInterval(this._idleInterval);
    this._poll.ticked.connect((_, tick) => {
      if (tick.phase === 'resolved') {
        this._apply(tick.payload as IKernelJobsResponse, null);
      } else if (tick.phase === 'rejected') {
        this._apply(this._response, tick.payload as Error);
      }
    });
    this.ready = this._poll.start().then(() => this._poll.tick.then(() => undefined));
  }

  readonly ready: Promise<void>;

  /** every job the last answer listed: live ones first, newest first */
  get jobs(): IKernelJob[] {
    return this._response?.jobs ?? [];
  }

  /** the jobs that may still run a kernel */
  get liveJobs(): IKernelJob[] {
    return this.jobs.filter(job => job.live);
  }

  /** null before the first answer; "slurm"; or null with `configured` false when there are no profiles */
  get backend(): string | null {
    return this._response?.backend ?? null;
  }

  /** false once the server said it has no kernel profiles */
  get configured(): boolean {
    return this._response === null || this._response.backend !== null;
  }

  /**
   * Why the list may be wrong: the scheduler did not answer (the jobs are unknown, not gone), or the
   * request failed. Null when the last poll worked.
   */
  get problem(): string | null {
    if (this._error) {
      return `Could not ask the server for kernel jobs: ${this._error.message}`;
    }
    if (this._response && !this._response.available && this._response.error) {
      return this._response.error;
    }
    return null;
  }

  /** ms until the next poll while all is well: short while a job is queued or starting */
  get interval(): number {
    return this._interval;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** a job started running or ended since the previous poll */
  get jobChanged(): ISignal<this, KernelJobsModel.IChange> {
    return this._jobChanged;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick;
  }

  /** Ends a job (a running kernel is shut down, a queued job cancelled), then polls again. */
  async cancel(jobId: string): Promise<void> {
    this._cancelling.add(jobId);
    this._cancelledHere.add(jobId);
    this._changed.emit();
    try {
      await this._cancelJob(jobId);
    } finally {
      this._cancelling.delete(jobId);
      await this.refresh();
    }
  }

  /** whether the job was cancelled from this page (its end then needs no warning) */
  wasCancelledHere(jobId: string): boolean {
    return this._cancelledHere.has(jobId);
  }

  /** whether a cancel of the job is under way */
  isCancelling(jobId: string): boolean {
    return this._cancelling.has(jobId);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _setInterval(milliseconds: number): void {
    this._interval = milliseconds;
    this._poll.frequency = {
      interval: milliseconds,
      backoff: true,
      max: Math.max(milliseconds, this._maxInterval)
    };
  }

  private _apply(response: IKernelJobsResponse | null, error: Error | null): void {
    const before = this._response;
    this._response = response;
    this._error = error;
    // an unknown list (scheduler down) says nothing about starts and ends
    if (before && response && before.available && response.available) {
      this._compare(before.jobs, response.jobs);
    }
    const busy = this.liveJobs.some(job => job.state !== 'RUNNING');
    const wanted = busy ? this._busyInterval : this._idleInterval;
    if (wanted !== this._interval) {
      this._setInterval(wanted);
    }
    this._changed.emit();
  }

  private _compare(before: IKernelJob[], after: IKernelJob[]): void {
    const now = new Map(after.map(job => [job.job_id, job]));
    for (const old of before) {
      const job = now.get(old.job_id);
      if (old.live && job && job.state === 'RUNNING' && old.state !== 'RUNNING') {
        this._jobChanged.emit({ kind: 'started', job });
      } else if (old.live && job && !job.live) {
        this._jobChanged.emit({ kind: 'ended', job });
      } else if (old.live && !job) {
        // Slurm forgot it between two polls
        this._jobChanged.emit({ kind: 'ended', job: { ...old, live: false, state: 'ENDED', why: 'ended' } });
      }
    }
    for (const job of after) {
      if (!before.some(old => old.job_id === job.job_id) && job.state === 'RUNNING') {
        this._jobChanged.emit({ kind: 'started', job });
      }
    }
  }

  private _fetchJobs: () => Promise<IKernelJobsResponse>;
  private _cancelJob: (jobId: string) => Promise<unknown>;
  private _busyInterval: number;
  private _idleInterval: number;
  private _interval = 0;
  private _maxInterval: number;
  private _poll: Poll<IKernelJobsResponse, Error, 'standby'>;
  private _response: IKernelJobsResponse | null = null;
  private _error: Error | null = null;
  private _cancelling = new Set<string>();
  private _cancelledHere = new Set<string>();
  private _changed = new Signal<this, void>(this);
  private _jobChanged = new Signal<this, KernelJobsModel.IChange>(this);
}

/** "1 h 05 min", "42 s": a duration for people. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) {
    return `${hours} h ${String(rest).padStart(2, '0')} min`;
  }
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A one-line summary of a job's state, as the panel and the Running sidebar show it. */
export function describeJob(job: IKernelJob, now = Date.now() / 1000): string {
  if (job.state === 'PENDING') {
    const when = job.start_time > 0 ? `, est. start ${new Date(job.start_time * 1000).toLocaleTimeString()}` : '';
    return `queued: ${job.reason || 'waiting'}${when}`;
  }
  if (job.state === 'RUNNING') {
    const left = job.remaining_s !== null ? `, ${formatDuration(job.remaining_s)} left` : '';
    const gpus = job.gpus ? ` · GPU ${job.gpus}` : '';
    return `running on ${job.node}${gpus} · ${formatDuration(job.elapsed_s)}${left}`;
  }
  if (job.live) {
    return job.state.toLowerCase();
  }
  const ago = job.end_time > 0 ? ` ${formatDuration(now - job.end_time)} ago` : '';
  return `${job.why || job.state.toLowerCase()}${ago}`;
}
