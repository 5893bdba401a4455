import { IKernelJob, IKernelJobsResponse } from '@esdl-lab/core';
import { describe, expect, it } from 'vitest';
import { KernelJobsModel, describeJob, formatDuration } from '../src/model';

function job(over: Partial<IKernelJob>): IKernelJob {
  return {
    job_id: '7',
    kernel_id: 'k-7',
    kernel_name: 'esdl-gpu-1',
    server: 'host:8888',
    name: 'esdl-kernel-k7',
    state: 'RUNNING',
    live: true,
    reason: '',
    partition: 'gpu',
    node: 'node1',
    gpus: '2',
    gpus_requested: 1,
    cpus: 1,
    submit_time: 1000,
    start_time: 1001,
    end_time: 0,
    time_limit_s: 3600,
    elapsed_s: 60,
    remaining_s: 3540,
    why: '',
    log_tail: '',
    ...over
  };
}

function answer(jobs: IKernelJob[], over: Partial<IKernelJobsResponse> = {}): IKernelJobsResponse {
  return { backend: 'slurm', available: true, error: null, jobs, checked_at: 0, ...over };
}

/** A model fed by a list of answers (or errors), one per poll. */
function scripted(answers: (IKernelJobsResponse | Error)[]) {
  const calls: string[] = [];
  let i = 0;
  const model = new KernelJobsModel({
    fetchJobs: async () => {
      const next = answers[Math.min(i++, answers.length - 1)];
      if (next instanceof Error) {
        throw next;
      }
      return next;
    },
    cancelJob: async id => {
      calls.push(id);
    },
    busyInterval: 60_000,
    idleInterval: 120_000,
    standby: 'never'
  });
  return { model, calls };
}

describe('kernel jobs model', () => {
  it('lists live jobs, polls faster while a job is queued, and says when it starts and ends', async () => {
    const queued = job({
      state: 'PENDING',
      reason: 'Resources',
      node: '',
      gpus: '',
      start_time: 5000,
      remaining_s: null
    });
    const ended = job({
      state: 'TIMEOUT',
      live: false,
      why: 'reached its walltime',
      log_tail: 'slurmstepd: TIME LIMIT'
    });
    const { model } = scripted([answer([queued]), answer([job({})]), answer([ended])]);
    const changes: KernelJobsModel.IChange[] = [];
    model.jobChanged.connect((_, change) => changes.push(change));
    await model.ready;
    expect(model.liveJobs.map(j => j.state)).toEqual(['PENDING']);
    expect(model.interval).toBe(60_000);
    await model.refresh();
    expect(changes).toEqual([{ kind: 'started', job: job({}) }]);
    expect(model.interval).toBe(120_000);
    await model.refresh();
    expect(changes[1].kind).toBe('ended');
    expect(changes[1].job.why).toBe('reached its walltime');
    expect(model.liveJobs).toEqual([]);
    expect(model.jobs).toHaveLength(1);
    model.dispose();
  });

  it('treats a scheduler that does not answer as unknown: no job counts as ended', async () => {
    const { model } = scripted([
      answer([job({})]),
      answer([], { available: false, error: 'The job list is unknown: squeue failed: connection refused' }),
      answer([job({})])
    ]);
    const changes: KernelJobsModel.IChange[] = [];
    model.jobChanged.connect((_, change) => changes.push(change));
    await model.ready;
    await model.refresh();
    expect(model.problem).toContain('unknown');
    await model.refresh();
    expect(model.problem).toBeNull();
    expect(changes).toEqual([]);
    model.dispose();
  });

  it('keeps the last list while the server fails, and says why', async () => {
    const { model } = scripted([answer([job({})]), new Error('502 Bad Gateway')]);
    await model.ready;
    await model.refresh();
    expect(model.problem).toBe('Could not ask the server for kernel jobs: 502 Bad Gateway');
    expect(model.jobs).toHaveLength(1);
    model.dispose();
  });

  it('knows a server without profiles, and cancels through the server', async () => {
    const none = scripted([answer([], { backend: null, available: false })]);
    await none.model.ready;
    expect(none.model.configured).toBe(false);
    none.model.dispose();

    const { model, calls } = scripted([answer([job({})]), answer([])]);
    await model.ready;
    const done = model.cancel('7');
    expect(model.isCancelling('7')).toBe(true);
    await done;
    expect(calls).toEqual(['7']);
    expect(model.isCancelling('7')).toBe(false);
    expect(model.jobs).toEqual([]);
    model.dispose();
  });
});

describe('job descriptions', () => {
  it('say what a queued, running and ended job is doing', () => {
    expect(describeJob(job({ state: 'PENDING', reason: 'Priority', start_time: 0, remaining_s: null }))).toBe(
      'queued: Priority'
    );
    expect(describeJob(job({ state: 'PENDING', reason: 'Resources', start_time: 5000 }))).toMatch(
      /^queued: Resources, est\. start /
    );
    expect(describeJob(job({}))).toBe('running on node1 · GPU 2 · 1 min, 59 min left');
    expect(
      describeJob(job({ state: 'OUT_OF_MEMORY', live: false, why: 'ran out of memory', end_time: 100 }), 160)
    ).toBe('ran out of memory 1 min ago');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3900)).toBe('1 h 05 min');
    expect(formatDuration(3 * 86400)).toBe('3 d 0 h');
  });
});
