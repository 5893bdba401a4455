/**
 * xcube's S3 emulation over the cubes' Zarr stores: `GET /s3/datasets?prefix=…` lists keys (ListObjects
 * v1 as xcube answers it, v2 with `list-type=2`), `GET`/`HEAD /s3/datasets/{id}.zarr/{key}` serve the store's
 * bytes as they are (chunks stay compressed, so zarr-python, xarray and zarrita decode them) with ETag,
 * Last-Modified and Content-Length. `.zmetadata` is served (and made when the store has none) with only the
 * published variables. Keys are checked by the store: nothing outside it can be read.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Context } from '../context';
import { Cube } from '../cube';
import { ApiError, unavailable } from '../errors';
import { Request, notModified, send, xmlEscape } from '../http';
import { DirectoryStore, checkKey } from '../stores';

const BUCKET = 'datasets';

function s3Error(
  req: Request,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  resource: string
): void {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource></Error>`;
  send(req, res, status, xml, { 'Content-Type': 'application/xml' });
}

/** Whether a store key belongs to a published part of the cube (hidden variables are not served). */
function keyAllowed(
  ctx: Context,
  id: string,
  cube: Cube,
  key: string,
  published = new Set(ctx.registry.variables(id, cube))
): boolean {
  const parts = key.split('/');
  // the array a key belongs to: the deepest known array path that prefixes it
  for (let n = parts.length - 1; n >= 1; n--) {
    const path = parts.slice(0, n).join('/');
    const info = cube.array(path);
    if (info) {
      return !cube.variables.includes(info.name) || published.has(info.name);
    }
  }
  return true;
}

/**
 * JSON as zarr-python reads metadata: ASCII only (it decodes `.zmetadata`, `.zattrs`, … as ASCII), so
 * characters beyond it are written as \u escapes, as Python's json module does.
 */
export function asciiJson(value: unknown): Buffer {
  const text = JSON.stringify(value, null, 2).replace(
    /[\u007f-\uffff]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
  return Buffer.from(text, 'ascii');
}

/** A metadata key's bytes made ASCII-safe (bytes that are not JSON are left as they are). */
function metadataBytes(bytes: Uint8Array): Uint8Array {
  if (!bytes.some(b => b > 0x7e)) {
    return bytes;
  }
  try {
    return asciiJson(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return bytes;
  }
}

/** The consolidated metadata with only the published variables. */
function consolidatedBytes(ctx: Context, id: string, cube: Cube): Buffer {
  const hidden = cube.variables.filter(name => !ctx.registry.variables(id, cube).includes(name));
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cube.consolidated.metadata)) {
    if (
      !hidden.some(
        name =>
          key === `${name}/.zarray` ||
          key === `${name}/.zattrs` ||
          key.endsWith(`/${name}/.zarray`) ||
          key.endsWith(`/${name}/.zattrs`)
      )
    ) {
      metadata[key] = value;
    }
  }
  return asciiJson({ zarr_consolidated_format: 1, metadata });
}

function httpDate(ms: number): string {
  return new Date(ms || Date.now()).toUTCString();
}

function contentType(key: string): string {
  return /(^|\/)\.z(metadata|group|attrs|array)$/.test(key) ? 'application/json' : 'application/octet-stream';
}

interface Listed {
  key: string;
  size: number;
  mtimeMs: number;
}

// the keys of a cube, listed once per opened cube (a rebuilt store is a new cube)
const listings = new WeakMap<Cube, Map<string, Promise<Listed[]>>>();

/** Every key of a dataset's store (listing): files of a local store, or the keys its metadata implies. */
function storeKeys(ctx: Context, id: string, cube: Cube): Promise<Listed[]> {
  let byDataset = listings.get(cube);
  if (!byDataset) {
    byDataset = new Map();
    listings.set(cube, byDataset);
  }
  // the published variables are part of the key: a reload may change them
  const published = ctx.registry.variables(id, cube);
  const key = `${id}|${published.join(',')}`;
  let keys = byDataset.get(key);
  if (!keys) {
    keys = listKeys(ctx, id, cube, new Set(published));
    byDataset.set(key, keys);
    keys.catch(() => byDataset!.delete(key));
  }
  return keys;
}

