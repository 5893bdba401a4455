/**
 * The cluster launcher's front end: the kernel-jobs panel (left sidebar, and a section of JupyterLab's Running
 * sidebar) with one batched poll for all jobs, and notifications when a kernel job starts or ends. The GPU
 * kernel cards themselves are JupyterLab's own launcher cards: each kernel profile is a kernel spec.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IRunningSessionManagers, IRunningSessions } from '@jupyterlab/running';
import { CommandIDs } from '@esdl-lab/core';
import { Signal } from '@lumino/signaling';
import { gpuIcon } from './icons';
import { KernelJobsModel, describeJob } from './model';
import { KernelJobsPanel } from './panel';

export { KernelJobsModel, describeJob, formatDuration } from './model';

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@esdl-lab/labextension:launcher',
  description: 'GPU kernels on the cluster: the panel of kernel jobs, in the sidebar and in Running.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, IRunningSessionManagers],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    running: IRunningSessionManagers | null
  ): void => {
    const model = new KernelJobsModel();
    const displayName = (spec: string): string | undefined =>
      app.serviceManager.kernelspecs.specs?.kernelspecs[spec]?.display_name;
    const panel = new KernelJobsPanel(model, displayName);
    panel.id = 'esdl-kernel-jobs';
    panel.title.icon = gpuIcon;
    panel.title.caption = 'GPU kernel jobs';
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, 'esdl-kernel-jobs');

    app.commands.addCommand(CommandIDs.openLauncher, {
      label: 'Show GPU Kernel Jobs',
      caption: 'The kernels that run as cluster jobs: queued, running and ended',
      icon: gpuIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: CommandIDs.openLauncher, category: 'ESDL Lab' });

    // a kernel waiting in the queue: a notification that follows it (reason, estimated start) with Cancel,
    // so that the notebook whose kernel is "starting" says why, and the start can be called off
    const queued = new Map<string, string>();
    model.changed.connect(() => {
      const pending = new Map(model.liveJobs.filter(job => job.state === 'PENDING').map(job => [job.job_id, job]));
      for (const [jobId, job] of pending) {
        const message = `GPU kernel ${displayName(job.kernel_name) ?? job.kernel_name} (job ${jobId}) ${describeJob(job)}`;
        const actions = [
          {
            label: 'Cancel',
            caption: 'Remove the job from the queue: the kernel does not start',
            displayType: 'warn' as const,
            callback: () => void model.cancel(jobId)
          },
          { label: 'Show jobs', callback: () => app.shell.activateById(panel.id) }
        ];
        const id = queued.get(jobId);
        if (id === undefined) {
          queued.set(jobId, Notification.emit(message, 'in-progress', { autoClose: false, actions }));
        } else {
          Notification.update({ id, message, type: 'in-progress', autoClose: false, actions });
        }
      }
      for (const [jobId, id] of [...queued]) {
        if (!pending.has(jobId)) {
          Notification.dismiss(id);
          queued.delete(jobId);
        }
      }
    });

    model.jobChanged.connect((_, change) => {
      const job = change.job;
      const what = `${displayName(job.kernel_name) ?? job.kernel_name} (job ${job.job_id})`;
      if (change.kind === 'started') {
        Notification.info(`GPU kernel ${what} ${describeJob(job)}.`, { autoClose: 5000 });
      } else if (job.state === 'COMPLETED' || job.why === 'ended' || model.wasCancelledHere(job.job_id)) {
        Notification.info(`GPU kernel ${what} ${job.why || 'ended'}.`, { autoClose: 5000 });
      } else {
        const tail = job.log_tail ? ` The job log ends with: ${job.log_tail.split('\n').slice(-2).join(' ')}` : '';
        Notification.warning(`GPU kernel ${what} ${job.why}.${tail}`, {
          autoClose: false,
          actions: [{ label: 'Show jobs', callback: () => app.shell.activateById(panel.id) }]
        });
      }
    });

    if (running) {
      const runningChanged = new Signal<KernelJobsModel, void>(model);
      model.changed.connect(() => runningChanged.emit());
      running.add({
        name: 'GPU kernel jobs',
        supportsMultipleViews: false,
        running: () =>
          model.liveJobs.map((job): IRunningSessions.IRunningItem => ({
            icon: () => gpuIcon,
            label: () => `${displayName(job.kernel_name) ?? job.kernel_name} · job ${job.job_id}`,
            labelTitle: () => describeJob(job),
            detail: () => (job.state === 'PENDING' ? 'queued' : job.state.toLowerCase()),
            open: () => app.shell.activateById(panel.id),
            shutdown: () => void model.cancel(job.job_id)
          })),
        shutdownAll: () => {
          for (const job of model.liveJobs) {
            void model.cancel(job.job_id);
          }
        },
        refreshRunning: () => void model.refresh(),
        runningChanged,
        shutdownLabel: 'Cancel job',
        shutdownAllLabel: 'Cancel All',
        shutdownAllConfirmationText: 'Cancel every GPU kernel job? Running kernels are shut down.'
      });
    }
  }
};

export default plugin;
