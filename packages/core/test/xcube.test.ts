import { ServerConnection } from '@jupyterlab/services';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EsdlApiError,
  EsdlNetworkError,
  XcubeClient,
  histogramQuantile,
  previewTile,
  tilePath,
  tileQuery
} from '../src';

const FIXTURES = join(__dirname, '..', '..', '..', 'test-fixtures', 'xcube');
const fixture = (version: string, name: string) => readFileSync(join(FIXTURES, version, name), 'utf-8');

type Handler = (url: URL, request: Request) => Response | Promise<Response>;

function clientFor(handler: Handler, options: Partial<XcubeClient.IOptions> = {}) {
  const requests: URL[] = [];
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/base/',
    wsUrl: 'ws://localhost:8888/base/',
    token: 't',
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      requests.push(url);
      return handler(url, request);
    },
    Request,
    Headers
  });
  return { client: new XcubeClient({ server: 'demo', settings, ...options }), requests };
}

const jsonResponse = (body: string, status = 200) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/json' } });

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.each(['v1.7.1', 'v1.4.1'])('XcubeClient against xcube %s', version => {
  it('lists datasets and their details through the proxy', async () => {
    const { client, requests } = clientFor(url =>
      jsonResponse(fixture(version, url.search.includes('details=1') ? 'datasets-details.json' : 'datasets.json'))
    );
    const summary = await client.datasets();
    expect(summary.datasets.map(d => d.id)).toEqual(['demo', 'sns']);
    expect(requests[0].pathname).toBe('/base/esdl-lab/cubes/demo/datasets');

    const details = await client.datasets({ details: true });
    expect(requests[1].pathname).toBe('/base/esdl-lab/cubes/demo/datasets');
    expect(requests[1].searchParams.get('details')).toBe('1');
    const demo = details.datasets[0];
    expect(demo.bbox).toEqual([-180, -90, 180, 90]);
    expect(demo.variables.map(v => v.name)).toEqual(['chl', 'sst']);
    const sst = demo.variables[1];
    expect(sst).toMatchObject({ units: 'degC', dtype: 'float32', shape: [10, 360, 720], colorBarName: 'plasma' });
    expect(demo.dimensions?.find(d => d.name === 'time')?.coordinates[0]).toBe('2024-01-01T12:00:00Z');
    expect(demo.attributions).toEqual(['Synthetic data, generated locally']);
  });

  it('reads one dataset, a dimension and the colour bars', async () => {
    const { client, requests } = clientFor(url => {
      if (url.pathname.endsWith('/coords/time')) {
        return jsonResponse(fixture(version, 'coords-demo-time.json'));
      }
      if (url.pathname.endsWith('/colorbars')) {
        return jsonResponse(fixture(version, 'colorbars.json'));
      }
      return jsonResponse(fixture(version, 'dataset-demo.json'));
    });
    const demo = await client.dataset('demo');
    expect(demo.title).toBe('Synthetic demo cube');
    expect(requests[0].pathname).toBe('/base/esdl-lab/cubes/demo/datasets/demo');
    const time = await client.coords('demo', 'time');
    expect(time.size).toBe(10);
    expect(time.coordinates).toHaveLength(10);
    const groups = await client.colorBars();
    expect(groups.map(g => g.title)).toContain('Perceptually Uniform Sequential');
    const viridis = groups.flatMap(g => g.colorBars).find(bar => bar.name === 'viridis');
    expect(atob(viridis!.imageData).slice(1, 4)).toBe('PNG');
  });
});

