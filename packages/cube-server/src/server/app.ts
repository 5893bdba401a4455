/**
 * The request handler: routes in turn, xcube's JSON errors for anything that goes wrong (an unexpected
 * error is a 500 that is logged; it never takes the process down), CORS preflight answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Context } from './context';
import { CubeError } from './cube';
import { ApiError, notFound, unavailable } from './errors';
import { CORS_HEADERS, Request, parseRequest, sendError } from './http';
import { datasetRoutes } from './routes/datasets';
import { expressionRoutes } from './routes/expressions';
import { infoRoutes } from './routes/info';
import { s3Routes } from './routes/s3';
import { tileRoutes } from './routes/tiles';
import { timeseriesRoutes } from './routes/timeseries';
import { wmtsRoutes } from './routes/wmts';

type Route = (ctx: Context, req: Request, res: ServerResponse) => Promise<boolean>;

const ROUTES: Route[] = [
  tileRoutes,
  datasetRoutes,
  infoRoutes,
  timeseriesRoutes,
  s3Routes,
  wmtsRoutes,
  expressionRoutes
];

const READ_METHODS = ['GET', 'HEAD'];

export function createHandler(ctx: Context): (req: IncomingMessage, res: ServerResponse) => void {
  return (raw, res) => {
    void handle(ctx, raw, res);
  };
}

async function handle(ctx: Context, raw: IncomingMessage, res: ServerResponse): Promise<void> {
  let req: Request | null = null;
  try {
    if (raw.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS_HEADERS, 'Access-Control-Max-Age': '86400', 'Content-Length': 0 });
      res.end();
      return;
    }
    req = parseRequest(raw, ctx.baseUrl);
    const posting = req.segments[0] === 'timeseries' || req.segments[0] === 'statistics';
    if (!READ_METHODS.includes(req.method) && !(posting && req.method === 'POST')) {
      throw new ApiError(405, `Method ${req.method} is not allowed on ${raw.url?.split('?')[0]}`);
    }
    for (const route of ROUTES) {
      if (await route(ctx, req, res)) {
        return;
      }
    }
    throw notFound(`No such endpoint: ${raw.url?.split('?')[0]}`);
  } catch (error) {
    if (error instanceof ApiError) {
      sendError(req, res, error);
      return;
    }
    if (error instanceof CubeError) {
      // a chunk that cannot be read or decoded: the dataset's store is broken, not the server
      const dataset = req?.segments[1] ?? '';
      ctx.log(`dataset '${dataset}': ${error.message}`);
      sendError(req, res, unavailable(`Dataset '${dataset}' is unavailable: ${error.message}`));
      return;
    }
    ctx.log(`error answering ${raw.method} ${raw.url}: ${(error as Error)?.stack ?? error}`);
    sendError(req, res, new ApiError(500, `Internal error: ${(error as Error)?.message ?? error}`));
  }
}
