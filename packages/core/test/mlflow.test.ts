/**
 * The MLflow client against the responses a real MLflow 3.6 server recorded (test-fixtures/mlflow): every
 * request the client makes is matched against the recorded request, and answered with its recorded status,
 * headers and body.
 */
import { ServerConnection } from '@jupyterlab/services';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_BULK_RUNS, MlflowClient, MlflowError } from '../src';

const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'mlflow');

interface IRecorded {
  name: string;
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  status: number;
  content_type: string;
  file: string;
}

const recordings: IRecorded[] = [
  ...JSON.parse(readFileSync(join(FIXTURES, 'index.json'), 'utf-8')),
  ...JSON.parse(readFileSync(join(FIXTURES, 'index-auth.json'), 'utf-8'))
];
const byName = new Map(recordings.map(entry => [entry.name, entry]));
/** the recordings some test answered with; the last test checks that none is left out */
const used = new Set<string>();

function recording(name: string): IRecorded {
  const entry = byName.get(name);
  if (!entry) {
    throw new Error(`no recording named ${name}`);
  }
  return entry;
}

/** The recorded answer: status, the recorded headers (but the framing ones) and body. */
function recordedResponse(name: string): Response {
  const entry = recording(name);
  used.add(name);
  const headerLines = readFileSync(join(FIXTURES, entry.file.replace(/\.json(\.body)?$/, '.headers')), 'utf-8')
    .split(/\r?\n/)
    .slice(1);
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).trim().toLowerCase();
    if (colon > 0 && !['content-length', 'transfer-encoding', 'date'].includes(key)) {
      headers.append(key, line.slice(colon + 1).trim());
    }
  }
  const body = readFileSync(join(FIXTURES, entry.file));
  const statusText = readFileSync(join(FIXTURES, entry.file.replace(/\.json(\.body)?$/, '.headers')), 'utf-8')
    .split(/\r?\n/)[0]
    .split(' ')
    .slice(2)
    .join(' ');
  return new Response(body, { status: entry.status, statusText, headers });
}

/** `[key, value]` pairs of a query string, sorted, so that order does not matter. */
function queryPairs(search: string): string[] {
  return [...new URLSearchParams(search).entries()].map(([k, v]) => `${k}=${v}`).sort();
}

/**
 * Whether a request is the recorded one: same method and path, the recorded query parameters and JSON body
 * keys all present with the same values (the client may add parameters the recording left to MLflow's
 * defaults, such as `max_results`).
 */
function matches(entry: IRecorded, method: string, url: URL, body: Record<string, unknown> | null): boolean {
  const recorded = new URL(entry.path, 'http://mlflow');
  if (entry.method !== method || recorded.pathname !== url.pathname) {
    return false;
  }
  const sent = queryPairs(url.search);
  if (!queryPairs(recorded.search).every(pair => sent.includes(pair))) {
    return false;
  }
  if (entry.body === null) {
    return body === null;
  }
  return (
    body !== null &&
    Object.entries(entry.body).every(([key, value]) => JSON.stringify(body[key]) === JSON.stringify(value))
  );
}

interface ISent {
  method: string;
  url: URL;
  /** the path after the proxy's route */
  mlflowPath: string;
  body: Record<string, unknown> | null;
  headers: Headers;
}

/**
 * A client whose requests are answered from the named recordings (the first that matches), or by `handler`.
 * A request nothing answers fails the test with what was sent.
 */
function clientFor(
  names: string[],
  handler?: (sent: ISent) => Response | null
): { client: MlflowClient; sent: ISent[] } {
  const sent: ISent[] = [];
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/lab/',
    wsUrl: 'ws://localhost:8888/lab/',
    token: 'jupyter-token',
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const prefix = '/lab/esdl-lab/mlflow';
      expect(url.pathname.startsWith(prefix)).toBe(true);
      const text = request.method === 'GET' ? '' : await request.text();
      const body = text ? JSON.parse(text) : null;
      const mlflowUrl = new URL(url.pathname.slice(prefix.length) + url.search, 'http://mlflow');
      const record: ISent = {
        method: request.method,
        url: mlflowUrl,
        mlflowPath: mlflowUrl.pathname + mlflowUrl.search,
        body,
        headers: request.headers
      };
      sent.push(record);
      const own = handler?.(record);
      if (own) {
        return own;
      }
      const name = names.find(candidate => matches(recording(candidate), request.method, mlflowUrl, body));
      if (!name) {
        throw new Error(`no recording answers ${request.method} ${record.mlflowPath} ${text}`);
      }
      return recordedResponse(name);
    },
    Request,
    Headers
  });
  return { client: new MlflowClient({ settings }), sent };
}