describe('XcubeClient errors', () => {
  it("passes xcube's own error message through core's error type", async () => {
    const { client } = clientFor(() =>
      jsonResponse(JSON.stringify({ error: { status_code: 404, message: 'HTTP 404: Dataset "nope" not found' } }), 404)
    );
    const error = await rejection(client.dataset('nope'));
    expect(error).toBeInstanceOf(EsdlApiError);
    expect(error.status).toBe(404);
    expect(error.message).toContain('Dataset "nope" not found');
  });

  it('turns an HTML page into an error that names the server and what to check', async () => {
    const { client } = clientFor(
      () => new Response('<!DOCTYPE html><html><body>Welcome to nginx</body></html>', { status: 200 })
    );
    const error = await rejection(client.datasets({ details: true }));
    expect(error).toBeInstanceOf(EsdlApiError);
    expect(error.reason).toBe('invalid-response');
    expect(error.upstream).toBe('demo');
    expect(error.message).toContain("Cube server 'demo' answered GET /datasets?details=1 with an HTML page");
    expect(error.message).toContain('Check that the configured URL');
  });

  it('rejects garbage and JSON of the wrong shape', async () => {
    const garbage = clientFor(() => jsonResponse('{"datasets": [1, 2'));
    expect((await rejection(garbage.client.datasets())).message).toContain('text that is not JSON');
    const wrong = clientFor(() => jsonResponse('{"items": []}'));
    expect((await rejection(wrong.client.datasets())).message).toContain('a "datasets" list');
    const noId = clientFor(() => jsonResponse('{"datasets": [{"title": "x"}]}'));
    expect((await rejection(noId.client.datasets())).message).toContain('at index 0');
    const noVars = clientFor(() => jsonResponse('{"datasets": [{"id": "a"}]}'));
    expect((await rejection(noVars.client.datasets({ details: true }))).message).toContain('"variables" list');
  });

  it("keeps the proxy's 502 for an unreachable server", async () => {
    const { client } = clientFor(() =>
      jsonResponse(
        JSON.stringify({
          message: "Cube server 'demo' at http://127.0.0.1:9 refused the connection.",
          reason: 'unreachable',
          upstream: 'demo'
        }),
        502
      )
    );
    const error = await rejection(client.datasets());
    expect(error.isUpstreamError).toBe(true);
    expect(error.reason).toBe('unreachable');
  });

  it('gives up after the timeout with an error that says so', async () => {
    const { client } = clientFor(
      (_url, request) =>
        new Promise((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
      { timeout: 50 }
    );
    const error = await rejection(client.datasets());
    expect(error).toBeInstanceOf(EsdlApiError);
    expect(error.status).toBe(504);
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain('did not answer GET /datasets within');
  });

  it('reports a cancelled request as an AbortError, and a dead Jupyter server as a network error', async () => {
    const slow = clientFor(
      (_url, request) =>
        new Promise((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        })
    );
    const controller = new AbortController();
    const pending = rejection(slow.client.datasets({ signal: controller.signal }));
    controller.abort();
    expect((await pending).name).toBe('AbortError');
    const dead = clientFor(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await rejection(dead.client.datasets())).toBeInstanceOf(EsdlNetworkError);
  });

  it('refuses a server name that could leave its route', () => {
    expect(() => new XcubeClient({ server: '../mlflow' })).toThrow(/without '\/'/);
  });
});

describe('tiles and raw Zarr', () => {
  it("builds tile paths with xcube's parameters", () => {
    expect(
      tilePath({
        dataset: 'demo',
        variable: 'chl',
        z: 3,
        y: 4,
        x: 3,
        crs: 'EPSG:3857',
        vmin: 0,
        vmax: 1,
        cmap: 'viridis',
        time: '2024-01-10T12:00:00Z'
      })
    ).toBe('tiles/demo/chl/3/4/3?crs=EPSG%3A3857&vmin=0&vmax=1&cmap=viridis&time=2024-01-10T12%3A00%3A00Z');
    expect(
      tileQuery({ dataset: 'd', variable: 'v', z: 0, y: 0, x: 0, retina: true, norm: 'log', dims: { depth: 10 } })
    ).toBe('norm=log&retina=1&depth=10');
    expect(() => tilePath({ dataset: 'd', variable: 'v', z: -1, y: 0, x: 0 })).toThrow(RangeError);
    expect(tilePath({ dataset: 'a/b', variable: 'v', z: 0, y: 0, x: 0 })).toBe('tiles/a%2Fb/v/0/0/0');
  });

  it('fetches a tile as a blob through the proxy', async () => {
    const png = readFileSync(join(FIXTURES, 'v1.7.1', 'tile-demo-sst-z0-y0-x0-3857.png'));
    const { client, requests } = clientFor(() => new Response(png, { headers: { 'Content-Type': 'image/png' } }));
    const blob = await client.tile({ dataset: 'demo', variable: 'sst', z: 0, y: 0, x: 0, cmap: 'plasma' });
    expect(blob.size).toBe(png.length);
    expect(requests[0].pathname).toBe('/base/esdl-lab/cubes/demo/tiles/demo/sst/0/0/0');
    // no cache buster: the browser may reuse a tile it has
    expect(requests[0].search).toBe('?cmap=plasma');
    expect(client.tileEndpoint({ dataset: 'demo', variable: 'sst', z: 0, y: 0, x: 0 })).toBe(
      'cubes/demo/tiles/demo/sst/0/0/0'
    );
  });

  it('reads consolidated Zarr metadata whatever its content type', async () => {
    const { client, requests } = clientFor(
      () =>
        new Response(fixture('v1.4.1', 's3-demo-zmetadata.json'), {
          headers: { 'Content-Type': 'binary/octet-stream' }
        })
    );
    const meta = await client.zarrMetadata('demo');
    expect(requests[0].pathname).toBe('/base/esdl-lab/cubes/demo/s3/datasets/demo.zarr/.zmetadata');
    expect((meta.metadata['sst/.zarray'] as any).chunks).toEqual([1, 180, 180]);
  });

  it('picks the deepest single Web Mercator tile that holds a box', () => {
    expect(previewTile([-180, -90, 180, 90])).toEqual({ z: 0, x: 0, y: 0 });
    expect(previewTile(undefined)).toEqual({ z: 0, x: 0, y: 0 });
    // the SNS cube of xcube's examples: 0..5°E, 50..52.5°N
    const sns = previewTile([0, 50, 5, 52.5]);
    expect(sns.z).toBeGreaterThanOrEqual(5);
    const n = 2 ** sns.z;
    expect(sns.x).toBe(Math.floor((180 / 360) * n));
    // a box across the equator stays at level 0 in y
    expect(previewTile([10, -10, 20, 10])).toEqual({ z: 0, x: 0, y: 0 });
    expect(previewTile([0, 0, 90, 60])).toEqual({ z: 2, x: 2, y: 1 });
  });

  it("posts a point for a time series and reads xcube's answer; a wrong shape is an error", async () => {
    let sent: { method: string; body: string; type: string | null } | null = null;
    const { client, requests } = clientFor(async (_url, request) => {
      sent = { method: request.method, body: await request.text(), type: request.headers.get('Content-Type') };
      return jsonResponse(fixture('v1.7.1', 'timeseries-point.json'));
    });
    const values = await client.timeSeries(
      'demo',
      'sst',
      { type: 'Point', coordinates: [10, 50] },
      { aggMethods: ['mean', 'std'] }
    );
    expect(requests[0].pathname).toBe('/base/esdl-lab/cubes/demo/timeseries/demo/sst');
    expect(requests[0].searchParams.get('aggMethods')).toBe('mean,std');
    expect(sent).toEqual({ method: 'POST', body: '{"type":"Point","coordinates":[10,50]}', type: 'application/json' });
    expect(values.length).toBeGreaterThan(5);
    expect(values[0]).toEqual({ mean: 25.335508346557617, time: '2024-01-01T12:00:00Z' });

    const wrong = clientFor(() => jsonResponse('{"values": []}')).client;
    await expect(wrong.timeSeries('demo', 'sst', { type: 'Point', coordinates: [0, 0] })).rejects.toThrow(
      /"result" list/
    );
  });

  it("posts a polygon for statistics at a time, and reads percentiles from xcube's histogram", async () => {
    const { client, requests } = clientFor(() => jsonResponse(fixture('v1.7.1', 'statistics-polygon.json')));
    const ring = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 0]
    ];
    const stats = await client.statistics(
      'demo',
      'sst',
      { type: 'Polygon', coordinates: [ring] },
      { dims: { time: '2024-01-01' } }
    );
    expect(requests[0].pathname).toBe('/base/esdl-lab/cubes/demo/statistics/demo/sst');
    expect(requests[0].searchParams.get('time')).toBe('2024-01-01');
    expect(stats.count).toBe(1560);
    const low = histogramQuantile(stats.histogram!, 0.02);
    const high = histogramQuantile(stats.histogram!, 0.98);
    expect(low).toBeGreaterThan(stats.minimum!);
    expect(high).toBeLessThan(stats.maximum!);
    expect(low).toBeLessThan(high);
    expect(histogramQuantile({ values: [1, 1], edges: [0, 1, 2] }, 0.5)).toBe(1);
    const point = clientFor(() => jsonResponse(fixture('v1.7.1', 'statistics-point.json'))).client;
    expect(await point.statistics('demo', 'sst', { type: 'Point', coordinates: [0, 0] })).toEqual({
      value: 26.557418823242188
    });
    expect(histogramQuantile({ values: [0, 0], edges: [0, 1, 2] }, 0.5)).toBeNaN();
  });
});
