/**
 * "Custom GPU kernel…": a form for the resources of one kernel within the limits the server allows, with
 * Slurm's estimated start (`sbatch --test-only`) updated as the values change.
 */
import { IKernelLimits, IKernelResources, IStartEstimate, estimateKernelStart } from '@esdl-lab/core';
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

export class CustomKernelForm extends Widget implements Dialog.IBodyWidget<IKernelResources> {
  constructor(
    limits: IKernelLimits,
    initial: IKernelResources = limits.defaults,
    estimate: (resources: IKernelResources) => Promise<IStartEstimate> = r => estimateKernelStart(r)
  ) {
    super();
    this._estimate = estimate;
    this.addClass('esdl-CustomKernel');
    const max = limits.limits;
    this._gpus = this._number('GPUs', initial.gpus, 0, max.gpus, `0 to ${max.gpus}`);
    this._cpus = this._number('CPUs', initial.cpus, 1, max.cpus, `1 to ${max.cpus}`);
    this._memory = this._text('Memory', initial.memory, `like 16G or 4000M, at most ${max.memory}`);
    this._walltime = this._text('Walltime', initial.walltime, `HH:MM:SS, at most ${max.walltime}`);
    const label = document.createElement('label');
    label.textContent = 'Partition';
    this._partition = document.createElement('select');
    this._partition.className = 'jp-mod-styled';
    for (const name of ['', ...max.partitions]) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name || 'the default';
      this._partition.append(option);
    }
    this._partition.value = initial.partition;
    this._partition.addEventListener('change', () => this._schedule());
    label.append(this._partition);
    this.node.append(label);
    this._status = document.createElement('p');
    this._status.className = 'esdl-CustomKernel-estimate';
    this._status.setAttribute('aria-live', 'polite');
    this.node.append(this._status);
    this._schedule(0);
  }

  getValue(): IKernelResources {
    return {
      gpus: Number(this._gpus.value),
      cpus: Number(this._cpus.value),
      memory: this._memory.value.trim().toUpperCase(),
      walltime: this._walltime.value.trim(),
      partition: this._partition.value
    };
  }

  /** resolves once the estimate for the current values is shown */
  get estimated(): Promise<void> {
    return this._pending;
  }

  private _number(name: string, value: number, min: number, max: number, hint: string): HTMLInputElement {
    const input = this._field(name, hint);
    input.type = 'number';
    input.min = String(min);
    input.max = String(max);
    input.step = '1';
    input.value = String(value);
    return input;
  }

  private _text(name: string, value: string, hint: string): HTMLInputElement {
    const input = this._field(name, hint);
    input.type = 'text';
    input.value = value;
    return input;
  }

  private _field(name: string, hint: string): HTMLInputElement {
    const label = document.createElement('label');
    label.textContent = name;
    const input = document.createElement('input');
    input.className = 'jp-mod-styled';
    input.name = name.toLowerCase();
    input.title = hint;
    input.setAttribute('aria-label', `${name} (${hint})`);
    input.addEventListener('input', () => this._schedule());
    const small = document.createElement('small');
    small.textContent = hint;
    label.append(input, small);
    this.node.append(label);
    return input;
  }

  private _schedule(delay = 400): void {
    clearTimeout(this._timer);
    this._status.textContent = 'Asking Slurm when it could start…';
    this._status.classList.remove('esdl-mod-problem');
    this._pending = new Promise(resolve => {
      this._timer = window.setTimeout(() => void this._update().then(resolve), delay);
    });
  }

  private async _update(): Promise<void> {
    const asked = ++this._asked;
    let text: string;
    let problem = false;
    try {
      const estimate = await this._estimate(this.getValue());
      const start = new Date(estimate.start_time * 1000);
      const soon = estimate.start_time * 1000 - Date.now() < 60_000;
      text = soon
        ? `Slurm could start it now, on ${estimate.nodes} (partition ${estimate.partition}).`
        : `Slurm estimates a start at ${start.toLocaleString()} on ${estimate.nodes} (partition ${estimate.partition}).`;
    } catch (error) {
      text = (error as Error).message;
      problem = true;
    }
    if (asked === this._asked) {
      this._status.textContent = text;
      this._status.classList.toggle('esdl-mod-problem', problem);
    }
  }

  private _estimate: (resources: IKernelResources) => Promise<IStartEstimate>;
  private _gpus: HTMLInputElement;
  private _cpus: HTMLInputElement;
  private _memory: HTMLInputElement;
  private _walltime: HTMLInputElement;
  private _partition: HTMLSelectElement;
  private _status: HTMLParagraphElement;
  private _timer = 0;
  private _asked = 0;
  private _pending: Promise<void> = Promise.resolve();
}
