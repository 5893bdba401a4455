import { IStatusResponse, IUpstreamStatus, IXcubeDataset, StatusModel, XcubeClient } from '@esdl-lab/core';
import { ServerConnection } from '@jupyterlab/services';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IDatasetActions } from '../src/actions';
import { CatalogModel } from '../src/model';

// what jsdom lacks and JupyterLab's UI components use
beforeAll(() => {
  (globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
  (globalThis as any).DragEvent ??= class extends MouseEvent {};
  (globalThis as any).ResizeObserver ??= class {
    observe(): void {}
    disconnect(): void {}
  };
  window.matchMedia ??= ((media: string) => ({
    matches: false,
    media,
    addEventListener() {},
    removeEventListener() {},
    addListener() {},
    removeListener() {}
  })) as any;
});

const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'xcube', 'v1.7.1');
const coads: IXcubeDataset = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'coads-contract.json'), 'utf-8'));
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

const upstream = (name: string, state: IUpstreamStatus['state'], error: string | null = null): IUpstreamStatus => ({
  name,
  kind: 'cube',
  title: `${name} server`,
  state,
  version: null,
  error,
  proxyPath: '',
  managed: false,
  checkedAt: null,
  kernelUrl: null
});

const mounted: { root: Root; node: HTMLElement; dispose: () => void }[] = [];
afterEach(() => {
  for (const { root, node, dispose } of mounted.splice(0)) {
    act(() => root.unmount());
    node.remove();
    dispose();
  }
});

/** Renders the catalogue view over a status and servers answering `bodies` (JSON text, or an HTTP status). */
async function render(fetchStatus: () => Promise<IStatusResponse>, bodies: Record<string, string | number> = {}) {
  const { CatalogView } = await import('../src/components/CatalogView');
  const { DEFAULT_SETTINGS } = await import('../src/actions');
  const status = new StatusModel({ fetchStatus, standby: 'never', interval: 60_000 });
  const client = (server: string) =>
    new XcubeClient({
      server,
      settings: ServerConnection.makeSettings({
        baseUrl: 'http://localhost:8888/',
        wsUrl: 'ws://localhost:8888/',
        fetch: async () => {
          const body = bodies[server];
          return typeof body === 'number'
            ? new Response(JSON.stringify({ message: `failed with ${body}` }), { status: body })
            : new Response(body, { headers: { 'Content-Type': 'application/json' } });
        },
        Request,
        Headers
      })
    });
  const model = new CatalogModel({ status, client });
  model.start();
  await model.ready.catch(() => undefined);
  for (let i = 0; i < 50 && model.servers.some(s => s.state === 'loading' || s.state === 'pending'); i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  const actions: IDatasetActions = {
    showDetails: () => undefined,
    insertCode: () => undefined,
    copyCode: () => undefined,
    dragCode: () => undefined,
    openInViewer: null,
    openInCube3D: null,
    client: server => model.client(server)
  };
  const node = document.createElement('div');
  document.body.appendChild(node);
  const root = createRoot(node);
  await act(async () => {
    root.render(
      <CatalogView model={model} actions={actions} settings={{ ...DEFAULT_SETTINGS, showPreviews: false }} />
    );
  });
  mounted.push({
    root,
    node,
    dispose: () => {
      model.dispose();
      status.dispose();
    }
  });
  return node;
}

async function type(node: HTMLElement, text: string): Promise<void> {
  const input = node.querySelector('input[type="search"]') as HTMLInputElement;
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('the catalogue view', () => {
  it('says when no cube server is configured', async () => {
    const node = await render(async () => ({ version: '0', upstreams: [] }));
    expect(node.textContent).toContain('No cube server is configured');
    expect(node.textContent).toContain('c.ESDLLab.cube_servers');
  });

  it('says which server is down, with the status error', async () => {
    const node = await render(
      async () => ({ version: '0', upstreams: [upstream('demo', 'down', 'connection refused on 127.0.0.1:9')] }),
      { demo: 502 }
    );
    expect(node.querySelector('[role="alert"]')?.getAttribute('aria-label')).toBe('Cube server demo server failed');
    expect(node.textContent).toContain(
      'No dataset can be listed: demo server is down (connection refused on 127.0.0.1:9)'
    );
  });

  it('says when the server extension cannot be asked', async () => {
    const node = await render(async () => {
      throw new Error('404 Not Found');
    });
    expect(node.textContent).toContain('server extension could not be asked');
  });

  it('searches as the user types, counts, and says when nothing matches', async () => {
    const hostile = { ...coads, id: 'evil', title: `Evil ${HOSTILE}`, tags: [HOSTILE] };
    const node = await render(async () => ({ version: '0', upstreams: [upstream('a', 'up'), upstream('b', 'up')] }), {
      a: readFileSync(join(FIXTURES, 'datasets-details.json'), 'utf-8'),
      b: JSON.stringify({ datasets: [coads, hostile] })
    });
    const items = () => [...node.querySelectorAll('.esdl-Catalog-item')].map(item => item.getAttribute('aria-label'));
    expect(items()).toHaveLength(4);
    expect(node.textContent).toContain('4 datasets');
    await type(node, 'sea surface');
    expect(items()).toContain('COADS monthly climatology');
    expect(node.textContent).toMatch(/\d of 4 datasets/);
    await type(node, 'nothing like this');
    expect(items()).toEqual([]);
    expect(node.textContent).toContain('No dataset matches “nothing like this”');
    await type(node, 'evil');
    expect(items()).toEqual([`Evil ${HOSTILE}`]);
    expect(node.querySelectorAll('img, script, [onerror]')).toHaveLength(0);
    expect(node.querySelector('.esdl-Catalog-tag')?.textContent).toBe(HOSTILE);
    expect((window as any).__pwned).toBeUndefined();
  });
});
