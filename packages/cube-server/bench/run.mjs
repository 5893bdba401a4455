// `npm run -w @esdl-lab/cube-server bench`: tile throughput and latency of the cube server (cold and warm,
// 8 and 64 clients, wrk on loopback), a point time series over the 132 navy-wind months, and where a tile's
// time goes (per stage, in the server and measured alone), next to xcube 1.7.1's figures recorded on the
// same kind of machine. Prints figures and ratios; never fails on a figure.
//   ESDL_BENCH_SECONDS=10 (per wrk run)   ESDL_BENCH_WORKERS (default: one per core)
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');
const repo = path.resolve(pkg, '../..');
const SECONDS = Number(process.env.ESDL_BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.ESDL_BENCH_WORKERS ?? Math.min(4, availableParallelism()));
const work = mkdtempSync(path.join(tmpdir(), 'cube-bench-'));
const servers = [];

function log(line = '') {
  console.log(line);
}

function python() {
  const venv = path.join(repo, '.venv/bin/python');
  return process.env.ESDL_PYTHON ?? (existsSync(venv) ? venv : 'python3');
}

/** The cubes to measure: the store xcube's figures were taken on, and the demo cubes when built. */
function cubes() {
  const list = [];
  const demo = path.join(work, 'demo.zarr');
  try {
    execFileSync(python(), [path.join(pkg, 'test/fixtures/make-demo-cube.py'), demo], { stdio: 'pipe' });
    // xcube's recorded figures: 256-pixel tiles of levels 2 and 4 of this synthetic 720x360x10 cube
    list.push({
      id: 'demo',
      path: demo,
      variable: 'sst',
      zmin: 2,
      zmax: 4,
      times: '2024-01-01,2024-01-04,2024-01-07,2024-01-10',
      note: "synthetic 720x360x10 float32 (the store of xcube's figures)"
    });
  } catch (error) {
    log(
      `(no synthetic demo cube: ${String(error.stderr ?? error.message)
        .trim()
        .split('\n')
        .pop()})`
    );
  }
  const cubesDir = path.join(repo, 'data/cubes');
  const has = id => existsSync(path.join(cubesDir, `${id}.zarr`, '.zmetadata'));
  if (has('coads')) {
    list.push({
      id: 'coads',
      path: path.join(cubesDir, 'coads.zarr'),
      variable: 'SST',
      zmin: 0,
      zmax: 3,
      times: '0000-01-16,0000-04-16,0000-07-16,0000-10-16',
      note: 'COADS 180x90x12, chunks 1x90x180'
    });
  }
  if (has('etopo5')) {
    list.push({
      id: 'etopo5',
      path: path.join(cubesDir, 'etopo5.zarr'),
      variable: 'ROSE',
      zmin: 0,
      zmax: 5,
      times: '',
      note: 'ETOPO5 4320x2161, chunks 512x512, 4 overview levels'
    });
  }
  if (!has('coads') || !has('etopo5')) {
    log(
      '(COADS/ETOPO5 cubes not built: run packages/cube-server/scripts/build-demo-cubes.sh; measuring the synthetic cube only)'
    );
  }
  return { list, navy: has('navy_winds') ? path.join(cubesDir, 'navy_winds.zarr') : null };
}

async function startServer(name, config, workers = WORKERS) {
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(file, config);
  const bundle = path.join(repo, 'packages/server/esdl_lab/node/cube-server.mjs');
  const child = spawn(process.execPath, [bundle, '--config', file, '--port', '0', '--workers', String(workers)], {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  servers.push(child);
  let output = '';
  child.stderr.on('data', d => (output += d));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', d => {
      output += d;
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        resolve(m[1]);
      }
    });
    child.on('exit', code => reject(new Error(`server exited (${code}): ${output}`)));
  });
  return {
    url,
    stop: () =>
      new Promise(resolve => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      })
  };
}

function datasetsYaml(list) {
  return list.map(c => `  - Identifier: ${c.id}\n    Path: ${c.path}\n`).join('');
}