async function failure(promise: Promise<unknown>): Promise<MlflowError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MlflowError);
    return error as MlflowError;
  }
  throw new Error('expected the request to fail');
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('MlflowClient: experiments', () => {
  it('searches experiments as MLflow UI does, through the proxy with the Jupyter token', async () => {
    const { client, sent } = clientFor(['experiments-search-post']);
    const page = await client.searchExperiments();
    expect(sent[0].method).toBe('POST');
    expect(sent[0].url.pathname).toBe('/api/2.0/mlflow/experiments/search');
    expect(sent[0].body).toEqual(recording('experiments-search-post').body);
    expect(sent[0].headers.get('Authorization')).toBe('token jupyter-token');
    expect(page.items.map(e => e.name)).toEqual([
      'precip-nowcast',
      'ocean-heat-emulator',
      'era5-downscaling',
      'Default'
    ]);
    expect(page.items[2].tags).toContainEqual({
      key: 'mlflow.note.content',
      value: 'Demo experiment era5-downscaling'
    });
    expect(page.nextPageToken).toBeNull();
  });

  it('pages with the opaque token until the last page', async () => {
    // the recorded pages came from GET; the client POSTs the same parameters
    const { client, sent } = clientFor([], ({ body }) =>
      body?.page_token === 'eyJvZmZzZXQiOiAyfQ=='
        ? recordedResponse('experiments-search-get-p2')
        : recordedResponse('experiments-search-get-p1')
    );
    const first = await client.searchExperiments({ maxResults: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextPageToken).toBe('eyJvZmZzZXQiOiAyfQ==');
    const second = await client.searchExperiments({ maxResults: 2, pageToken: first.nextPageToken });
    expect(sent[1].body).toMatchObject({ max_results: 2, page_token: 'eyJvZmZzZXQiOiAyfQ==' });
    expect(second.items.map(e => e.experiment_id)).toEqual(['1', '0']);
    expect(second.nextPageToken).toBeNull();
  });

  it('sends filters, the view type and the order, and shows the server error for a bad filter', async () => {
    const { client, sent } = clientFor([
      'experiments-search-post-filter-name',
      'experiments-search-bad-filter',
      'experiments-search-post-filter'
    ]);
    const found = await client.searchExperiments({ filter: "name LIKE '%down%'", maxResults: 50 });
    expect(found.items.map(e => e.name)).toEqual(['era5-downscaling']);

    const bad = await failure(client.searchExperiments({ filter: 'foo = bar', maxResults: 10 }));
    expect(bad.kind).toBe('invalid');
    expect(bad.status).toBe(400);
    expect(bad.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(bad.serverMessage).toBe(
      "Invalid attribute key 'foo' specified. Valid keys are '{'creation_time', 'last_update_time', 'name'}'"
    );
    expect(bad.message).toContain('Could not search experiments');

    const or = await failure(
      client.searchExperiments({ filter: "tags.team = 'ocean' OR name LIKE '%precip%'", maxResults: 50 })
    );
    expect(or.serverMessage).toBe('Invalid clause(s) in filter string: OR');
    expect(sent.every(request => typeof request.body?.max_results === 'number')).toBe(true);
  });

  it('always sends max_results, which MLflow requires on POST', async () => {
    const { client, sent } = clientFor([], () => recordedResponse('experiments-search-post-no-max-results'));
    const error = await failure(client.searchExperiments({ filter: 'name LIKE "%a%"' }));
    expect(sent[0].body?.max_results).toBe(100);
    // what the server says when a client leaves it out
    expect(error.serverMessage).toContain("Invalid value 0 for parameter 'max_results'");
  });

  it('lists deleted experiments too, in name order', async () => {
    const { client } = clientFor([], ({ body }) =>
      body?.view_type === 'ALL' ? recordedResponse('experiments-search-view-all-order-name') : null
    );
    const page = await client.searchExperiments({ viewType: 'ALL', orderBy: ['name ASC'], maxResults: 50 });
    expect(page.items.map(e => e.name)).toEqual([
      'Default',
      'era5-downscaling',
      'ocean-heat-emulator',
      'precip-nowcast'
    ]);
  });

  it('reads one experiment, and says which one does not exist', async () => {
    const { client } = clientFor(['experiments-get', 'experiments-get-404']);
    const experiment = await client.getExperiment('1');
    expect(experiment.name).toBe('era5-downscaling');
    expect(experiment.lifecycle_stage).toBe('active');
    const missing = await failure(client.getExperiment('999999'));
    expect(missing.kind).toBe('not-found');
    expect(missing.status).toBe(404);
    expect(missing.message).toBe('Could not read experiment 999999: No Experiment with id=999999 exists.');
  });

  it('explains the recorded errors of endpoints the panel does not call', async () => {
    for (const name of ['experiments-get-missing-param', 'experiments-get-by-name-404', 'registered-models-get-404']) {
      const { client } = clientFor([], () => recordedResponse(name));
      const error = await failure(client.getExperiment('1'));
      expect(error.serverMessage).toBe(JSON.parse(readFileSync(join(FIXTURES, recording(name).file), 'utf-8')).message);
    }
    const { client } = clientFor([], () => recordedResponse('experiments-get-by-name'));
    expect((await client.getExperiment('1')).experiment_id).toBe('1');
  });
});

describe('MlflowClient: runs', () => {
  const ALL = ['1', '2', '3'];

  it('pages runs/search with opaque tokens, in the order asked for', async () => {
    const { client, sent } = clientFor(['runs-search-p2', 'runs-search-p1']);
    const first = await client.searchRuns({ experimentIds: ALL, maxResults: 3, orderBy: ['metrics.val_loss ASC'] });
    expect(sent[0].method).toBe('POST');
    expect(sent[0].body).toEqual(recording('runs-search-p1').body);
    expect(first.items.map(run => run.info.run_name)).toEqual(['unet-lr0.003', 'unet-lr0.003', 'unet-lr0.003']);
    expect(first.nextPageToken).toBe('eyJvZmZzZXQiOiAzfQ==');
    const second = await client.searchRuns({
      experimentIds: ALL,
      maxResults: 3,
      orderBy: ['metrics.val_loss ASC'],
      pageToken: first.nextPageToken
    });
    expect(sent[1].body).toEqual(recording('runs-search-p2').body);
    expect(second.items[0].info.run_id).toBe('2983c368d70a4f539d9fc2bf74827064');
    expect(second.nextPageToken).toBe('eyJvZmZzZXQiOiA2fQ==');
  });

  it('sends MLflow filters and reads runs with their params, latest metrics and tags', async () => {
    const { client } = clientFor([
      'runs-search-filter',
      'runs-search-filter-runname',
      'runs-search-children',
      'runs-search-status-failed',
      'runs-search-dataset-filter',
      'runs-search-run-id-in',
      'runs-search-order-by-param'
    ]);
    const filtered = await client.searchRuns({
      experimentIds: ALL,
      filter: "params.arch = 'unet' and metrics.final_acc > 0.8 and tags.stage = 'dev'",
      orderBy: ['attributes.start_time DESC']
    });
    for (const run of filtered.items) {
      expect(run.data.params).toContainEqual({ key: 'arch', value: 'unet' });
      expect(run.data.tags).toContainEqual({ key: 'stage', value: 'dev' });
      expect(run.data.metrics?.find(m => m.key === 'final_acc')?.value).toBeGreaterThan(0.8);
    }
    const sweep = await client.searchRuns({
      experimentIds: ['1'],
      filter: "attributes.run_name LIKE 'sweep%'",
      orderBy: ['attributes.run_name ASC']
    });
    expect(sweep.items.map(run => run.info.run_name)).toEqual(['sweep-child-0', 'sweep-child-1', 'sweep-parent']);
    const children = await client.searchRuns({
      experimentIds: ['1'],
      filter: "tags.mlflow.parentRunId = '63c9a8194b834dfa90cff5b9f30322a0'"
    });
    expect(children.items).toHaveLength(2);
    for (const child of children.items) {
      expect(child.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: '63c9a8194b834dfa90cff5b9f30322a0' });
    }
    const failed = await client.searchRuns({ experimentIds: ['3'], filter: "attributes.status = 'FAILED'" });
    expect(failed.items.map(run => [run.info.run_name, run.info.status])).toEqual([['crashed-run', 'FAILED']]);
    const withData = await client.searchRuns({ experimentIds: ['1'], filter: "datasets.name = 'era5-t2m-sample'" });
    expect(withData.items[0].inputs?.dataset_inputs?.[0].dataset.name).toBe('era5-t2m-sample');
    const byId = await client.searchRuns({
      experimentIds: ['1', '2'],
      filter:
        "attributes.run_id IN ('2983c368d70a4f539d9fc2bf74827064', '00055cf7bc8045398e45e25e2aefff4c', '1c5db5c1a5f24f0e8713ab43f7e918a9')"
    });
    expect(byId.items).toHaveLength(3);
    const byParam = await client.searchRuns({
      experimentIds: ['1'],
      maxResults: 5,
      orderBy: ['params.lr DESC', 'attributes.start_time ASC']
    });
    expect(byParam.items.map(run => run.data.params?.find(p => p.key === 'lr')?.value)).toEqual([
      '0.003',
      '0.001',
      '0.001',
      '0.0003',
      '0.0001'
    ]);
    expect(byParam.nextPageToken).toBe('eyJvZmZzZXQiOiA1fQ==');
  });

  it('lists deleted runs on request', async () => {
    const { client } = clientFor(['runs-search-deleted-only', 'runs-search-run-view-all']);
    const deleted = await client.searchRuns({ experimentIds: ['3'], runViewType: 'DELETED_ONLY' });
    expect(deleted.items.map(run => [run.info.run_name, run.info.lifecycle_stage])).toEqual([
      ['deleted-run', 'deleted']
    ]);
    // a deleted run without params or metrics has no such keys at all
    expect(deleted.items[0].data.params).toBeUndefined();
    const all = await client.searchRuns({ experimentIds: ['3'], runViewType: 'ALL', maxResults: 50 });
    expect(all.items).toHaveLength(6);
  });

  it('reads an empty answer `{}` as no runs', async () => {
    const { client } = clientFor([], () => recordedResponse('auth-alice-runs-search-ok'));
    await expect(client.searchRuns({ experimentIds: ['1'], maxResults: 10 })).resolves.toEqual({
      items: [],
      nextPageToken: null
    });
  });

  it("shows the server's message for a bad filter or page size", async () => {
    const { client } = clientFor(['runs-search-bad-filter', 'runs-search-bad-max-results']);
    const filter = await failure(client.searchRuns({ experimentIds: ['1'], filter: 'metrics.val_loss >> 1' }));
    expect(filter.kind).toBe('invalid');
    expect(filter.serverMessage).toBe("Invalid comparator '>>' not one of '{'>', '!=', '<', '=', '<=', '>='}");
    const size = await failure(client.searchRuns({ experimentIds: ['1'], maxResults: 100000 }));
    expect(size.serverMessage).toContain("Invalid value 100000 for parameter 'max_results'");
  });

  it('explains an HTML 405 page', async () => {
    const { client } = clientFor([], () => recordedResponse('runs-search-wrong-method'));
    const error = await failure(client.searchRuns({ experimentIds: ['1'] }));
    expect(error.status).toBe(405);
    expect(error.message).toBe(
      'Could not search runs: the MLflow server does not accept this request (HTTP 405: 405 Method Not Allowed.)'
    );
    expect(error.message).not.toContain('<');
  });

  it('reads a run with its inputs and outputs, a failed, a deleted and a missing run', async () => {
    const { client, sent } = clientFor([
      'runs-get',
      'runs-get-with-logged-model',
      'runs-get-failed',
      'runs-get-deleted',
      'runs-get-404'
    ]);
    const run = await client.getRun('2983c368d70a4f539d9fc2bf74827064');
    expect(sent[0].mlflowPath).toBe('/api/2.0/mlflow/runs/get?run_id=2983c368d70a4f539d9fc2bf74827064');
    expect(run.info).toMatchObject({ run_name: 'unet-lr0.001', status: 'FINISHED', user_id: 'root' });
    expect(run.data.metrics?.map(m => m.key)).toEqual(['train_loss', 'val_loss', 'rmse_t2m_K', 'final_acc']);
    expect(run.data.params).toHaveLength(5);
    expect(run.inputs?.dataset_inputs?.[0].dataset).toMatchObject({ name: 'era5-t2m-sample', digest: '13ac581d' });
    const model = await client.getRun('614687bb18794c83a4497299137d579b');
    expect(model.outputs?.model_outputs).toEqual([{ model_id: 'm-18b5d5ecbfce4e9c9cff6268cc19e81f', step: 0 }]);
    expect((await client.getRun('674d8a9745e848698f1ea38a7af325c0')).info.status).toBe('FAILED');
    expect((await client.getRun('a20988aff6fa4da3b71f92384f22b45b')).info.lifecycle_stage).toBe('deleted');
    const missing = await failure(client.getRun('0123456789abcdef0123456789abcdef'));
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toBe(
      'Could not read run 0123456789abcdef0123456789abcdef: Run with id=0123456789abcdef0123456789abcdef not found.'
    );
  });
});

describe('MlflowClient: metric histories', () => {
  const RUN = '2983c368d70a4f539d9fc2bf74827064';

  it('always sends max_results to metrics/get-history', async () => {
    const { client, sent } = clientFor(['metrics-get-history-paged-p1']);
    const page = await client.metricHistoryPage(RUN, 'train_loss', { maxResults: 10 });
    expect(page.items).toHaveLength(10);
    expect(page.items[0]).toEqual({ key: 'train_loss', value: 1.0127885359691577, timestamp: 1795505126196, step: 0 });
    expect(page.nextPageToken).toBe('eyJvZmZzZXQiOiAxMH0=');
    const { client: defaults, sent: sentDefault } = clientFor([], () => json(200, {}));
    await defaults.metricHistoryPage(RUN, 'train_loss');
    expect(sentDefault[0].url.searchParams.get('max_results')).toBe('25000');
    expect(sent[0].url.searchParams.get('max_results')).toBe('10');
  });

  it('pages a full history until MLflow sends no token', async () => {
    const { client, sent } = clientFor(['metrics-get-history-paged-p2', 'metrics-get-history-paged-p1'], ({ url }) =>
      url.searchParams.get('page_token') === 'eyJvZmZzZXQiOiAyMH0='
        ? json(200, { metrics: [{ key: 'train_loss', value: 0.1, timestamp: 1795505126600, step: 20 }] })
        : null
    );
    const progress: number[] = [];
    const history = await client.metricHistory(RUN, 'train_loss', { pageSize: 10, onProgress: n => progress.push(n) });
    expect(history.complete).toBe(true);
    expect(history.problem).toBeNull();
    expect(history.metrics.map(m => m.step)).toEqual([...Array(21).keys()]);
    expect(progress).toEqual([10, 20, 21]);
    expect(sent.map(request => request.url.searchParams.get('page_token'))).toEqual([
      null,
      'eyJvZmZzZXQiOiAxMH0=',
      'eyJvZmZzZXQiOiAyMH0='
    ]);
  });

  it('stops on a page token that does not advance, and says so', async () => {
    // what this MLflow version answers when max_results is left out: no points, a token to offset 0
    const { client, sent } = clientFor([], () => recordedResponse('metrics-get-history'));
    const history = await client.metricHistory(RUN, 'train_loss');
    expect(sent).toHaveLength(1);
    expect(history.complete).toBe(false);
    expect(history.metrics).toEqual([]);
    expect(history.problem).toContain('did not advance');

    // a token that comes back again after pages with points
    const point = { key: 'loss', value: 1, timestamp: 0, step: 0 };
    const repeat = clientFor([], () => json(200, { metrics: [point], next_page_token: 'same' }));
    const looped = await repeat.client.metricHistory(RUN, 'loss');
    expect(repeat.sent).toHaveLength(2);
    expect(looped.metrics).toHaveLength(2);
    expect(looped.problem).toContain("history of 'loss' did not advance after 2 points");
  });

  it('stops at maxPoints', async () => {
    let offset = 0;
    const { client } = clientFor([], () => {
      const metrics = Array.from({ length: 10 }, (_, i) => ({ key: 'x', value: i, timestamp: 0, step: offset + i }));
      offset += 10;
      return json(200, { metrics, next_page_token: `t${offset}` });
    });
    const history = await client.metricHistory(RUN, 'x', { pageSize: 10, maxPoints: 25 });
    expect(history.metrics).toHaveLength(25);
    expect(history.complete).toBe(false);
    expect(history.problem).toContain('first 25 points');
  });

  it('reads an unknown metric or run as an empty history', async () => {
    const { client } = clientFor(['metrics-get-history-unknown-key', 'metrics-get-history-bad-run']);
    await expect(client.metricHistory(RUN, 'nope')).resolves.toEqual({ metrics: [], complete: true, problem: null });
    const bad = await client.metricHistory('0123456789abcdef0123456789abcdef', 'train_loss');
    expect(bad.metrics).toEqual([]);
  });

  it('reads sampled histories of several runs at once, with run_ids repeated', async () => {
    const { client, sent } = clientFor([
      'metrics-get-history-bulk-interval',
      'metrics-get-history-bulk-interval-range'
    ]);
    const ids = [RUN, '00055cf7bc8045398e45e25e2aefff4c', '1c5db5c1a5f24f0e8713ab43f7e918a9'];
    const points = await client.metricHistoryBulkInterval(ids, 'train_loss', { maxResults: 8 });
    expect(sent[0].url.searchParams.getAll('run_ids')).toEqual(ids);
    expect(new Set(points.map(p => p.run_id))).toEqual(new Set(ids));
    const steps = points.filter(p => p.run_id === RUN).map(p => p.step);
    // evenly sampled, with the first and the last step
    expect(steps[0]).toBe(0);
    expect(steps[steps.length - 1]).toBe(29);
    expect(steps.length).toBeLessThanOrEqual(9);
    const range = await client.metricHistoryBulkInterval([RUN], 'val_loss', {
      startStep: 5,
      endStep: 15,
      maxResults: 5
    });
    expect(range.map(p => p.step)).toEqual([5, 7, 9, 11, 13, 15]);
  });

  it('asks for 320 points by default and refuses more than 100 runs before sending', async () => {
    const { client, sent } = clientFor([], () => json(200, {}));
    await client.metricHistoryBulkInterval(['a'], 'loss');
    expect(sent[0].url.searchParams.get('max_results')).toBe('320');
    const ids = Array.from({ length: MAX_BULK_RUNS + 1 }, (_, i) => String(i + 1).padStart(32, '0'));
    const error = await failure(client.metricHistoryBulkInterval(ids, 'train_loss'));
    expect(error.kind).toBe('client');
    expect(error.message).toContain('at most 100 runs');
    expect(sent).toHaveLength(1);
    // what the server says to a client that sends 101
    const server = clientFor([], () => recordedResponse('metrics-get-history-bulk-interval-too-many-runs'));
    const refused = await failure(server.client.metricHistoryBulkInterval(ids.slice(0, 100), 'train_loss'));
    expect(refused.serverMessage).toContain('at most 100 run_ids');
  });
});

describe('MlflowClient: artifacts, models, datasets', () => {
  const RUN = '2983c368d70a4f539d9fc2bf74827064';

  it('lists artifact folders, and an empty one', async () => {
    const { client } = clientFor(['artifacts-list-subdir', 'artifacts-list-root', 'artifacts-list-model-run']);
    const root = await client.listArtifacts(RUN);
    expect(root.files).toEqual([
      { path: 'config.yaml', is_dir: false, file_size: 36 },
      { path: 'plots', is_dir: true },
      { path: 'reports', is_dir: true }
    ]);
    expect((await client.listArtifacts(RUN, 'plots')).files?.map(f => f.path)).toEqual(['plots/skill.csv']);
    expect((await client.listArtifacts('614687bb18794c83a4497299137d579b')).files).toEqual([]);
  });

  it('refuses a path outside the run with the server message', async () => {
    const { client, sent } = clientFor(['artifacts-list-bad-path']);
    const error = await failure(client.listArtifacts(RUN, '../../etc'));
    // the query survives the URL joining unharmed
    expect(sent[0].url.searchParams.get('path')).toBe('../../etc');
    expect(error.serverMessage).toBe('Invalid path');
    expect(error.message).toBe(`Could not list the artifacts in '../../etc' of run ${RUN}: Invalid path.`);
  });

  it('reads artifact files, and explains a missing one (an HTML 500)', async () => {
    const { client, sent } = clientFor([
      'get-artifact-yaml',
      'get-artifact-csv',
      'get-artifact-json',
      'get-artifact-missing'
    ]);
    expect(await (await client.artifact(RUN, 'config.yaml')).text()).toBe('model: unet\nlr: 0.001\ngrid: 0.25deg\n');
    expect(sent[0].mlflowPath).toBe(`/get-artifact?path=config.yaml&run_uuid=${RUN}`);
    expect((await (await client.artifact(RUN, 'plots/skill.csv')).text()).split('\n')[0]).toBe('lead_h,acc');
    expect(JSON.parse(await (await client.artifact(RUN, 'reports/summary.json')).text())).toEqual({
      run: RUN,
      lr: 0.001
    });
    const missing = await failure(client.artifact(RUN, 'nope.txt'));
    expect(missing.status).toBe(500);
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toBe(
      `The MLflow server failed to read artifact 'nope.txt' of run ${RUN} (HTTP 500: 500 Internal Server Error.) ` +
        'The file may be missing from the artifact store, or the store may be unreachable from the MLflow server: check its log.'
    );
  });

  it('reads logged models, their files and the datasets of an experiment', async () => {
    const { client } = clientFor([
      'logged-models-search',
      'logged-models-get',
      'logged-models-artifacts-directories',
      'ajax-logged-models-artifact-file',
      'ajax-experiments-search-datasets'
    ]);
    const models = await client.searchLoggedModels(['1'], { maxResults: 10 });
    expect(models.items[0].info).toMatchObject({ name: 'emulator', source_run_id: '614687bb18794c83a4497299137d579b' });
    const model = await client.getLoggedModel('m-18b5d5ecbfce4e9c9cff6268cc19e81f');
    expect(model.data?.params).toEqual([{ key: 'model', value: 'LinearRegression' }]);
    const files = await client.listLoggedModelArtifacts('m-18b5d5ecbfce4e9c9cff6268cc19e81f');
    expect(files.files?.map(f => f.path)).toContain('MLmodel');
    const mlmodel = await (await client.loggedModelArtifact('m-18b5d5ecbfce4e9c9cff6268cc19e81f', 'MLmodel')).text();
    expect(mlmodel).toContain('loader_module: mlflow.sklearn');
    expect(await client.searchDatasets(['1'])).toEqual([
      { experiment_id: '1', name: 'era5-t2m-sample', digest: '13ac581d', context: 'training' }
    ]);
  });

  it('reads the model registry', async () => {
    const { client } = clientFor([
      'registered-models-search-filter',
      'registered-models-search',
      'model-versions-search'
    ]);
    const all = await client.searchRegisteredModels({ maxResults: 10 });
    expect(all.items[0]).toMatchObject({ name: 't2m-emulator', aliases: [{ alias: 'champion', version: '1' }] });
    const filtered = await client.searchRegisteredModels({ filter: "name LIKE '%emulator%'" });
    expect(filtered.items).toHaveLength(1);
    const versions = await client.searchModelVersions("name='t2m-emulator'");
    expect(versions[0]).toMatchObject({ version: '1', run_id: '614687bb18794c83a4497299137d579b' });
  });

  it('reads the server version', async () => {
    const { client, sent } = clientFor(['version']);
    expect(await client.version()).toBe('3.6.1.dev0');
    expect(sent[0].url.pathname).toBe('/version');
  });
});

describe('MlflowClient: failures from the auth layer, the security middleware and the proxy', () => {
  it('explains a 401 from the auth layer without showing a login box', async () => {
    for (const name of [
      'auth-no-credentials',
      'auth-wrong-password',
      'auth-bearer-token-not-supported',
      'auth-ajax-no-credentials'
    ]) {
      const { client } = clientFor([], () => recordedResponse(name));
      const error = await failure(client.searchExperiments({ maxResults: 5 }));
      expect(error.kind).toBe('auth');
      expect(error.status).toBe(401);
      expect(error.message).toContain('You are not authenticated.');
      expect(error.message).toContain('MLFLOW_TRACKING_USERNAME');
    }
  });

  it('explains a 403 of the auth layer, and the middleware refusing an Origin or a Host', async () => {
    const denied = clientFor([], () => recordedResponse('auth-alice-delete-forbidden'));
    const permission = await failure(denied.client.searchRuns({ experimentIds: ['1'] }));
    expect(permission.kind).toBe('forbidden');
    expect(permission.message).toBe(
      "The MLflow server does not allow ESDL Lab's MLflow user to search runs (HTTP 403: Permission denied.) " +
        'Ask an MLflow administrator for the permission.'
    );
    const origin = clientFor([], () => recordedResponse('security-cors-post-foreign-origin'));
    expect((await failure(origin.client.searchRuns({ experimentIds: ['1'], maxResults: 1 }))).message).toContain(
      "must not forward the browser's Origin"
    );
    const host = clientFor([], () => recordedResponse('security-foreign-host-header'));
    const hostError = await failure(host.client.searchExperiments({ maxResults: 1 }));
    expect(hostError.message).toContain('Invalid Host header - possible DNS rebinding attack detected');
    expect(hostError.message).toContain('--allowed-hosts');
  });

  it('tells an expired Jupyter session from MLflow refusing', async () => {
    const { client } = clientFor([], () => json(403, { message: 'Forbidden', reason: null }));
    const error = await failure(client.searchExperiments());
    expect(error.kind).toBe('jupyter-auth');
    expect(error.message).toContain('Reload the page');
  });

  it("passes on the proxy's 502, 504 and 503 messages", async () => {
    const unreachable = clientFor([], () =>
      json(502, {
        message:
          'The MLflow tracking server at http://127.0.0.1:5000 refused the connection. Check that it is running, or fix c.ESDLLab.mlflow_url (or MLFLOW_TRACKING_URI).',
        upstream: 'mlflow',
        reason: 'unreachable'
      })
    );
    const down = await failure(unreachable.client.searchRuns({ experimentIds: ['1'] }));
    expect(down.kind).toBe('unreachable');
    expect(down.message).toMatch(/^Could not search runs\. The MLflow tracking server at .* refused the connection/);
    const slow = clientFor([], () =>
      json(504, {
        message: 'The MLflow tracking server at http://x sent nothing for 60 s.',
        upstream: 'mlflow',
        reason: 'timeout'
      })
    );
    expect((await failure(slow.client.getRun('r'))).kind).toBe('unreachable');
    const none = clientFor([], () =>
      json(503, {
        message: 'No MLflow tracking server is configured. Set MLFLOW_TRACKING_URI …',
        upstream: 'mlflow',
        reason: 'unconfigured'
      })
    );
    const unconfigured = await failure(none.client.searchExperiments());
    expect(unconfigured.kind).toBe('unconfigured');
    expect(unconfigured.message).toContain('MLFLOW_TRACKING_URI');
  });

  it('explains an HTML 500 of an endpoint this server lacks', async () => {
    const { client } = clientFor([], () => recordedResponse('graphql-get-run'));
    const error = await failure(client.getRun('2983c368d70a4f539d9fc2bf74827064'));
    expect(error.kind).toBe('server');
    expect(error.message).toBe(
      'The MLflow server failed to read run 2983c368d70a4f539d9fc2bf74827064 (HTTP 500: 500 Internal Server Error.) Check its log.'
    );
  });

  it('says so when a 200 answer is not MLflow JSON (a login page in front of MLflow)', async () => {
    const { client } = clientFor([], () => recordedResponse('health'));
    const text = await failure(client.searchRuns({ experimentIds: ['1'] }));
    expect(text.message).toContain('that is not JSON');
    const html = clientFor(
      [],
      () =>
        new Response('<html><title>Sign in</title></html>', { status: 200, headers: { 'Content-Type': 'text/html' } })
    );
    const login = await failure(html.client.searchExperiments());
    expect(login.message).toContain('answered with an HTML page where MLflow sends JSON');
    const shape = clientFor([], () => json(200, { runs: [{ nope: 1 }] }));
    expect((await failure(shape.client.searchRuns({ experimentIds: ['1'] }))).message).toContain(
      'JSON of another shape'
    );
  });

  it('reports a failed connection and passes on cancellation', async () => {
    const { client } = clientFor([], () => {
      throw new TypeError('Failed to fetch');
    });
    const error = await failure(client.getRun('x'));
    expect(error.kind).toBe('network');
    expect(error.message).toContain('Check that JupyterLab is still running');
    const controller = new AbortController();
    controller.abort();
    const aborted = clientFor([], () => {
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(aborted.client.getRun('x', { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError'
    });
  });
});

/** Recordings of what the panel never asks, or of a server setup the tests above cover otherwise. */
const NOT_ASKED: Record<string, string> = {
  'auth-health-no-credentials': 'the status view asks /version',
  'ajax-metrics-get-history-bulk': 'charts use get-history-bulk-interval, which samples on the server',
  'mlflow-artifacts-list': 'the panel lists artifacts by run with artifacts/list',
  'mlflow-artifacts-download': 'the panel downloads with get-artifact, which works with every artifact store',
  'registered-models-get': 'the registry search answers the same model',
  'registered-models-alias': 'aliases come with the registry search',
  'model-versions-get-download-uri': 'the copied code loads models by URI in MLflow itself',
  'model-versions-get-artifact': 'logged-model files are read through logged-models/…/artifacts/files',
  'security-cors-preflight-foreign-origin': 'the browser never sends MLflow a preflight: it talks to Jupyter',
  'auth-admin-ok': 'a success shaped like experiments-search-post',
  'auth-admin-create-experiment': 'the panel creates nothing',
  'auth-admin-create-user': 'the panel manages no users',
  'auth-user-get': 'the panel manages no users',
  'auth-alice-read-ok': 'a success shaped like experiments-get',
  'auth-admin-grant-permission': 'the panel manages no permissions',
  'auth-experiment-permission-get': 'the panel manages no permissions'
};

describe('the recordings', () => {
  it('are each answered in a test above, or the panel never asks them', () => {
    const missing = recordings.map(entry => entry.name).filter(name => !used.has(name) && !(name in NOT_ASKED));
    expect(missing).toEqual([]);
    expect(Object.keys(NOT_ASKED).filter(name => used.has(name))).toEqual([]);
  });
});
