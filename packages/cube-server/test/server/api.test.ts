/**
 * The REST API of a real server (in this process, on a free port) over the rebuilt `demo` cube: JSON shapes
 * against xcube 1.7.1's recorded answers, errors, caching headers, the S3 API's safety, WMTS, reloads.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/server/png';
import { RunningServer, startServer } from '../../src/server/server';
import { demoCube } from './support/demo-cube';

const FIXTURES = path.join(__dirname, '../fixtures/xcube');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

let server: RunningServer;
let dir: string;
let configFile: string;
const logs: string[] = [];

function config(extra = ''): string {
  return `
Datasets:
  - Identifier: demo
    Path: demo.zarr
    Style: default
    Attribution: Synthetic data, generated locally
    Licence: CC0-1.0
  - Identifier: only-sst
    Path: demo.zarr
    Variables: [sst]
  - Identifier: linked
    Path: linked.zarr
  - Identifier: broken
    Path: missing.zarr
${extra}
Styles:
  - Identifier: default
    ColorMappings:
      chl: { ColorBar: viridis, ValueRange: [0, 1] }
`;
}

async function get(url: string, init?: RequestInit): Promise<Response> {
  return fetch(`${server.url}${url}`, init);
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await get(url, init);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** Every key of the recorded value is in ours, with the same JSON type (lists: their first items). */
function sameShape(ours: unknown, recorded: unknown, where = '$', skip: string[] = []): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (recorded === null) {
    return [];
  }
  if (kind(ours) !== kind(recorded)) {
    return [`${where}: ${kind(ours)} instead of ${kind(recorded)}`];
  }
  if (Array.isArray(recorded) && Array.isArray(ours) && recorded.length && ours.length) {
    return sameShape(ours[0], recorded[0], `${where}[0]`, skip);
  }
  if (kind(recorded) === 'object') {
    return Object.keys(recorded as object)
      .filter(key => !skip.includes(key))
      .flatMap(key =>
        key in (ours as object)
          ? sameShape((ours as any)[key], (recorded as any)[key], `${where}.${key}`, skip)
          : [`${where}.${key}: missing`]
      );
  }
  return [];
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cube-api-'));
  cpSync(demoCube(), path.join(dir, 'demo.zarr'), { recursive: true });
  cpSync(demoCube(), path.join(dir, 'linked.zarr'), { recursive: true });
  // a symbolic link inside a store that leads out of it must not be followed
  writeFileSync(path.join(dir, 'secret.txt'), 'secret');
  symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'linked.zarr', 'sst', 'leak'));
  configFile = path.join(dir, 'cubes.yaml');
  writeFileSync(configFile, config());
  server = await startServer({ configFile, port: 0, version: '9.9.9', log: m => logs.push(m), reloadDelayMs: 50 });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('xcube-compatible JSON', () => {
  it('answers / with a version, as the Jupyter extension checks', async () => {
    const { status, body, headers } = await json('/');
    expect(status).toBe(200);
    expect(body.version).toBe('9.9.9');
    expect(headers.get('access-control-allow-origin')).toBe('*');
    // `versions` names the server's own components
    expect(sameShape(body, { ...fixture('server-info.json'), versions: {} })).toEqual([]);
  });

  it('lists datasets and their details in xcube shapes, a broken store among them', async () => {
    const list = await json('/datasets');
    expect(sameShape(list.body, fixture('datasets.json'))).toEqual([]);
    expect(list.body.datasets.map((d: any) => d.id)).toEqual(['demo', 'only-sst', 'linked', 'broken']);
    const details = await json('/datasets?details=1');
    const demo = details.body.datasets.find((d: any) => d.id === 'demo');
    const recorded = fixture('datasets-details.json').datasets.find((d: any) => d.id === 'demo');
    // rgbSchema is xcube's RGB layer, which this server does not offer
    expect(sameShape(demo, recorded, '$', ['rgbSchema'])).toEqual([]);
    const broken = details.body.datasets.find((d: any) => d.id === 'broken');
    expect(broken.variables).toEqual([]);
    expect(broken.error).toMatch(/missing.zarr/);
  });

  it('gives a dataset with the recorded keys and values, and our additions', async () => {
    const { body } = await json('/datasets/demo');
    const recorded = fixture('dataset-demo.json');
    expect(sameShape(body, recorded, '$', ['rgbSchema'])).toEqual([]);
    expect(body.bbox).toEqual(recorded.bbox);
    expect(body.geometry).toEqual(recorded.geometry);
    expect(body.dimensions).toEqual(recorded.dimensions);
    expect(body.attributions).toEqual(recorded.attributions);
    const sst = body.variables.find((v: any) => v.name === 'sst');
    const recordedSst = recorded.variables.find((v: any) => v.name === 'sst');
    for (const key of [
      'id',
      'dims',
      'shape',
      'dtype',
      'units',
      'title',
      'timeChunkSize',
      'colorBarName',
      'colorBarNorm',
      'colorBarMin',
      'colorBarMax',
      'attrs'
    ]) {
      expect(sst[key], key).toEqual(recordedSst[key]);
    }
    const chl = body.variables.find((v: any) => v.name === 'chl');
    expect([chl.colorBarName, chl.colorBarMin, chl.colorBarMax]).toEqual(['viridis', 0, 1]);
    expect(sst.tileUrl).toBe(`${server.url}/tiles/demo/sst/{z}/{y}/{x}`);
    expect(sst.chunks).toEqual([1, 180, 180]);
    expect(body.licence).toBe('CC0-1.0');
    expect(body.knownLimitations).toEqual([]);
    expect(body.provenance).toBeNull();
  });

  it('writes URLs for the proxy from X-Forwarded-* headers', async () => {
    const { body } = await json('/datasets/demo', {
      headers: {
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'hub.example.org',
        'X-Forwarded-Prefix': '/user/a/esdl-lab/cubes/demo/'
      }
    });
    expect(body.variables[0].tileUrl).toBe(
      'https://hub.example.org/user/a/esdl-lab/cubes/demo/tiles/demo/chl/{z}/{y}/{x}'
    );
    const hostile = await json('/datasets/demo', {
      headers: { 'X-Forwarded-Host': 'evil.org/"><x', 'X-Forwarded-Prefix': 'javascript:alert(1)' }
    });
    expect(hostile.body.variables[0].tileUrl.startsWith(`http://127.0.0.1:${server.port}/tiles/`)).toBe(true);
  });

  it('gives coordinates, colour bars, places and publishes only the configured variables', async () => {
    expect((await json('/datasets/demo/coords/time')).body).toEqual(fixture('coords-demo-time.json'));
    const bars = await json('/colorbars');
    expect(sameShape(bars.body, fixture('colorbars.json'))).toEqual([]);
    expect((await json('/places')).body).toEqual({ placeGroups: [] });
    const expressions = await json('/expressions/capabilities');
    expect(sameShape(expressions.body, fixture('expressions-capabilities.json'))).toEqual([]);
    expect((await json('/expressions/validate/demo/sst%2B1')).status).toBe(400);
    const onlySst = await json('/datasets/only-sst');
    expect(onlySst.body.variables.map((v: any) => v.name)).toEqual(['sst']);
    expect((await get('/tiles/only-sst/chl/0/0/0')).status).toBe(404);
  });
});

