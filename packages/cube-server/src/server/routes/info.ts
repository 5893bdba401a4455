/**
 * `GET /`: the server's name, version and APIs, in xcube's shape (the Jupyter server extension checks
 * `version` for health), and `GET /esdl/stages`: time per rendering stage and cache sizes (ours, for the
 * benchmark).
 */
import type { ServerResponse } from 'node:http';
import { Context } from '../context';
import { Request, sendJson } from '../http';
import { stageTotals } from '../stage-timer';

/** The xcube API version whose paths and shapes this server follows. */
export const XCUBE_API_VERSION = '1.7.1';

const APIS: [string, string][] = [
  ['meta', 'Server information'],
  ['datasets', 'xcube Datasets API'],
  ['tiles', 'xcube Tiles API'],
  ['timeseries', 'xcube Timeseries API'],
  ['statistics', 'xcube Statistics API'],
  ['places', 'xcube Places API'],
  ['s3', 'xcube S3 API emulation'],
  ['expressions', 'xcube Expressions API (no expression variables here)'],
  ['ows.wmts', 'xcube OGC WMTS API']
];

function localIso(date: Date): string {
  return date.toISOString().replace('Z', '');
}

export async function infoRoutes(ctx: Context, req: Request, res: ServerResponse): Promise<boolean> {
  const s = req.segments;
  if (s.length === 0) {
    sendJson(req, res, 200, {
      name: 'ESDL cube server',
      description: "ESDL Lab's cube server: xcube server's REST API over analysis-ready Zarr cubes",
      version: ctx.version,
      versions: { 'esdl-cube-server': ctx.version, 'xcube-api': XCUBE_API_VERSION, node: process.versions.node },
      apis: APIS.map(([name, description]) => ({ name, version: '0.0.0', description })),
      startTime: localIso(ctx.startTime),
      currentTime: localIso(new Date()),
      updateTime: localIso(ctx.updateTime),
      pid: process.pid,
      datasets: ctx.registry.states()
    });
    return true;
  }
  if (s[0] === 'esdl' && s[1] === 'stages' && s.length === 2) {
    const memory = process.memoryUsage();
    sendJson(req, res, 200, {
      pid: process.pid,
      stages: stageTotals(),
      chunkCache: {
        bytes: ctx.registry.chunkCache.bytes,
        capBytes: ctx.registry.chunkCache.capBytes,
        entries: ctx.registry.chunkCache.size
      },
      tileCache: { bytes: ctx.tileCache.bytes, capBytes: ctx.tileCache.capBytes, entries: ctx.tileCache.size },
      memory: {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers
      }
    });
    return true;
  }
  return false;
}
