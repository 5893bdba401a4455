/**
 * The benchmark page, bundled by run.mjs and loaded in Chromium: the real catalogue view over 10,000
 * generated datasets (listed through the real model and xcube client, answered from memory), and, as the
 * reference, the same rows rendered without virtualization.
 */
import { StatusModel, XcubeClient } from '@esdl-lab/core';
import { ServerConnection } from '@jupyterlab/services';
import React from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { DEFAULT_SETTINGS, IDatasetActions } from '../src/actions';
import { CatalogView } from '../src/components/CatalogView';
import { DatasetRow } from '../src/components/DatasetRow';
import { CatalogModel } from '../src/model';
import { NO_FILTERS, comparator, matcher } from '../src/search';
import { generateDatasets } from '../test/generate';

const COUNT = Number(new URLSearchParams(location.search).get('count') ?? 10_000);
const QUERY = 'sea surface temperature';
const NAIVE_KEYS = 4;
const ROUNDS = 3;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const settings = ServerConnection.makeSettings({
  baseUrl: 'http://bench.invalid/',
  wsUrl: 'ws://bench.invalid/',
  fetch: async () => new Response(body, { headers: { 'Content-Type': 'application/json' } })
});
const body = JSON.stringify({ datasets: generateDatasets(COUNT) });

const noop = () => undefined;

async function makeModel(): Promise<CatalogModel> {
  const status = new StatusModel({
    standby: 'never',
    interval: 3_600_000,
    fetchStatus: async () => ({
      version: 'bench',
      upstreams: [
        {
          name: 'bench',
          kind: 'cube',
          title: 'Benchmark server',
          state: 'up',
          version: null,
          error: null,
          proxyPath: '',
          managed: false,
          checkedAt: null,
          kernelUrl: 'http://127.0.0.1:1'
        }
      ]
    })
  });
  const model = new CatalogModel({ status, client: server => new XcubeClient({ server, settings }) });
  model.start();
  await model.ready;
  while (model.servers.some(server => server.state !== 'ready')) {
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  return model;
}

function actionsFor(model: CatalogModel): IDatasetActions {
  return {
    showDetails: noop,
    insertCode: noop,
    copyCode: noop,
    dragCode: noop,
    openInViewer: null,
    openInCube3D: null,
    client: server => model.client(server)
  };
}

/**
 * Types the query into the search box one key at a time (the first `keys` keys); the time of each is from the
 * input event to the end of layout.
 */
function typeQuery(input: HTMLInputElement, keys: number): number[] {
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  const times: number[] = [];
  for (let i = 1; i <= keys; i++) {
    const start = performance.now();
    setValue.call(input, QUERY.slice(0, i));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    void document.body.offsetHeight;
    times.push(performance.now() - start);
  }
  return times;
}

function clearQuery(input: HTMLInputElement): void {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, '');
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function host(): HTMLDivElement {
  const node = document.createElement('div');
  node.style.cssText = 'position:absolute;left:0;top:0;width:320px;height:800px;display:flex;flex-direction:column';
  document.body.appendChild(node);
  return node;
}

/** The reference: every matching row in the DOM, filtered and sorted anew on each keystroke. */
function NaiveList(props: { model: CatalogModel; actions: IDatasetActions; query: string }): JSX.Element {
  const match = matcher({ ...NO_FILTERS, query: props.query });
  const rows = props.model.entries.filter(match).sort(comparator('title'));
  return (
    <div role="list" style={{ overflow: 'auto', flex: 1 }}>
      {rows.map((entry, index) => (
        <div key={entry.key} style={{ height: 112 }}>
          <DatasetRow
            entry={entry}
            actions={props.actions}
            showPreview={false}
            position={index + 1}
            count={rows.length}
          />
        </div>
      ))}
    </div>
  );
}

function NaiveView(props: { model: CatalogModel; actions: IDatasetActions }): JSX.Element {
  const [query, setQuery] = React.useState('');
  return (
    <>
      <input type="search" value={query} onChange={event => setQuery(event.target.value)} />
      <NaiveList model={props.model} actions={props.actions} query={query} />
    </>
  );
}

async function measure(kind: 'virtualized' | 'naive', model: CatalogModel) {
  const node = host();
  const root = createRoot(node);
  const actions = actionsFor(model);
  const start = performance.now();
  flushSync(() =>
    root.render(
      kind === 'virtualized' ? (
        <CatalogView model={model} actions={actions} settings={{ ...DEFAULT_SETTINGS, showPreviews: false }} />
      ) : (
        <NaiveView model={model} actions={actions} />
      )
    )
  );
  void document.body.offsetHeight;
  const firstRender = performance.now() - start;
  const domRows = node.querySelectorAll('.esdl-Catalog-item').length;
  // let the virtual list measure its height before typing
  await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 50)));
  const input = node.querySelector('input[type="search"]') as HTMLInputElement;
  // the naive list takes seconds a key: its first keys (the widest results) are enough of a reference
  const keystrokes: number[] = [];
  for (let round = 0; round < (kind === 'naive' ? 1 : ROUNDS); round++) {
    if (round > 0) {
      clearQuery(input);
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    keystrokes.push(...typeQuery(input, kind === 'naive' ? NAIVE_KEYS : QUERY.length));
  }
  const shown = node.querySelectorAll('.esdl-Catalog-item').length;
  root.unmount();
  node.remove();
  return {
    firstRender,
    domRows,
    keystrokeMedian: percentile(keystrokes, 50),
    keystrokeP95: percentile(keystrokes, 95),
    keystrokeMax: Math.max(...keystrokes),
    keystrokes: keystrokes.length,
    rowsAfterQuery: shown
  };
}

(window as any).runBenchmark = async () => {
  const loadStart = performance.now();
  const model = await makeModel();
  const load = performance.now() - loadStart;
  const virtualized = await measure('virtualized', model);
  const naive = await measure('naive', model);
  return { count: model.entries.length, load, query: QUERY, naiveKeys: NAIVE_KEYS, rounds: ROUNDS, virtualized, naive };
};
