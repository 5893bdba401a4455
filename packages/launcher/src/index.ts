/**
 * The cluster launcher's front end: the kernel-jobs panel (left sidebar, and a section of JupyterLab's Running
 * sidebar) with one batched poll for all jobs, and notifications when a kernel job starts or ends. The GPU
 * kernel cards themselves are JupyterLab's own launcher cards: each kernel profile is a kernel spec.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IRunningSessionManagers, IRunningSessions } from '@jupyterlab/running';
import { CommandIDs, IKernelLimits, IKernelResources, createCustomKernelSpec, getKernelLimits } from '@esdl-lab/core';
import { Signal } from '@lumino/signaling';
import { gpuIcon } from './icons';
import { KernelJobsModel, describeJob } from './model';
import { KernelJobsPanel } from './panel';
import { CustomKernelForm } from './form';

const NEW_CUSTOM_KERNEL = 'esdl-lab:new-custom-gpu-kernel';

/** the launcher card's picture: the GPU board of the profiles' kernel specs, with a "+" */
const CARD_ICON_URL =
  'data:image/svg+xml;base64,' +
  btoa(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect x="6" y="16" width="52" height="32" rx="4" ' +
      'fill="#3b7d3b"/><rect x="14" y="24" width="16" height="16" fill="#d9f0d9"/><path d="M36 32h14M43 25v14" ' +
      'stroke="#d9f0d9" stroke-width="4"/><g fill="#3b7d3b"><rect x="12" y="48" width="4" height="8"/>' +
      '<rect x="22" y="48" width="4" height="8"/><rect x="32" y="48" width="4" height="8"/>' +
      '<rect x="42" y="48" width="4" height="8"/></g></svg>'
  );

export { KernelJobsModel, describeJob, formatDuration } from './model';

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@esdl-lab/labextension:launcher',
  description: 'GPU kernels on the cluster: the panel of kernel jobs, in the sidebar and in Running.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, IRunningSessionManagers, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    running: IRunningSessionManagers | null,
    launcher: ILauncher | null
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
      isVisible: () => !panel.isDisposed,
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

    // "Custom GPU kernel…": only where the server offers kernel profiles
    let limits: IKernelLimits | null = null;
    app.commands.addCommand(NEW_CUSTOM_KERNEL, {
      label: args => (args.isLauncher ? 'Custom GPU kernel…' : 'New Notebook on a Custom GPU Kernel…'),
      caption: 'Pick GPUs, CPUs, memory and walltime within the limits here; see when Slurm could start it',
      icon: gpuIcon,
      isVisible: () => limits !== null,
      execute: async () => {
        if (!limits) {
          return;
        }
        let values: IKernelResources = limits.defaults;
        for (;;) {
          const form = new CustomKernelForm(limits, values);
          const result = await showDialog({
            title: 'Custom GPU kernel',
            body: form,
            buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Start kernel' })],
            focusNodeSelector: 'input'
          });
          if (!result.button.accept || !result.value) {
            return;
          }
          values = result.value;
          try {
            const spec = await createCustomKernelSpec(values);
            await app.serviceManager.kernelspecs.refreshSpecs();
            return app.commands.execute('notebook:create-new', { kernelName: spec.name });
          } catch (error) {
            // the form comes back with the values, after the reason
            await showErrorMessage('This GPU kernel cannot be started', (error as Error).message);
          }
        }
      }
    });
    palette?.addItem({ command: NEW_CUSTOM_KERNEL, category: 'ESDL Lab' });
    getKernelLimits()
      .then(found => {
        limits = found;
        launcher?.add({
          command: NEW_CUSTOM_KERNEL,
          category: 'Notebook',
          rank: 100,
          args: { isLauncher: true, kernelIconUrl: CARD_ICON_URL }
        });
      })
      .catch(() => {
        // no kernel profiles on this server: no form
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

    const addRunningSection = (running: IRunningSessionManagers): void => {
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
    };
    // a server without kernel profiles: no panel, no Running section, no polling
    void model.ready.then(() => {
      if (!model.configured) {
        panel.dispose();
        model.dispose();
      } else if (running) {
        addRunningSection(running);
      }
    });
  }
};

export default plugin;
