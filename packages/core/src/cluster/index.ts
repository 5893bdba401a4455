/**
 * The typed client of the cluster routes (`/esdl-lab/cluster/…`): the kernel jobs of this user.
 * The JSON mirrors `esdl_lab/cluster/jobs.py`; change both together.
 */
import { ServerConnection } from '@jupyterlab/services';
import { requestAPI } from '../client';

/** One kernel job as Slurm reports it. Times are Unix seconds; 0 means "not known". */
export interface IKernelJob {
  job_id: string;
  /** the Jupyter kernel that runs in the job */
  kernel_id: string;
  /** the kernel spec (profile) it was started from, e.g. "esdl-gpu-1" */
  kernel_name: string;
  /** the Jupyter server that started it ("host:port") */
  server: string;
  /** Slurm's job name */
  name: string;
  /** Slurm's state: PENDING, RUNNING, COMPLETING, CANCELLED, TIMEOUT, OUT_OF_MEMORY, … */
  state: string;
  /** whether the job may still run the kernel */
  live: boolean;
  /** why it waits (Resources, Priority, …), empty when it does not */
  reason: string;
  partition: string;
  node: string;
  /** the node's GPU indices it holds ("0,1", as SLURM_JOB_GPUS says), empty while queued */
  gpus: string;
  gpus_requested: number;
  cpus: number;
  submit_time: number;
  /** queued: Slurm's estimated start (0 until it has one); running or ended: when it started */
  start_time: number;
  end_time: number;
  time_limit_s: number;
  elapsed_s: number;
  /** walltime left while it runs, else null */
  remaining_s: number | null;
  /** why it ended, in words ("reached its walltime"); empty while live */
  why: string;
  /** the last lines of its log when it ended badly */
  log_tail: string;
}

export interface IKernelJobsResponse {
  /** "slurm", or null when this server has no kernel profiles */
  backend: string | null;
  /** false when the scheduler did not answer: the jobs are then unknown, not gone */
  available: boolean;
  error: string | null;
  jobs: IKernelJob[];
  checked_at: number;
}

export interface ICancelKernelJobResponse {
  job_id: string;
  /** "kernel shut down", "job cancelled" or "already ended" */
  done: string;
  state: string;
}

/** `GET /esdl-lab/cluster/jobs` */
export function listKernelJobs(settings?: ServerConnection.ISettings): Promise<IKernelJobsResponse> {
  return requestAPI<IKernelJobsResponse>('cluster/jobs', {}, settings);
}

/** `DELETE /esdl-lab/cluster/jobs/<id>`: shuts the kernel down when it runs, cancels the job when queued. */
export function cancelKernelJob(
  jobId: string,
  settings?: ServerConnection.ISettings
): Promise<ICancelKernelJobResponse> {
  return requestAPI<ICancelKernelJobResponse>(
    `cluster/jobs/${encodeURIComponent(jobId)}`,
    { method: 'DELETE' },
    settings
  );
}

/** The resources of a custom GPU kernel, as the form asks for them. */
export interface IKernelResources {
  gpus: number;
  cpus: number;
  /** like "16G" or "4000M" */
  memory: string;
  /** HH:MM:SS or D-HH:MM:SS */
  walltime: string;
  /** empty: the cluster's default partition */
  partition: string;
}

export interface IKernelLimits {
  /** the most a custom kernel may ask for */
  limits: Omit<IKernelResources, 'partition'> & { partitions: string[] };
  /** what the form starts with */
  defaults: IKernelResources;
}

/** Slurm's estimate for a job of these resources (`sbatch --test-only`; nothing submitted). */
export interface IStartEstimate {
  /** Unix seconds */
  start_time: number;
  start: string;
  nodes: string;
  partition: string;
  message: string;
}

/** `GET /esdl-lab/cluster/limits` (404 when the server has no kernel profiles) */
export function getKernelLimits(settings?: ServerConnection.ISettings): Promise<IKernelLimits> {
  return requestAPI<IKernelLimits>('cluster/limits', {}, settings);
}

/** `POST /esdl-lab/cluster/estimate`: 400 with the reason for resources outside the limits */
export function estimateKernelStart(
  resources: IKernelResources,
  settings?: ServerConnection.ISettings
): Promise<IStartEstimate> {
  return requestAPI<IStartEstimate>('cluster/estimate', { method: 'POST', body: JSON.stringify(resources) }, settings);
}

/** `POST /esdl-lab/cluster/kernelspecs`: a kernel spec for exactly these resources, to start like any other */
export function createCustomKernelSpec(
  resources: IKernelResources,
  settings?: ServerConnection.ISettings
): Promise<{ name: string; display_name: string }> {
  return requestAPI<{ name: string; display_name: string }>(
    'cluster/kernelspecs',
    { method: 'POST', body: JSON.stringify(resources) },
    settings
  );
}
