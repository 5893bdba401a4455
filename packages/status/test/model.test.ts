import { IStatusModel, IUpstreamStatus } from '@esdl-lab/core';
import { describe, expect, it } from 'vitest';
import { serviceRow, summary } from '../src/model';

const upstream = (patch: Partial<IUpstreamStatus>): IUpstreamStatus => ({
  name: 'demo',
  kind: 'cube',
  title: 'Demo cubes',
  state: 'up',
  version: '0.1.0',
  error: null,
  proxyPath: 'esdl-lab/cubes/demo/',
  managed: false,
  pid: null,
  restarts: 0,
  checkedAt: null,
  ...patch
});

const model = (
  upstreams: IUpstreamStatus[] | null,
  error: Error | null = null
): Pick<IStatusModel, 'status' | 'error'> => ({
  status: upstreams ? { version: '0.1.0', upstreams } : null,
  error
});

describe('serviceRow', () => {
  it('labels kinds and states and joins the details a user needs', () => {
    const row = serviceRow(
      upstream({ state: 'down', error: 'exited with code 1', managed: true, pid: 4242, restarts: 2 })
    );
    expect(row).toMatchObject({
      key: 'cube/demo',
      kind: 'Cube server',
      title: 'Demo cubes',
      state: 'down',
      stateLabel: 'down',
      detail: 'exited with code 1 · managed process 4242, restarted 2×'
    });
    expect(serviceRow(upstream({ kind: 'mlflow', name: 'mlflow', title: '', state: 'unconfigured' }))).toMatchObject({
      kind: 'MLflow tracking server',
      title: 'mlflow',
      stateLabel: 'not configured',
      detail: null
    });
    expect(serviceRow(upstream({ state: 'idle', managed: true })).stateLabel).toBe('idle, starts on first use');
  });
});

describe('summary', () => {
  it('waits, then counts the configured upstreams that can serve', () => {
    expect(summary(model(null)).level).toBe('unknown');
    const all = summary(
      model([upstream({}), upstream({ name: 'b', state: 'idle' }), upstream({ kind: 'mlflow', state: 'unconfigured' })])
    );
    expect(all).toMatchObject({ text: 'ESDL 2/2', level: 'ok' });
    expect(all.tooltip).toContain('Demo cubes: up');
  });

  it('warns when one upstream is down and errs when all are or the status fails', () => {
    const some = summary(model([upstream({}), upstream({ name: 'b', state: 'down', error: 'refused' })]));
    expect(some).toMatchObject({ text: 'ESDL 1/2', level: 'warn' });
    expect(some.tooltip).toContain('(refused)');
    expect(summary(model([upstream({ state: 'down' })])).level).toBe('error');
    const failed = summary(model(null, new Error('Could not reach the Jupyter server')));
    expect(failed).toMatchObject({ text: 'ESDL: no status', level: 'error' });
    expect(summary(model([])).level).toBe('warn');
  });
});
