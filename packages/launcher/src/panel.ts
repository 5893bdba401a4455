/**
 * The kernel-jobs panel: each kernel job with its state, pending reason and estimated start, node, GPUs,
 * elapsed and remaining walltime, and Cancel; ended jobs say why, with the last lines of their log.
 */
import { IKernelJob } from '@esdl-lab/core';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { KernelJobsModel, describeJob, formatDuration } from './model';

/** ended jobs shown below the live ones (the newest first) */
const ENDED_SHOWN = 5;

export class KernelJobsPanel extends Widget {
  /**
   * @param displayName the kernel spec's display name ("Python 3 · 1 GPU · 4 h") for a spec name
   */
  constructor(model: KernelJobsModel, displayName: (spec: string) => string | undefined = () => undefined) {
    super();
    this.model = model;
    this._displayName = displayName;
    this.addClass('esdl-KernelJobs');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'GPU kernel jobs');
    const header = document.createElement('div');
    header.className = 'esdl-KernelJobs-header';
    const title = document.createElement('h2');
    title.textContent = 'GPU kernel jobs';
    const refresh = document.createElement('button');
    refresh.className = 'jp-Button jp-mod-minimal esdl-KernelJobs-refresh';
    refresh.textContent = 'Refresh';
    refresh.title = 'Ask Slurm again now';
    refresh.addEventListener('click', () => void this.model.refresh());
    header.append(title, refresh);
    this._status = document.createElement('div');
    this._status.className = 'esdl-KernelJobs-status';
    this._status.setAttribute('aria-live', 'polite');
    this._list = document.createElement('ul');
    this._list.className = 'esdl-KernelJobs-list';
    this.node.append(header, this._status, this._list);
    model.changed.connect(this._render, this);
    this._render();
  }

  readonly model: KernelJobsModel;

  protected onAfterShow(): void {
    void this.model.refresh();
  }

  dispose(): void {
    if (this._timer) {
      clearInterval(this._timer);
    }
    super.dispose();
  }

  private _render(): void {
    const model = this.model;
    const jobs = model.jobs;
    this._status.classList.toggle('esdl-mod-problem', model.problem !== null);
    if (!model.configured) {
      this._status.textContent =
        'No GPU kernel profiles on this server. An administrator adds them with c.ESDLLab.kernel_profiles.';
    } else if (model.problem) {
      this._status.textContent = model.problem;
    } else {
      const live = model.liveJobs;
      const queued = live.filter(job => job.state === 'PENDING').length;
      this._status.textContent = live.length
        ? `${live.length} kernel job${live.length === 1 ? '' : 's'}` + (queued ? `, ${queued} queued` : '')
        : model.backend === 'local'
          ? 'No kernel jobs. The launcher cards of kernel profiles run kernels on this machine (no scheduler here).'
          : 'No kernel jobs. Start one from the launcher: its GPU cards run kernels as Slurm jobs.';
    }
    const shown = [...model.liveJobs, ...jobs.filter(job => !job.live).slice(0, ENDED_SHOWN)];
    this._list.replaceChildren(...shown.map(job => this._item(job)));
    // running times tick between polls
    if (jobs.some(job => job.state === 'RUNNING') && !this._timer) {
      this._timer = window.setInterval(() => this._tick(), 1000);
    } else if (!jobs.some(job => job.state === 'RUNNING') && this._timer) {
      clearInterval(this._timer);
      this._timer = 0;
    }
    this._renderedAt = Date.now();
  }

  private _tick(): void {
    const since = (Date.now() - this._renderedAt) / 1000;
    for (const job of this.model.jobs) {
      if (job.state !== 'RUNNING') {
        continue;
      }
      const line = this._list.querySelector(`[data-job-id="${job.job_id}"] .esdl-KernelJobs-detail`);
      if (line) {
        line.textContent = describeJob({
          ...job,
          elapsed_s: job.elapsed_s + since,
          remaining_s: job.remaining_s === null ? null : Math.max(0, job.remaining_s - since)
        });
      }
    }
  }

  private _item(job: IKernelJob): HTMLLIElement {
    const item = document.createElement('li');
    item.className = 'esdl-KernelJobs-item';
    item.dataset.jobId = job.job_id;
    item.dataset.state = job.state;
    const top = document.createElement('div');
    top.className = 'esdl-KernelJobs-top';
    const badge = document.createElement('span');
    badge.className = `esdl-KernelJobs-state esdl-mod-${job.live ? job.state.toLowerCase() : 'ended'}`;
    badge.textContent = job.state === 'PENDING' ? 'queued' : job.state.toLowerCase().replace(/_/g, ' ');
    const name = document.createElement('span');
    name.className = 'esdl-KernelJobs-name';
    name.textContent = this._displayName(job.kernel_name) ?? job.kernel_name ?? job.name;
    name.title = `kernel spec ${job.kernel_name}, kernel ${job.kernel_id}, partition ${job.partition}`;
    const id = document.createElement('span');
    id.className = 'esdl-KernelJobs-id';
    id.textContent = `job ${job.job_id}`;
    top.append(badge, name, id);
    const detail = document.createElement('div');
    detail.className = 'esdl-KernelJobs-detail';
    detail.textContent = describeJob(job);
    item.append(top, detail);
    const facts = document.createElement('div');
    facts.className = 'esdl-KernelJobs-facts';
    const gpus = job.gpus_requested ? `${job.gpus_requested} GPU${job.gpus_requested === 1 ? '' : 's'}` : '';
    const cpus = job.cpus > 0 ? `${job.cpus} CPU${job.cpus === 1 ? '' : 's'}` : '';
    facts.textContent = [gpus, cpus, `walltime ${formatDuration(job.time_limit_s)}`, job.partition]
      .filter(Boolean)
      .join(' · ');
    item.append(facts);
    if (job.live) {
      const cancel = document.createElement('button');
      cancel.className = 'jp-Button jp-mod-styled jp-mod-warn esdl-KernelJobs-cancel';
      const cancelling = this.model.isCancelling(job.job_id);
      cancel.textContent = cancelling ? 'Cancelling…' : 'Cancel';
      cancel.disabled = cancelling;
      cancel.title =
        job.state === 'RUNNING'
          ? 'Shut the kernel down and end its job'
          : 'Remove the job from the queue (the kernel does not start)';
      cancel.setAttribute('aria-label', `Cancel kernel job ${job.job_id}`);
      cancel.addEventListener('click', () => void this._cancel(job));
      item.append(cancel);
    }
    if (job.log_tail) {
      const details = document.createElement('details');
      details.className = 'esdl-KernelJobs-log';
      const summary = document.createElement('summary');
      summary.textContent = 'Last lines of the job log';
      const pre = document.createElement('pre');
      pre.textContent = job.log_tail;
      details.append(summary, pre);
      item.append(details);
    }
    return item;
  }

  private async _cancel(job: IKernelJob): Promise<void> {
    const running = job.state === 'RUNNING';
    const result = await showDialog({
      title: `Cancel kernel job ${job.job_id}?`,
      body: running
        ? 'The kernel is shut down and its job ends; variables in it are lost.'
        : 'The job leaves the queue and its kernel does not start.',
      buttons: [Dialog.cancelButton({ label: 'Keep it' }), Dialog.warnButton({ label: 'Cancel job' })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await this.model.cancel(job.job_id);
    } catch (error) {
      void showDialog({
        title: `Job ${job.job_id} was not cancelled`,
        body: (error as Error).message,
        buttons: [Dialog.okButton()]
      });
    }
  }

  private _displayName: (spec: string) => string | undefined;
  private _status: HTMLDivElement;
  private _list: HTMLUListElement;
  private _timer = 0;
  private _renderedAt = 0;
}
