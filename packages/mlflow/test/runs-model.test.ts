import { MlflowClient, MlflowError } from '@esdl-lab/core';
import { ServerConnection } from '@jupyterlab/services';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExperimentsModel } from '../src/model/experiments';
import { RunsModel } from '../src/model/runs';
import { DEFAULT_SETTINGS } from '../src/settings';
import { FIXTURES } from './fixtures';

/** A client whose runs/search answers come from `answer(body)`, recording the bodies it was sent. */
function clientFor(answer: (body: any) => { status?: number; file?: string; json?: unknown }) {
  const bodies: any[] = [];
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/',
    wsUrl: 'ws://localhost:8888/',
    token: 't',
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const body = JSON.parse((await request.text()) || 'null');
      bodies.push(body);
      const reply = answer(body);
      const text = reply.file ? readFileSync(join(FIXTURES, reply.file), 'utf-8') : JSON.stringify(reply.json ?? {});
      return new Response(text, { status: reply.status ?? 200, headers: { 'Content-Type': 'application/json' } });
    },
    Request,
    Headers
  });
  return { client: new MlflowClient({ settings }), bodies };
}

describe('RunsModel', () => {
  it('loads a page, then the next with its token, and knows when all are loaded', async () => {
    const { client, bodies } = clientFor(body =>
      body.page_token ? { file: 'runs-search-p2.json' } : { file: 'runs-search-p1.json' }
    );
    const model = new RunsModel({
      client,
      experimentIds: ['1', '2', '3'],
      settings: { ...DEFAULT_SETTINGS, pageSize: 3 }
    });
    await model.load();
    expect(model.table.size).toBe(3);
    expect(model.complete).toBe(false);
    await model.loadMore();
    expect(bodies[1]).toMatchObject({
      page_token: 'eyJvZmZzZXQiOiAzfQ==',
      max_results: 3,
      run_view_type: 'ACTIVE_ONLY'
    });
    expect(model.table.size).toBe(6);
    model.dispose();
  });

  it("shows the server's message for a bad filter, and recovers", async () => {
    const { client } = clientFor(body =>
      body.filter === 'metrics.val_loss >> 1'
        ? { status: 400, file: 'runs-search-bad-filter.json' }
        : { file: 'runs-search-filter.json' }
    );
    const model = new RunsModel({ client, experimentIds: ['1'], settings: DEFAULT_SETTINGS });
    await model.setFilter('metrics.val_loss >> 1');
    expect(model.error).toBeInstanceOf(MlflowError);
    expect((model.error as MlflowError).kind).toBe('invalid');
    expect((model.error as MlflowError).serverMessage).toContain("Invalid comparator '>>'");
    expect(model.table.size).toBe(0);
    await model.setFilter("params.arch = 'unet'");
    expect(model.error).toBeNull();
    expect(model.table.size).toBe(3);
    model.dispose();
  });

  it('lets MLflow sort while runs remain on the server, and sorts loaded runs when all are there', async () => {
    const { client, bodies } = clientFor(() => ({ file: 'runs-search-p1.json' }));
    const model = new RunsModel({ client, experimentIds: ['1'], settings: DEFAULT_SETTINGS });
    await model.load();
    await model.setSort({ column: 'metrics.val_loss', ascending: false });
    expect(bodies).toHaveLength(2);
    expect(bodies[1].order_by).toEqual(['metrics.`val_loss` DESC']);
    // duration: MLflow cannot sort by it; the loaded runs are sorted and the notice says so
    await model.setSort({ column: 'duration', ascending: true });
    expect(bodies).toHaveLength(2);
    expect(model.notice).toContain('Sorted among the 3 loaded runs');

    const all = clientFor(() => ({ file: 'runs-search-filter.json' }));
    const complete = new RunsModel({ client: all.client, experimentIds: ['1'], settings: DEFAULT_SETTINGS });
    await complete.load();
    await complete.setSort({ column: 'metrics.val_loss', ascending: true });
    expect(all.bodies).toHaveLength(1);
    model.dispose();
    complete.dispose();
  });

  it('asks the server again when the sort changes while the first page is loading', async () => {
    const { client, bodies } = clientFor(() => ({ file: 'runs-search-p1.json' }));
    const model = new RunsModel({ client, experimentIds: ['1'], settings: DEFAULT_SETTINGS });
    expect(model.complete).toBe(false);
    const first = model.load();
    await model.setSort({ column: 'start', ascending: true });
    await first;
    expect(bodies.at(-1).order_by).toEqual(['attributes.start_time ASC']);
    expect(bodies).toHaveLength(2);
    model.dispose();
  });

  it('stops on a page token that does not advance, and says so', async () => {
    const { client } = clientFor(() => ({ json: { runs: [], next_page_token: 'same' } }));
    const model = new RunsModel({ client, experimentIds: ['1'], settings: DEFAULT_SETTINGS });
    await model.load();
    expect(model.complete).toBe(false);
    const { client: stuck } = clientFor(body => ({
      json: {
        runs: JSON.parse(readFileSync(join(FIXTURES, 'runs-search-p1.json'), 'utf-8')).runs,
        next_page_token: body.page_token ?? 'same'
      }
    }));
    const looping = new RunsModel({ client: stuck, experimentIds: ['1'], settings: DEFAULT_SETTINGS });
    await looping.load();
    await looping.loadMore();
    expect(looping.complete).toBe(true);
    expect(looping.notice).toContain('page token did not advance');
    model.dispose();
    looping.dispose();
  });

  it('keeps the selection, and lists the selected runs', async () => {
    const { client } = clientFor(() => ({ file: 'runs-search-p1.json' }));
    const model = new RunsModel({ client, experimentIds: ['1'], settings: DEFAULT_SETTINGS });
    await model.load();
    model.setSelected(['010b92fa8a884784a8ffb32ca862d93d', 'nope'], true);
    await model.refresh();
    expect(model.selection).toEqual(['010b92fa8a884784a8ffb32ca862d93d', 'nope']);
    expect(model.selectedRuns().map(run => run.info.run_name)).toEqual(['unet-lr0.003']);
    model.dispose();
  });
});

describe('ExperimentsModel', () => {
  it('searches by name and stops paging on a token that does not advance', async () => {
    const { client, bodies } = clientFor(body =>
      body.page_token
        ? { json: { experiments: [], next_page_token: body.page_token } }
        : { file: 'experiments-search-get-p1.json' }
    );
    const model = new ExperimentsModel(client);
    await model.setSearch('nowcast');
    expect(bodies[0]).toMatchObject({ filter: "name ILIKE '%nowcast%'", max_results: 100, view_type: 'ACTIVE_ONLY' });
    expect(model.experiments).toHaveLength(2);
    expect(model.hasMore).toBe(true);
    await model.loadMore();
    expect(model.hasMore).toBe(false);
    model.dispose();
  });
});
