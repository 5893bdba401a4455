/**
 * The HTTP plumbing shared by the routes: the parsed request, answers with CORS (as xcube sends them), JSON
 * errors, ETag/304, bounded request bodies, and the public base URL written into JSON and XML.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from './errors';

export interface Request {
  method: string;
  /** decoded path segments, without empty ones */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
  /** the server's public URL (scheme, host and path prefix), without a trailing slash */
  baseUrl: string;
}

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET,HEAD,POST,PUT,DELETE,OPTIONS',
  'Access-Control-Allow-Headers':
    'x-requested-with,access-control-allow-origin,authorization,content-type,if-none-match'
};

const SERVER_HEADER = 'esdl-cube-server';

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  // a proxy chain appends: the first entry is the client-facing one
  return text?.split(',')[0].trim() || undefined;
}

/**
 * The public base URL: the configured one, else the `X-Forwarded-Proto`/`-Host`/`-Prefix` a proxy sends,
 * else the Host header. Header values are checked so that nothing odd reaches URLs in answers.
 */
export function publicBaseUrl(headers: IncomingMessage['headers'], configured?: string): string {
  if (configured) {
    return configured;
  }
  const protoHeader = single(headers['x-forwarded-proto']);
  const proto = protoHeader && /^https?$/i.test(protoHeader) ? protoHeader.toLowerCase() : 'http';
  const validHost = (value: string | undefined) => (value && /^[A-Za-z0-9.\-[\]:]+$/.test(value) ? value : undefined);
  const host = validHost(single(headers['x-forwarded-host'])) ?? validHost(single(headers.host)) ?? '127.0.0.1';
  const prefixHeader = single(headers['x-forwarded-prefix']) ?? '';
  const prefix = /^(\/[A-Za-z0-9._~\-%@+]*)*\/?$/.test(prefixHeader) ? prefixHeader.replace(/\/+$/, '') : '';
  return `${proto}://${host}${prefix}`;
}

/** Parses the path and query of a request; malformed percent-escapes are a 400. */
export function parseRequest(req: IncomingMessage, configuredBase?: string): Request {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let segments: string[];
  try {
    segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map(part => decodeURIComponent(part));
  } catch {
    throw badRequest('path', 'it has a malformed percent-escape');
  }
  return {
    method: req.method ?? 'GET',
    segments,
    query: url.searchParams,
    headers: req.headers,
    raw: req,
    baseUrl: publicBaseUrl(req.headers, configuredBase)
  };
}

/** Sends bytes with CORS headers; HEAD requests get the headers only. */
export function send(
  req: Request | null,
  res: ServerResponse,
  status: number,
  body: Uint8Array | string,
  headers: Record<string, string | number> = {}
): void {
  if (res.headersSent || res.destroyed) {
    return;
  }
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    Server: SERVER_HEADER,
    ...CORS_HEADERS,
    'Content-Length': bytes.byteLength,
    ...headers
  });
  res.end(req?.method === 'HEAD' ? undefined : bytes);
}

/** JSON answer; non-finite numbers become null (JSON has no NaN). */
export function sendJson(
  req: Request | null,
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  send(req, res, status, text, { 'Content-Type': 'application/json', ...headers });
}

export function sendError(req: Request | null, res: ServerResponse, error: ApiError): void {
  sendJson(req, res, error.status, error.toJSON(), { 'Cache-Control': 'no-store' });
}

/** Whether the client already has this ETag (`If-None-Match`, possibly a list or `*`). */
export function notModified(req: Request, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) {
    return false;
  }
  return header
    .split(',')
    .map(tag => tag.trim().replace(/^W\//, ''))
    .some(tag => tag === '*' || tag === etag);
}

/** Reads a request body of at most `limit` bytes (413 beyond it). */
export async function readBody(req: Request, limit = 1 << 20): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    throw new ApiError(413, `Request body of ${declared} bytes is larger than the limit of ${limit} bytes`, 'body');
  }
  const parts: Buffer[] = [];
  let total = 0;
  for await (const part of req.raw) {
    total += (part as Buffer).length;
    if (total > limit) {
      throw new ApiError(413, `Request body is larger than the limit of ${limit} bytes`, 'body');
    }
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

/** Reads a JSON request body; 400 naming the problem when it is not JSON. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) {
    throw badRequest('body', 'the request needs a JSON body (a GeoJSON geometry or feature)');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest('body', `it is not JSON (${(error as Error).message})`);
  }
}

/** Escapes text for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