describe('time series and statistics', () => {
  const point = { type: 'Point', coordinates: [-110.25, 53.75] };
  const box = {
    type: 'Polygon',
    coordinates: [
      [
        [-40, 10],
        [-20, 10],
        [-20, 30],
        [-40, 30],
        [-40, 10]
      ]
    ]
  };

  it("gives a point time series equal to xcube's", async () => {
    const { status, body } = await json('/timeseries/demo/sst?aggMethods=mean', {
      method: 'POST',
      body: JSON.stringify(point)
    });
    expect(status).toBe(200);
    expect(body).toEqual(fixture('timeseries-point.json'));
  });

  it('aggregates a polygon between dates, as a feature too', async () => {
    const url = '/timeseries/demo/sst?aggMethods=mean,std&startDate=2024-01-02T00:00:00Z&endDate=2024-01-05T23:00:00Z';
    const { body } = await json(url, {
      method: 'POST',
      body: JSON.stringify({ type: 'Feature', geometry: box, properties: {} })
    });
    const recorded = fixture('timeseries-polygon.json');
    expect(sameShape(body, recorded)).toEqual([]);
    expect(body.result.map((e: any) => e.time)).toEqual(recorded.result.map((e: any) => e.time));
    body.result.forEach((entry: any, i: number) => {
      // xcube takes 39 of the 40 rows of cells (its rasterisation of the edge): means agree to 0.05
      expect(Math.abs(entry.mean - recorded.result[i].mean)).toBeLessThan(0.05);
    });
    const all = await json('/timeseries/demo/sst?aggMethods=median,min,max,count', {
      method: 'POST',
      body: JSON.stringify(box)
    });
    expect(Object.keys(all.body.result[0]).sort()).toEqual(['count', 'count_tot', 'max', 'median', 'min', 'time']);
    expect(all.body.result[0].count).toBe(1600);
  });

  it('gives statistics of a point and a polygon with a histogram', async () => {
    const p = await json('/statistics/demo/sst?time=2024-01-03T12:00:00Z', {
      method: 'POST',
      body: JSON.stringify(point)
    });
    expect(p.body).toEqual(fixture('statistics-point.json'));
    const q = await json('/statistics/demo/sst?time=2024-01-03T12:00:00Z', {
      method: 'POST',
      body: JSON.stringify(box)
    });
    const recorded = fixture('statistics-polygon.json');
    expect(sameShape(q.body, recorded)).toEqual([]);
    expect(q.body.result.histogram.values).toHaveLength(100);
    expect(q.body.result.histogram.edges).toHaveLength(101);
    expect(Math.abs(q.body.result.mean - recorded.result.mean)).toBeLessThan(0.05);
    const density = q.body.result.histogram.values.reduce(
      (a: number, v: number, i: number) =>
        a + v * (q.body.result.histogram.edges[i + 1] - q.body.result.histogram.edges[i]),
      0
    );
    expect(density).toBeCloseTo(1, 6);
  });
});

