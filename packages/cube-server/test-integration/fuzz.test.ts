/**
 * Fuzzing: 10,000 random and hostile tile, time-series, statistics, S3, WMTS and other requests against a
 * real server process. No answer may be a 5xx, except the documented 503 of a dataset whose store is
 * missing or corrupt; no worker may die; the server answers afterwards.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCube } from '../test/server/support/demo-cube';
import { DEMO_CUBES, ServerProcess, hasDemoCube, startServerProcess } from './support/server-process';

const REQUESTS = Number(process.env.ESDL_FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = 16;
const BROKEN = ['broken', 'corrupt'];

let server: ServerProcess;
let dir: string;

// a small deterministic generator, so that a failure can be replayed
let seed = Number(process.env.ESDL_FUZZ_SEED ?? 20240101);
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}
function int(lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

const DATASETS = [
  'demo',
  'coads',
  'navy_winds',
  'etopo5',
  'levitus',
  ...BROKEN,
  'nope',
  '..',
  '%2e%2e',
  'demo.zarr',
  '',
  'a'.repeat(300),
  '<script>',
  '%00',
  'd%C3%A9mo'
];
const VARIABLES = ['sst', 'chl', 'SST', 'UWND', 'ROSE', 'TEMP', 'nope', '..', '%2f', '', 'x'.repeat(500)];
const NUMBERS = [
  '0',
  '1',
  '2',
  '3',
  '-1',
  '1.5',
  '1e12',
  '99999999999999999999',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  ' 1',
  'abc',
  '',
  '٣'
];
const TIMES = [
  '2024-01-03T12:00:00Z',
  '2024-01-03',
  '2024',
  '2024-13-45',
  'first',
  'last',
  'current',
  'yesterday',
  '0000-07',
  '1985-06-15T00:00:00+05:00',
  '-99999-01-01',
  '2024-01-01T12:00:00.000000000/2024-01-02',
  '%00',
  ''
];
const CMAPS = [
  'viridis',
  'plasma_r',
  'RdBu_r_alpha',
  'nope',
  '',
  '_r',
  '{"name":"x","colors":[[0,"red"],[1,"blue"]]}',
  '{"name":"x","type":"categorical","colors":[[1,"red"],[3,[0,1,0]]]}',
  '{"colors":[[0,"red"]]}',
  '{"colors":"red"}',
  '{',
  '{"colors":[' + '[0,"red"],'.repeat(2000) + '[1,"blue"]]}',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  '{"type":"stepwise","colors":[[0,"#fff"],[0.5,"#00000080"],[1,"tab:blue"]]}'
];

function query(): string {
  const params: string[] = [];
  const add = (name: string, values: readonly string[]) =>
    random() < 0.4 && params.push(`${name}=${encodeURIComponent(pick(values))}`);
  add('time', TIMES);
  add('vmin', NUMBERS);
  add('vmax', NUMBERS);
  add('cmap', CMAPS);
  add('norm', ['lin', 'log', 'linear', 'cat', '']);
  add('crs', ['EPSG:3857', 'CRS84', 'EPSG:4326', 'EPSG:32632', '', 'x'.repeat(1000)]);
  add('retina', ['1', '0', 'true', 'yes']);
  add('depth', NUMBERS);
  add(pick(['aggMethods', 'startDate', 'endDate', 'maxValids', 'width', 'height']), [
    ...NUMBERS,
    'mean,std',
    'median',
    'count,min,max',
    'mode',
    ...TIMES
  ]);
  if (random() < 0.05) {
    params.push(`${'p'.repeat(int(1, 50))}=${'v'.repeat(int(1, 4000))}`);
  }
  return params.length ? `?${params.join('&')}` : '';
}

function geometry(): unknown {
  const lon = () => pick([int(-180, 180), int(-1000, 1000), random() * 360 - 180, 'x', null, 1e308]);
  const lat = () => pick([int(-90, 90), int(-200, 200), random() * 180 - 90, null]);
  switch (int(0, 9)) {
    case 0:
      return { type: 'Point', coordinates: [lon(), lat()] };
    case 1: {
      const x = int(-180, 170);
      const y = int(-80, 70);
      const d = pick([1, 5, 20, 90, 360]);
      return {
        type: 'Polygon',
        coordinates: [
          [
            [x, y],
            [x + d, y],
            [x + d, y + d],
            [x, y + d],
            [x, y]
          ]
        ]
      };
    }
    case 2:
      return { type: 'Feature', geometry: { type: 'Point', coordinates: [lon(), lat()] }, properties: null };
    case 3:
      return {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [10, 10] } }, null, {}]
      };
    case 4:
      return { type: 'Polygon', coordinates: [Array.from({ length: int(0, 5000) }, () => [lon(), lat()])] };
    case 5:
      return {
        type: 'MultiPolygon',
        coordinates: pick([
          [],
          [[]],
          [
            [
              [
                [0, 0],
                [1, 0],
                [1, 1],
                [0, 0]
              ]
            ]
          ],
          'x'
        ])
      };
    case 6:
      return { type: pick(['LineString', 'Circle', '', null]), coordinates: [1, 2] };
    case 7:
      return JSON.parse('['.repeat(int(1, 5000)) + ']'.repeat(0) || '[]');
    case 8:
      return pick([null, 42, 'text', [], {}, { type: 'Point' }, { type: 'Point', coordinates: 'a,b' }]);
    default:
      return {
        type: 'Polygon',
        coordinates: [
          [
            [-180, -90],
            [180, -90],
            [180, 90],
            [-180, 90],
            [-180, -90]
          ]
        ]
      };
  }
}

function body(): string | Buffer {
  const r = random();
  if (r < 0.05) {
    return Buffer.alloc(int(1, 3) * 1024 * 1024, 0x20);
  }
  if (r < 0.1) {
    return Buffer.from(Array.from({ length: int(1, 200) }, () => int(0, 255)));
  }
  if (r < 0.15) {
    return '{"type": "Point", "coordinates": [0, 0]';
  }
  try {
    return JSON.stringify(geometry());
  } catch {
    return '[';
  }
}

function request(): { method: string; path: string; body?: string | Buffer } {
  const ds = pick(DATASETS);
  const v = pick(VARIABLES);
  switch (int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return { method: 'GET', path: `/tiles/${ds}/${v}/${pick(NUMBERS)}/${pick(NUMBERS)}/${pick(NUMBERS)}${query()}` };
    case 3:
      return {
        method: 'GET',
        path: `/tiles/${pick(['demo', 'coads', 'etopo5', ...BROKEN])}/${pick(['sst', 'SST', 'ROSE'])}/${int(0, 6)}/${int(0, 40)}/${int(0, 80)}${query()}`
      };
    case 4:
    case 5:
      return {
        method: pick(['POST', 'POST', 'GET', 'PUT']),
        path: `/${pick(['timeseries', 'statistics'])}/${ds}/${v}${query()}`,
        body: body()
      };
    case 6: {
      const key = pick([
        '.zmetadata',
        '.zgroup',
        'sst/.zarray',
        'sst/0.0.0',
        'SST/0.0.0',
        '../cubes.yaml',
        '..%2f..%2fetc%2fpasswd',
        '%2e%2e/%2e%2e/x',
        'sst/../../x',
        '/etc/passwd',
        'sst//0.0.0',
        'a\\b',
        'sst/%00',
        'x'.repeat(2000),
        'overviews/1/ROSE/0.0',
        'timeseries/UWND/0.0.0'
      ]);
      return { method: pick(['GET', 'HEAD', 'GET', 'DELETE']), path: `/s3/datasets/${ds}.zarr/${key}` };
    }
    case 7:
      return {
        method: 'GET',
        path: `/s3/${pick(['datasets', 'pyramids', '..'])}?${pick(['', 'prefix=demo.zarr/', 'prefix=', 'list-type=2&delimiter=/', 'max-keys=-1', 'max-keys=abc', 'marker=zzz', 'max-keys=0', `prefix=${'x'.repeat(3000)}`, 'continuation-token=%FF'])}`
      };
    case 8:
      return {
        method: 'GET',
        path: pick([
          '/wmts/1.0.0/WMTSCapabilities.xml',
          `/wmts/1.0.0/${pick(['WorldCRS84Quad', 'WorldWebMercatorQuad', 'Nope', '..'])}/WMTSCapabilities.xml`,
          `/wmts/1.0.0/tile/${ds}/${v}/${pick(['WorldCRS84Quad', 'x'])}/${pick(NUMBERS)}/${pick(NUMBERS)}/${pick(NUMBERS)}.png`,
          `/wmts/kvp?Service=WMTS&Request=${pick(['GetTile', 'GetCapabilities', 'x'])}&Layer=${ds}.${v}&TileMatrixSet=${pick(['WorldCRS84Quad', 'bad'])}&TileMatrix=${pick(NUMBERS)}&TileRow=${pick(NUMBERS)}&TileCol=${pick(NUMBERS)}&Format=${pick(['image/png', 'image/jpeg'])}`,
          `/datasets/${ds}/coords/${pick(['time', 'lat', 'nope', '..'])}`,
          `/datasets${pick(['', '?details=1', '?details=abc'])}`,
          `/datasets/${ds}`,
          `/tiles/${ds}/${v}/legend${query()}`,
          `/datasets/${ds}/vars/${v}/legend.png${query()}`,
          `/datasets/${ds}/vars/${v}/tiles2/${pick(NUMBERS)}/0/0`,
          '/colorbars',
          '/places',
          `/places/${ds}`,
          '/',
          '/%',
          '/%zz/x',
          '/' + 'a/'.repeat(500)
        ])
      };
    default:
      return {
        method: pick(['PATCH', 'DELETE', 'PUT', 'OPTIONS']),
        path: `/datasets/${ds}`,
        body: random() < 0.5 ? body() : undefined
      };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cube-fuzz-'));
  // a cube with one garbled chunk: its tiles must answer 503 and nothing else may suffer
  cpSync(demoCube(), path.join(dir, 'corrupt.zarr'), { recursive: true });
  writeFileSync(
    path.join(dir, 'corrupt.zarr/sst/0.0.0'),
    Buffer.from('not a blosc frame at all, just text'.repeat(10))
  );
  const real = ['coads', 'navy_winds', 'etopo5', 'levitus'].filter(hasDemoCube);
  const config = path.join(dir, 'cubes.yaml');
  writeFileSync(
    config,
    'ChunkCacheSize: 64M\nTileCacheSize: 16M\nDatasets:\n' +
      `  - Identifier: demo\n    Path: ${demoCube()}\n` +
      real.map(id => `  - Identifier: ${id}\n    Path: ${path.join(DEMO_CUBES, `${id}.zarr`)}\n`).join('') +
      `  - Identifier: broken\n    Path: ${path.join(dir, 'missing.zarr')}\n` +
      `  - Identifier: corrupt\n    Path: ${path.join(dir, 'corrupt.zarr')}\n`
  );
  server = await startServerProcess(config, ['--workers', '2']);
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe('fuzzing', () => {
  it(`survives ${REQUESTS} random and hostile requests with no 5xx but the documented 503`, async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const slowest: [number, string][] = [];
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        next++;
        const { method, path: target, body: payload } = request();
        let status: number;
        const started = performance.now();
        try {
          const response = await fetch(`${server.url}${target}`, {
            method,
            body: method === 'GET' || method === 'HEAD' ? undefined : payload,
            headers: payload ? { 'Content-Type': 'application/json' } : undefined,
            signal: AbortSignal.timeout(30_000)
          });
          status = response.status;
          await response.arrayBuffer();
        } catch (error) {
          failures.push(`${method} ${target.slice(0, 200)}: ${(error as Error).message}`);
          continue;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        slowest.push([performance.now() - started, `${method} ${target.slice(0, 160)} ${status}`]);
        slowest.sort((a, b) => b[0] - a[0]).splice(5);
        const parts = target.split(/[/?]/);
        const part = (parts[1] === 's3' ? parts[3] : parts[2]) ?? '';
        let dataset = part;
        try {
          dataset = decodeURIComponent(part);
        } catch {
          // a malformed escape: the server answers 400 for it
        }
        dataset = dataset.replace(/\.zarr$/, '');
        if (status >= 500 && !(status === 503 && BROKEN.includes(dataset))) {
          failures.push(`${method} ${target.slice(0, 200)} answered ${status}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`fuzz: ${REQUESTS} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    console.log(`slowest: ${slowest.map(([ms, what]) => `${Math.round(ms)} ms ${what}`).join('\n  ')}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(REQUESTS / 20);
    expect(server.output()).not.toMatch(/worker \d+ exited/);
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    expect((await fetch(`${server.url}/tiles/demo/sst/0/0/0`)).status).toBe(200);
  });
});