function wrk(url, clients, seconds, cube, extra = '') {
  return new Promise(resolve => {
    const args = [
      `-t${Math.min(2, clients)}`,
      `-c${clients}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      path.join(here, 'tiles.lua'),
      url,
      '--',
      cube.id,
      cube.variable,
      String(cube.zmin),
      String(cube.zmax),
      cube.times,
      extra
    ];
    execFile('wrk', args, { timeout: (seconds + 60) * 1000 }, (error, stdout) => {
      const m = /BENCH requests=(\d+) seconds=([\d.]+) bad=(\d+) p50_us=(\d+) p99_us=(\d+) errors=(\d+)/.exec(
        stdout ?? ''
      );
      if (!m) {
        resolve({ error: String(error?.message ?? stdout) });
        return;
      }
      const [requests, secs, bad, p50, p99] = m.slice(1).map(Number);
      resolve({ rate: requests / secs, p50: p50 / 1000, p99: p99 / 1000, bad });
    });
  });
}

/** GET with a fresh connection, so that successive calls reach different worker processes. */
function getJson(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, res => {
        let body = '';
        res.on('data', d => (body += d));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

/** Stage times summed over the server's worker processes. */
async function stages(url) {
  const byPid = new Map();
  for (let i = 0; i < 6 * WORKERS && byPid.size < WORKERS; i++) {
    const answer = await getJson(`${url}/esdl/stages`);
    byPid.set(answer.pid, answer.stages);
  }
  const total = {};
  for (const stages of byPid.values()) {
    for (const [name, { count, totalMs }] of Object.entries(stages)) {
      total[name] ??= { count: 0, totalMs: 0 };
      total[name].count += count;
      total[name].totalMs += totalMs;
    }
  }
  return total;
}

function fmt(value, digits = 1) {
  return value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

function row(label, result) {
  if (result.error) {
    return `  ${label.padEnd(34)} failed: ${result.error.slice(0, 120)}`;
  }
  return `  ${label.padEnd(34)} ${fmt(result.rate, 0).padStart(7)} tiles/s   p50 ${fmt(result.p50, 2).padStart(7)} ms   p99 ${fmt(result.p99, 2).padStart(7)} ms${result.bad ? `   (${result.bad} non-200)` : ''}`;
}

function xcubeReference() {
  const text = readFileSync(path.join(pkg, 'test/fixtures/xcube/bench-tiles.txt'), 'utf8');
  const rates = [...text.matchAll(/-> ([\d.]+) tiles\/s/g)].map(m => Number(m[1]));
  const medians = [...text.matchAll(/sequential: n=\d+ median=([\d.]+) ms/g)].map(m => Number(m[1]));
  return {
    text: text.trim(),
    rateMin: Math.min(...rates),
    rateMax: Math.max(...rates),
    seqMin: Math.min(...medians),
    seqMax: Math.max(...medians)
  };
}

async function timeSeries(navy) {
  const server = await startServer('timeseries', `Datasets:\n  - Identifier: navy_winds\n    Path: ${navy}\n`, 1);
  const body = JSON.stringify({ type: 'Point', coordinates: [-30.5, 40.2] });
  const once = async () => {
    const start = performance.now();
    const response = await fetch(`${server.url}/timeseries/navy_winds/UWND?aggMethods=mean`, { method: 'POST', body });
    const json = await response.json();
    return { ms: performance.now() - start, n: json.result?.length ?? 0 };
  };
  await fetch(`${server.url}/datasets/navy_winds`);
  const cold = await once();
  const warm = [];
  for (let i = 0; i < 30; i++) {
    warm.push((await once()).ms);
  }
  warm.sort((a, b) => a - b);
  await server.stop();
  return { cold: cold.ms, n: cold.n, p50: warm[15], p99: warm[29] };
}

async function main() {
  const ref = xcubeReference();
  log(
    `cube server benchmark: ${WORKERS} worker process(es), ${availableParallelism()} cores, wrk runs of ${SECONDS} s`
  );
  log('reference, xcube 1.7.1 on the same kind of machine (test/fixtures/xcube/bench-tiles.txt):');
  ref.text.split('\n').forEach(line => log(`  ${line}`));
  try {
    execFileSync('wrk', ['--version'], { stdio: 'pipe' });
  } catch (error) {
    if (error.code === 'ENOENT') {
      log('wrk is not installed (apt-get install wrk): no throughput figures');
      return;
    }
  }
  execFileSync(process.execPath, [path.join(pkg, 'build.mjs')], { stdio: 'pipe' });
  const stagesBundle = path.join(work, 'stages.mjs');
  execFileSync(path.join(repo, 'node_modules/.bin/esbuild'), [
    path.join(here, 'stages.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    `--outfile=${stagesBundle}`,
    '--log-level=error',
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
  ]);
  const { list, navy } = cubes();
  const summary = [];
  for (const cube of list) {
    log();
    log(
      `${cube.id}: ${cube.note}; ${cube.variable}, levels ${cube.zmin}..${cube.zmax}${cube.times ? `, ${cube.times.split(',').length} time steps` : ''}`
    );
    // cold: no caches at all, every tile reads and decodes its chunks (the files are in the OS page cache)
    const cold = await startServer(
      `${cube.id}-cold`,
      `ChunkCacheSize: 0\nTileCacheSize: 0\nDatasets:\n${datasetsYaml([cube])}`
    );
    await wrk(cold.url, 1, 2, cube);
    const seq = await wrk(cold.url, 1, SECONDS, cube);
    log(row('cold, 1 client (sequential)', seq));
    const cold8 = await wrk(cold.url, 8, SECONDS, cube);
    log(row('cold, 8 clients', cold8));
    const serverStages = await stages(cold.url);
    const cold64 = await wrk(cold.url, 64, SECONDS, cube);
    log(row('cold, 64 clients', cold64));
    await cold.stop();
    // warm: decoded chunks cached, every tile still resampled, colour-mapped and encoded (no tile cache)
    const warm = await startServer(
      `${cube.id}-warm`,
      `ChunkCacheSize: 1G\nTileCacheSize: 0\nDatasets:\n${datasetsYaml([cube])}`
    );
    await wrk(warm.url, 8, Math.max(3, SECONDS / 2), cube);
    const warm8 = await wrk(warm.url, 8, SECONDS, cube);
    log(row('warm, 8 clients', warm8));
    const warm64 = await wrk(warm.url, 64, SECONDS, cube);
    log(row('warm, 64 clients', warm64));
    await warm.stop();
    // cached: the same tiles again, answered from the tile cache
    const cached = await startServer(`${cube.id}-cached`, `Datasets:\n${datasetsYaml([cube])}`);
    const small = { ...cube, zmin: 0, zmax: 2, times: cube.times.split(',')[0] ?? '' };
    await wrk(cached.url, 8, 3, small);
    const cached64 = await wrk(cached.url, 64, SECONDS, small);
    log(row('tile cache hits, 64 clients', cached64));
    await cached.stop();
    // where a cold tile's time goes: stage means in the server (8 clients) and each stage alone
    const alone = JSON.parse(
      execFileSync(process.execPath, [stagesBundle, cube.path, cube.variable, String(cube.zmin + 1), '1', '1'], {
        encoding: 'utf8'
      })
    );
    const mean = name => (serverStages[name] ? serverStages[name].totalMs / serverStages[name].count : NaN);
    log(`  per stage (ms)            decode   resample  colour map   encode   whole tile (wall time, 8 clients)`);
    log(
      `    in the server (cold)  ${fmt(mean('decode'), 3).padStart(7)}   ${fmt(mean('resample'), 3).padStart(7)}   ${fmt(mean('colormap'), 3).padStart(9)}   ${fmt(mean('encode'), 3).padStart(7)}   ${fmt(mean('tile'), 3).padStart(9)}`
    );
    log(
      `    each alone             ${fmt(alone.decode, 3).padStart(7)}   ${fmt(alone.resample, 3).padStart(7)}   ${fmt(alone.colormap, 3).padStart(9)}   ${fmt(alone.encode, 3).padStart(7)}`
    );
    log(
      `    (decode: one ${alone.chunk.shape.join('x')} chunk, ${alone.chunk.compressor?.id ?? 'uncompressed'}${alone.chunk.compressor?.cname ? `-${alone.chunk.compressor.cname}` : ''}, ${Math.round(alone.chunk.bytes / 1024)} kB stored; ` +
        `server means per call: a tile decodes ${fmt((serverStages.decode?.count ?? 0) / (serverStages.tile?.count || 1), 2)} chunks on average)`
    );
    summary.push({ cube, cold8, cold64, warm8, warm64, seq });
  }
  if (navy) {
    log();
    const ts = await timeSeries(navy);
    log(
      `time series of one point of navy_winds UWND over ${ts.n} months: first (cold) ${fmt(ts.cold, 1)} ms, then p50 ${fmt(ts.p50, 2)} ms, p99 ${fmt(ts.p99, 2)} ms (goal ≤ 50 ms)`
    );
  }
  log();
  log(
    `goals on 2 cores: ≥ 300 cold tiles/s, ≥ 1,000 warm tiles/s, cold p50 ≤ 10 ms, p99 ≤ 50 ms; ≥ 10x xcube's ${ref.rateMin}-${ref.rateMax} tiles/s at 8 clients`
  );
  for (const { cube, cold8, cold64, warm8, warm64, seq } of summary) {
    const ratio = r => (r.rate ? `${fmt(r.rate / ref.rateMax, 1)}-${fmt(r.rate / ref.rateMin, 1)}x` : '—');
    log(
      `  ${cube.id.padEnd(8)} cold 8: ${fmt(cold8.rate, 0)}/s (${ratio(cold8)} xcube), cold 64: ${fmt(cold64.rate, 0)}/s, warm 8: ${fmt(warm8.rate, 0)}/s (${ratio(warm8)}), warm 64: ${fmt(warm64.rate, 0)}/s; ` +
        `sequential median ${fmt(seq.p50, 2)} ms vs xcube's ${ref.seqMin}-${ref.seqMax} ms (${fmt(ref.seqMin / seq.p50, 0)}-${fmt(ref.seqMax / seq.p50, 0)}x)`
    );
  }
}

try {
  await main();
} catch (error) {
  console.log(`benchmark stopped: ${error.stack ?? error}`);
} finally {
  for (const child of servers) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
    }
  }
  rmSync(work, { recursive: true, force: true });
}
