import { IStatusResponse, IUpstreamStatus, StatusModel, XcubeClient } from '@esdl-lab/core';
import { ServerConnection } from '@jupyterlab/services';
import { StateDB } from '@jupyterlab/statedb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogModel } from '../src/model';

const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'xcube', 'v1.7.1');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf-8');

const upstream = (name: string, state: IUpstreamStatus['state'], error: string | null = null): IUpstreamStatus => ({
  name,
  kind: 'cube',
  title: `${name} title`,
  state,
  version: null,
  error,
  proxyPath: `esdl-lab/cubes/${name}/`,
  managed: false,
  checkedAt: null,
  kernelUrl: null
});

type Answer = (url: URL) => Response | Promise<Response>;
const json = (body: string, status = 200) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/json' } });

/** A status model and per-server xcube clients answering from `servers`. */
function setup(status: IStatusResponse, servers: Record<string, Answer>) {
  const current = { status };
  const statusModel = new StatusModel({ fetchStatus: async () => current.status, interval: 60_000, standby: 'never' });
  const calls: string[] = [];
  const client = (server: string) =>
    new XcubeClient({
      server,
      timeout: 2000,
      settings: ServerConnection.makeSettings({
        baseUrl: 'http://localhost:8888/',
        wsUrl: 'ws://localhost:8888/',
        fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
          const url = new URL(new Request(input, init).url);
          // without ServerConnection's cache buster (a bare timestamp parameter)
          const query = url.search.replace(/[?&]\d+$/, '');
          calls.push(`${server} ${url.pathname.replace(`/esdl-lab/cubes/${server}`, '')}${query}`);
          return servers[server](url);
        },
        Request,
        Headers
      })
    });
  const model = new CatalogModel({ status: statusModel, client });
  model.start();
  return { model, statusModel, calls, current };
}

async function settled(model: CatalogModel): Promise<void> {
  await model.ready;
  for (let i = 0; i < 50 && model.servers.some(s => s.state === 'loading'); i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

const disposables: { dispose(): void }[] = [];
afterEach(() => disposables.splice(0).forEach(d => d.dispose()));

describe('CatalogModel', () => {
  it('lists every dataset of every cube server, and keeps an error row for a server that fails', async () => {
    const { model, statusModel } = setup(
      { version: '0', upstreams: [upstream('xcube', 'up'), upstream('broken', 'up'), upstream('html', 'up')] },
      {
        xcube: () => json(fixture('datasets-details.json')),
        broken: () => json(JSON.stringify({ message: "Cube server 'broken' timed out", reason: 'timeout' }), 504),
        html: () => new Response('<html><title>Login</title></html>', { headers: { 'Content-Type': 'text/html' } })
      }
    );
    disposables.push(model, statusModel);
    await settled(model);
    expect(model.entries.map(e => e.key)).toEqual(['xcube/demo', 'xcube/sns']);
    const [xcube, broken, html] = model.servers;
    expect(xcube.state).toBe('ready');
    expect(broken.state).toBe('error');
    expect(broken.problem?.what).toBe('GET /datasets?details=1');
    expect(broken.problem?.message).toContain('timed out');
    expect(broken.problem?.advice).toContain('too slow');
    expect(html.problem?.message).toContain('an HTML page');
    expect(html.problem?.advice).toContain('xcube-compatible');
  });

  it('falls back to one request per dataset when a server lacks details=1', async () => {
    const { model, statusModel, calls } = setup(
      { version: '0', upstreams: [upstream('old', 'up')] },
      {
        old: url => {
          if (url.pathname.endsWith('/datasets')) {
            // an old server ignores details=1 and lists summaries only
            return json(fixture('datasets.json'));
          }
          if (url.pathname.endsWith('/datasets/demo')) {
            return json(fixture('dataset-demo.json'));
          }
          return json(JSON.stringify({ error: { message: 'HTTP 500: cannot open sns' } }), 500);
        }
      }
    );
    disposables.push(model, statusModel);
    await settled(model);
    const [old] = model.servers;
    expect(old.state).toBe('ready');
    expect(old.entries.map(e => e.id)).toEqual(['demo']);
    expect(old.datasetProblems).toHaveLength(1);
    expect(old.datasetProblems[0]).toMatchObject({ id: 'sns', problem: { what: 'GET /datasets/sns' } });
    expect(calls).toContain('old /datasets?details=1');
    expect(calls).toContain('old /datasets');
  });

  it('lists a server again when the status model says it came back up, and drops removed servers', async () => {
    let up = false;
    const { model, statusModel, current } = setup(
      { version: '0', upstreams: [upstream('flaky', 'down', 'connection refused'), upstream('gone', 'up')] },
      {
        flaky: () =>
          up
            ? json(fixture('datasets-details.json'))
            : json(JSON.stringify({ message: 'refused', reason: 'unreachable', upstream: 'flaky' }), 502),
        gone: () => json('{"datasets": []}')
      }
    );
    disposables.push(model, statusModel);
    await settled(model);
    expect(model.servers[0].state).toBe('error');
    expect(model.servers[0].problem?.advice).toContain('connection refused');
    up = true;
    current.status = { version: '0', upstreams: [upstream('flaky', 'up')] };
    await statusModel.refresh();
    await settled(model);
    expect(model.servers.map(s => s.name)).toEqual(['flaky']);
    expect(model.servers[0].state).toBe('ready');
    expect(model.entries).toHaveLength(2);
  });

  it('asks no server before the catalogue is first shown', async () => {
    const status = new StatusModel({
      fetchStatus: async () => ({ version: '0', upstreams: [upstream('lazy', 'idle')] }),
      standby: 'never'
    });
    const calls: string[] = [];
    const model = new CatalogModel({
      status,
      client: server => {
        calls.push(server);
        return new XcubeClient({ server });
      }
    });
    disposables.push(model, status);
    await model.ready;
    expect(model.servers.map(s => s.state)).toEqual(['pending']);
    expect(calls).toEqual([]);
  });

  it('says when no server is configured', async () => {
    const { model, statusModel } = setup({ version: '0', upstreams: [] }, {});
    disposables.push(model, statusModel);
    await settled(model);
    expect(model.statusKnown).toBe(true);
    expect(model.servers).toEqual([]);
  });

  it('remembers recently used datasets, the search and the filters in the state database', async () => {
    const state = new StateDB();
    const status = new StatusModel({ fetchStatus: async () => ({ version: '0', upstreams: [] }), standby: 'never' });
    const first = new CatalogModel({ status, state });
    await first.ready;
    first.markUsed('a/one');
    first.markUsed('b/two');
    first.markUsed('a/one');
    await new Promise(resolve => setTimeout(resolve, 10));
    const second = new CatalogModel({ status, state });
    await second.ready;
    expect([...second.lastUsed.keys()]).toEqual(['b/two', 'a/one']);
    // and the search and filters
    second.filters = { query: 'sea', variable: 'SST', timeFrom: null, timeTo: null, bbox: [0, 0, 10, 10], servers: [] };
    await new Promise(resolve => setTimeout(resolve, 10));
    const third = new CatalogModel({ status, state });
    await third.ready;
    expect(third.filters).toMatchObject({ query: 'sea', variable: 'SST', bbox: [0, 0, 10, 10] });
    disposables.push(third);
    disposables.push(first, second, status);
  });
});