describe('errors', () => {
  it('answers 404 naming an unknown dataset or variable', async () => {
    const ds = await json('/datasets/nope');
    expect(ds.status).toBe(404);
    expect(ds.body.error.message).toMatch(/Dataset 'nope' not found/);
    const v = await json('/tiles/demo/nope/0/0/0');
    expect(v.status).toBe(404);
    expect(v.body.error.message).toMatch(/Variable 'nope' not found in dataset 'demo'/);
  });

  it('answers 400 naming the parameter and why', async () => {
    const cases: [string, string, RegExp][] = [
      ['/tiles/demo/sst/1/2/0', 'y', /row 2 does not exist at level 1/],
      ['/tiles/demo/sst/0/0/x', 'x', /not a non-negative integer/],
      ['/tiles/demo/sst/0/0/0?time=yesterday', 'time', /not a date/],
      ['/tiles/demo/sst/0/0/0?vmin=5&vmax=1', 'vmin', /greater than vmax/],
      ['/tiles/demo/sst/0/0/0?cmap=nope', 'cmap', /unknown colour map 'nope'/],
      ['/tiles/demo/sst/0/0/0?norm=log&vmin=0', 'vmin', /needs vmin > 0/],
      ['/tiles/demo/sst/0/0/0?crs=EPSG:32632', 'crs', /not a tile grid/],
      ['/tiles/demo/sst/0/0/0?vmax=NaN', 'vmax', /not a finite number/]
    ];
    for (const [url, parameter, message] of cases) {
      const { status, body } = await json(url);
      expect(status, url).toBe(400);
      expect(body.error.parameter, url).toBe(parameter);
      expect(body.error.message, url).toMatch(message);
    }
    const bad = await json('/timeseries/demo/sst', { method: 'POST', body: '{"type": "Point", ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/'body': it is not JSON/);
    const geometry = await json('/timeseries/demo/sst', {
      method: 'POST',
      body: '{"type": "Point", "coordinates": [0, 95]}'
    });
    expect(geometry.body.error.message).toMatch(/latitude 95 outside/);
  });

  it('answers 503 for a broken store while the others keep serving', async () => {
    const broken = await json('/datasets/broken');
    expect(broken.status).toBe(503);
    expect(broken.body.error.message).toMatch(/Dataset 'broken' is unavailable/);
    expect((await get('/tiles/broken/sst/0/0/0')).status).toBe(503);
    expect((await get('/tiles/demo/sst/0/0/0')).status).toBe(200);
  });
});

describe('tiles', () => {
  it('sends PNGs with ETag and Cache-Control, and 304 to If-None-Match', async () => {
    const first = await get('/tiles/demo/sst/0/0/0?time=2024-01-03T12:00:00Z');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toMatch(/max-age/);
    const etag = first.headers.get('etag')!;
    const image = decodePng(new Uint8Array(await first.arrayBuffer()));
    expect([image.width, image.height]).toEqual([256, 256]);
    const again = await get('/tiles/demo/sst/0/0/0?time=2024-01-03T12:00:00Z', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    const retina = decodePng(new Uint8Array(await (await get('/tiles/demo/sst/0/0/0?retina=1')).arrayBuffer()));
    expect(retina.width).toBe(512);
    const legend = decodePng(
      new Uint8Array(await (await get('/tiles/demo/sst/legend?width=300&height=20')).arrayBuffer())
    );
    expect([legend.width, legend.height]).toEqual([300, 20]);
    expect((await get('/datasets/demo/vars/sst/tiles2/0/0/0')).status).toBe(200);
  });

  it('draws Web Mercator tiles that are transparent outside the data', async () => {
    // the demo cube covers ±90°, Web Mercator only ±85°: every pixel of level 0 has data
    const world = decodePng(new Uint8Array(await (await get('/tiles/demo/sst/0/0/0')).arrayBuffer()));
    expect(world.data.filter((_, i) => i % 4 === 3).every(a => a === 255)).toBe(true);
  });
});

describe('S3 API', () => {
  it('lists keys as xcube does', async () => {
    const response = await get('/s3/datasets?prefix=demo.zarr/sst/&max-keys=3');
    const xml = await response.text();
    const recorded = readFileSync(path.join(FIXTURES, 's3-list-prefix.xml'), 'utf8');
    const tags = (text: string) => [...new Set([...text.matchAll(/<([A-Za-z]+)[ >/]/g)].map(m => m[1]))].sort();
    expect(tags(xml)).toEqual(tags(recorded));
    expect(xml).toMatch(/<Key>demo.zarr\/sst\/.zarray<\/Key>/);
    expect(xml).toMatch(/<IsTruncated>true<\/IsTruncated>/);
    const v2 = await (await get('/s3/datasets?list-type=2&prefix=demo.zarr/&delimiter=/')).text();
    expect(v2).toMatch(/<CommonPrefixes>\s*<Prefix>demo.zarr\/sst\/<\/Prefix>/);
    expect(v2).toMatch(/<KeyCount>/);
  });

  it('serves keys with ETag, Last-Modified and Content-Length, GET and HEAD alike', async () => {
    const meta = await get('/s3/datasets/demo.zarr/.zmetadata');
    expect(meta.status).toBe(200);
    const consolidated = (await meta.json()) as { metadata: Record<string, unknown> };
    expect(Object.keys(consolidated.metadata)).toContain('sst/.zarray');
    const chunk = await get('/s3/datasets/demo.zarr/sst/0.0.0');
    const head = await get('/s3/datasets/demo.zarr/sst/0.0.0', { method: 'HEAD' });
    const bytes = new Uint8Array(await chunk.arrayBuffer());
    expect(bytes).toEqual(new Uint8Array(readFileSync(path.join(dir, 'demo.zarr/sst/0.0.0'))));
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect(head.headers.get('etag')).toBe(chunk.headers.get('etag'));
    expect(Date.parse(head.headers.get('last-modified')!)).toBeGreaterThan(0);
    const only = (await (await get('/s3/datasets/only-sst.zarr/.zmetadata')).json()) as {
      metadata: Record<string, unknown>;
    };
    expect(Object.keys(only.metadata)).not.toContain('chl/.zarray');
    expect((await get('/s3/datasets/only-sst.zarr/chl/0.0.0')).status).toBe(404);
  });

  it('never reads outside a store', async () => {
    for (const url of [
      '/s3/datasets/demo.zarr/../cubes.yaml',
      '/s3/datasets/demo.zarr/%2e%2e/cubes.yaml',
      '/s3/datasets/demo.zarr/sst/%2e%2e%2f%2e%2e%2fcubes.yaml',
      '/s3/datasets/demo.zarr//etc/passwd',
      '/s3/datasets/demo.zarr/sst\\..\\..\\cubes.yaml',
      '/s3/datasets/linked.zarr/sst/leak',
      '/s3/datasets/../demo.zarr/.zmetadata'
    ]) {
      const response = await fetch(`${server.url}${url}`);
      const text = await response.text();
      expect(response.status, url).toBe(404);
      expect(text, url).not.toMatch(/secret|Datasets:/);
    }
  });
});

describe('WMTS', () => {
  it('describes layers and tile matrix sets, and serves RESTful and KVP tiles', async () => {
    const xml = await (await get('/wmts/1.0.0/WMTSCapabilities.xml')).text();
    expect(xml).toMatch(/<ows:Identifier>demo.sst<\/ows:Identifier>/);
    expect(xml).toMatch(/<ScaleDenominator>279541132.01435894<\/ScaleDenominator>/);
    expect(xml).toMatch(
      /template="http:\/\/127.0.0.1:\d+\/wmts\/1.0.0\/tile\/demo\/sst\/WorldCRS84Quad\/\{TileMatrix\}\/\{TileRow\}\/\{TileCol\}.png"/
    );
    const mercator = await (await get('/wmts/1.0.0/WorldWebMercatorQuad/WMTSCapabilities.xml')).text();
    expect(mercator).toMatch(/urn:ogc:def:crs:EPSG::3857/);
    expect((await get('/wmts/1.0.0/tile/demo/sst/WorldCRS84Quad/0/0/1.png')).headers.get('content-type')).toBe(
      'image/png'
    );
    expect(
      (await get('/wmts/1.0.0/tile/demo/sst/0/0/1.png?time=2024-01-02T12:00:00.000000000/2024-01-03T00:00:00')).status
    ).toBe(200);
    const kvp = await get(
      '/wmts/kvp?Service=WMTS&Request=GetTile&Layer=demo.sst&TileMatrixSet=WorldWebMercatorQuad&TileMatrix=1&TileRow=0&TileCol=1&Format=image/png'
    );
    expect(kvp.status).toBe(200);
    expect((await get('/wmts/1.0.0/tile/demo/sst/Nope/0/0/0.png')).status).toBe(400);
  });
});

describe('configuration reload', () => {
  it('applies a good edit and keeps the last good configuration after a bad one', async () => {
    writeFileSync(configFile, config(`  - Identifier: again\n    Path: demo.zarr\n`));
    await expect.poll(async () => (await json('/datasets')).body.datasets.length, { timeout: 5000 }).toBe(5);
    writeFileSync(configFile, 'Datasets: [');
    await expect.poll(() => logs.some(l => /not reloaded/.test(l)), { timeout: 5000 }).toBe(true);
    expect((await json('/datasets')).body.datasets.length).toBe(5);
    writeFileSync(configFile, config());
    await expect.poll(async () => (await json('/datasets')).body.datasets.length, { timeout: 5000 }).toBe(4);
  });

  it('reads a remote store over HTTP, here our own S3 API', async () => {
    writeFileSync(configFile, config(`  - Identifier: remote\n    Path: ${server.url}/s3/datasets/demo.zarr\n`));
    await expect.poll(async () => (await json('/datasets')).body.datasets.length, { timeout: 5000 }).toBe(5);
    const remote = await get('/tiles/remote/sst/1/0/1?crs=CRS84');
    const local = await get('/tiles/demo/sst/1/0/1?crs=CRS84');
    expect(remote.status).toBe(200);
    expect(new Uint8Array(await remote.arrayBuffer())).toEqual(new Uint8Array(await local.arrayBuffer()));
    expect((await json('/datasets/remote/coords/time')).body).toEqual(fixture('coords-demo-time.json'));
  });
});

describe('a store that vanishes while the server runs', () => {
  it('answers 503 naming the dataset for its keys, and keeps serving', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cube-vanish-'));
    cpSync(demoCube(), path.join(folder, 'gone.zarr'), { recursive: true });
    const file = path.join(folder, 'cubes.yaml');
    writeFileSync(file, 'Datasets:\n  - Identifier: gone\n    Path: gone.zarr\n');
    const running = await startServer({ configFile: file, port: 0, version: '9.9.9', log: () => undefined });
    try {
      expect((await fetch(`${running.url}/s3/datasets/gone.zarr/.zmetadata`)).status).toBe(200);
      expect((await fetch(`${running.url}/s3/datasets/gone.zarr/sst/0.0.0`)).status).toBe(200);
      rmSync(path.join(folder, 'gone.zarr'), { recursive: true, force: true });
      const chunk = await fetch(`${running.url}/s3/datasets/gone.zarr/sst/0.0.0`);
      expect(chunk.status).toBe(503);
      expect(await chunk.text()).toMatch(/Dataset 'gone' is unavailable/);
      expect((await fetch(`${running.url}/`)).status).toBe(200);
    } finally {
      await running.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