async function listKeys(ctx: Context, id: string, cube: Cube, published: Set<string>): Promise<Listed[]> {
  const store = ctx.registry.store(id);
  const keys = new Map<string, Listed>([
    ['.zmetadata', { key: '.zmetadata', size: -1, mtimeMs: ctx.startTime.getTime() }]
  ]);
  const add = (key: string) => keys.set(key, { key, size: -1, mtimeMs: ctx.startTime.getTime() });
  if (store instanceof DirectoryStore) {
    for (const file of await store.list()) {
      // the served .zmetadata is made from the cube, not the file: its size is not the file's
      keys.set(file.key, file.key === '.zmetadata' ? { ...file, size: -1 } : file);
    }
  } else {
    for (const key of Object.keys(cube.consolidated.metadata)) {
      add(key);
    }
    for (const info of cube.arrays.values()) {
      const grid = info.meta.shape.map((size, i) => Math.ceil(size / info.meta.chunks[i]));
      const total = grid.reduce((a, b) => a * b, 1);
      for (let c = 0; c < total && c < 1_000_000; c++) {
        const index: number[] = [];
        let rest = c;
        for (let d = grid.length - 1; d >= 0; d--) {
          index.unshift(rest % grid[d]);
          rest = Math.floor(rest / grid[d]);
        }
        add(`${info.path}/${index.length ? index.join(info.separator) : '0'}`);
      }
    }
  }
  return [...keys.values()]
    .filter(entry => keyAllowed(ctx, id, cube, entry.key, published))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

async function listObjects(ctx: Context, req: Request, res: ServerResponse): Promise<void> {
  const q = req.query;
  const v2 = q.get('list-type') === '2';
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxText = q.get('max-keys') ?? '1000';
  if (!/^\d{1,7}$/.test(maxText)) {
    s3Error(req, res, 400, 'InvalidArgument', `max-keys '${maxText}' is not a non-negative integer`, '/s3/datasets');
    return;
  }
  const maxKeys = Math.min(1000, Number(maxText));
  const marker = (v2 ? (q.get('continuation-token') ?? q.get('start-after')) : q.get('marker')) ?? '';
  // only the datasets the prefix can reach are opened
  const all: (Listed & { full: string })[] = [];
  for (const dataset of ctx.registry.listed()) {
    const root = `${dataset.identifier}.zarr/`;
    if (!root.startsWith(prefix) && !prefix.startsWith(root)) {
      continue;
    }
    let cube: Cube;
    try {
      cube = await ctx.registry.cube(dataset.identifier);
    } catch {
      continue;
    }
    for (const entry of await storeKeys(ctx, dataset.identifier, cube)) {
      all.push({ ...entry, full: root + entry.key });
    }
  }
  const matching = all
    .filter(entry => entry.full.startsWith(prefix) && entry.full > marker)
    .sort((a, b) => (a.full < b.full ? -1 : 1));
  const contents: Listed[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last = '';
  for (const entry of matching) {
    const key = entry.full;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) {
      const common = prefix + rest.slice(0, cut + delimiter.length);
      if (prefixes[prefixes.length - 1] !== common) {
        prefixes.push(common);
      }
      last = common + '\uffff';
      continue;
    }
    contents.push({ ...entry, key });
    last = key;
  }
  // keys under a common prefix were skipped: continue after all of them
  const next = truncated ? (last.endsWith('\uffff') ? last.slice(0, -1) + '\uffff' : last) : '';
  const entries = contents.map(({ key: full, size, mtimeMs }) => {
    const etag = createHash('md5').update(`${full}:${size}:${mtimeMs}`).digest('hex');
    return (
      '  <Contents>\n' +
      `    <Key>${xmlEscape(full)}</Key>\n` +
      `    <Size>${size}</Size>\n` +
      `    <LastModified>${new Date(mtimeMs).toISOString()}</LastModified>\n` +
      `    <ETag>"${etag}"</ETag>\n` +
      '    <StorageClass>STANDARD</StorageClass>\n' +
      '  </Contents>\n'
    );
  });
  const tag = (name: string, value: string | number) =>
    value === '' ? `  <${name}/>\n` : `  <${name}>${xmlEscape(String(value))}</${name}>\n`;
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n' +
    tag('Name', BUCKET) +
    tag('Prefix', prefix) +
    (v2 ? tag('KeyCount', contents.length + prefixes.length) : tag('Marker', marker)) +
    (v2 && q.get('continuation-token') ? tag('ContinuationToken', q.get('continuation-token')!) : '') +
    tag('MaxKeys', maxKeys) +
    tag('Delimiter', delimiter) +
    tag('IsTruncated', truncated ? 'true' : 'false') +
    (truncated ? tag(v2 ? 'NextContinuationToken' : 'NextMarker', next) : '') +
    entries.join('') +
    prefixes.map(p => `  <CommonPrefixes>\n    <Prefix>${xmlEscape(p)}</Prefix>\n  </CommonPrefixes>\n`).join('') +
    '</ListBucketResult>\n';
  send(req, res, 200, xml, { 'Content-Type': 'application/xml' });
}

async function getObject(ctx: Context, req: Request, res: ServerResponse, bucketKey: string): Promise<void> {
  const resource = `/s3/${BUCKET}/${bucketKey}`;
  const at = bucketKey.indexOf('.zarr/');
  const id = at > 0 ? bucketKey.slice(0, at) : bucketKey.replace(/\.zarr\/?$/, '');
  const key = at > 0 ? bucketKey.slice(at + '.zarr/'.length) : '';
  if (!ctx.registry.listed().some(d => d.identifier === id)) {
    s3Error(req, res, 404, 'NoSuchKey', `Dataset '${id}' not found`, resource);
    return;
  }
  const problem = key ? checkKey(key) : 'a key inside the dataset is needed, e.g. .zmetadata';
  if (problem) {
    s3Error(req, res, 404, 'NoSuchKey', `Invalid key '${key}': ${problem}`, resource);
    return;
  }
  const cube = await ctx.registry.cube(id);
  let body: Uint8Array | undefined;
  let mtimeMs = 0;
  const store = ctx.registry.store(id);
  if (key === '.zmetadata') {
    body = consolidatedBytes(ctx, id, cube);
    mtimeMs = (await store.stat('.zmetadata').catch(() => undefined))?.mtimeMs ?? ctx.startTime.getTime();
  } else if (keyAllowed(ctx, id, cube, key)) {
    try {
      const stat = await store.stat(key);
      const metadata = /(^|\/)\.z(attrs|array|group)$/.test(key);
      if (stat) {
        mtimeMs = stat.mtimeMs;
        if (metadata) {
          const bytes = await store.get(key);
          body = bytes && metadataBytes(bytes);
        } else {
          body = req.method === 'HEAD' && stat.size >= 0 ? new Uint8Array(stat.size) : await store.get(key);
        }
      }
    } catch (error) {
      // the store went away (or broke) after the dataset was opened: the dataset is unavailable, not the server
      throw unavailable(`Dataset '${id}' is unavailable: ${(error as Error).message}`);
    }
  }
  if (!body) {
    s3Error(req, res, 404, 'NoSuchKey', `The key '${key}' does not exist in dataset '${id}'`, resource);
    return;
  }
  // the same ETag for GET and HEAD: from the content of the metadata, from size and time for chunks
  const etag = /(^|\/)\.z(metadata|attrs|array|group)$/.test(key)
    ? `"${createHash('md5').update(body).digest('hex')}"`
    : `"${createHash('md5').update(`${cube.revision}:${key}:${body.byteLength}:${mtimeMs}`).digest('hex')}"`;
  const headers = {
    'Content-Type': contentType(key),
    ETag: etag,
    'Last-Modified': httpDate(mtimeMs),
    'Cache-Control': 'no-cache'
  };
  if (notModified(req, etag)) {
    send(req, res, 304, '', { ...headers, 'Content-Length': 0 });
    return;
  }
  send(req, res, 200, body, headers);
}

/** Routes under `/s3`; returns false when the path is not theirs. */
export async function s3Routes(ctx: Context, req: Request, res: ServerResponse): Promise<boolean> {
  const s = req.segments;
  if (s[0] !== 's3') {
    return false;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new ApiError(405, `The S3 API is read-only: ${req.method} is not allowed`);
  }
  if (s.length === 1) {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Buckets><Bucket><Name>${BUCKET}</Name><CreationDate>${ctx.startTime.toISOString()}</CreationDate></Bucket></Buckets>` +
      '</ListAllMyBucketsResult>\n';
    send(req, res, 200, xml, { 'Content-Type': 'application/xml' });
    return true;
  }
  if (s[1] !== BUCKET) {
    s3Error(
      req,
      res,
      404,
      'NoSuchBucket',
      `Bucket '${s[1]}' does not exist (the bucket is '${BUCKET}')`,
      `/s3/${s[1]}`
    );
    return true;
  }
  if (s.length === 2) {
    await listObjects(ctx, req, res);
    return true;
  }
  // the raw path keeps empty and dot segments, which the store then refuses
  const raw = new URL(req.raw.url ?? '/', 'http://localhost').pathname;
  let bucketKey: string;
  try {
    bucketKey = decodeURIComponent(raw.replace(/^\/s3\/datasets\//, ''));
  } catch {
    s3Error(req, res, 400, 'InvalidURI', 'The key has a malformed percent-escape', raw);
    return true;
  }
  await getObject(ctx, req, res, bucketKey);
  return true;
}
