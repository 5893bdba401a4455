/**
 * Key-value access to a Zarr store: a local directory, or a remote store read key by key over HTTP(S)
 * (`https://…`, `http://…`, and `s3://bucket/key` read anonymously through the bucket's HTTPS endpoint).
 * Keys are checked before any file is touched: no key can name a file outside the store's directory, through
 * `..`, absolute paths, or symbolic links that lead out of it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** What a store knows about one key without reading it. */
export interface StoreStat {
  size: number;
  mtimeMs: number;
}

export interface Store {
  /** where the store is, for messages (a path or URL) */
  readonly location: string;
  /** whether listing keys is possible (local directories) */
  readonly listable: boolean;
  /** the bytes of a key, or undefined when there is no such key */
  get(key: string): Promise<Uint8Array | undefined>;
  /** size and modification time of a key, or undefined when there is none */
  stat(key: string): Promise<StoreStat | undefined>;
}

/** A key as a store accepts it: `a/b/.zarray`, no empty, `.` or `..` segments, no backslashes or NULs. */
export function checkKey(key: string): string | null {
  if (key.length > 1024) {
    return 'the key is too long';
  }
  if (/[\\\0]/.test(key)) {
    return 'the key contains a backslash or NUL';
  }
  const parts = key.split('/');
  if (parts.some(part => part === '' || part === '.' || part === '..')) {
    return "the key has an empty, '.' or '..' segment";
  }
  return null;
}

/** A Zarr directory store on the local file system. */
export class DirectoryStore implements Store {
  constructor(readonly root: string) {
    this.location = root;
  }

  readonly location: string;
  readonly listable = true;

  async get(key: string): Promise<Uint8Array | undefined> {
    const file = await this._resolve(key);
    if (!file) {
      return undefined;
    }
    try {
      return await fs.readFile(file);
    } catch (error) {
      if (isMissing(error)) {
        return undefined;
      }
      throw error;
    }
  }

  async stat(key: string): Promise<StoreStat | undefined> {
    const file = await this._resolve(key);
    if (!file) {
      return undefined;
    }
    try {
      const st = await fs.stat(file);
      return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch (error) {
      if (isMissing(error)) {
        return undefined;
      }
      throw error;
    }
  }

  /** Every file of the store with its size and time (for S3 listings of local stores), sorted by key. */
  async list(): Promise<{ key: string; size: number; mtimeMs: number }[]> {
    const files: { key: string; size: number; mtimeMs: number }[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const key = rel ? `${rel}/${entry.name}` : entry.name;
        // symbolic links are not followed: a link out of the store is not part of it
        if (entry.isDirectory()) {
          await walk(path.join(dir, entry.name), key);
        } else if (entry.isFile()) {
          const st = await fs.stat(path.join(dir, entry.name)).catch(() => null);
          if (st) {
            files.push({ key, size: st.size, mtimeMs: st.mtimeMs });
          }
        }
      }
    };
    await walk(await this._realRoot(), '');
    return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The real path of a key's file, or null when the key is invalid or leads outside the store. */
  private async _resolve(key: string): Promise<string | null> {
    if (checkKey(key) !== null) {
      return null;
    }
    const root = await this._realRoot();
    const file = path.join(root, ...key.split('/'));
    let real: string;
    try {
      real = await fs.realpath(file);
    } catch (error) {
      if (isMissing(error)) {
        return null;
      }
      throw error;
    }
    // a symbolic link inside the store that points out of it is treated as absent
    return real === root || real.startsWith(root + path.sep) ? real : null;
  }

  private async _realRoot(): Promise<string> {
    // resolved on every call: the store directory may be replaced (cube-gen renames a new cube into place)
    try {
      return await fs.realpath(this.root);
    } catch (error) {
      if (isMissing(error)) {
        throw new Error(`there is no store directory ${this.root}`);
      }
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP';
}

/** The HTTPS URL of an anonymous S3 object store location `s3://bucket/key`. */
export function s3ToHttps(url: string, endpoint?: string): string {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) {
    throw new Error(`'${url}' is not an s3://bucket/key URL`);
  }
  const [, bucket, key] = match;
  if (endpoint) {
    return `${endpoint.replace(/\/+$/, '')}/${bucket}/${key}`.replace(/\/+$/, '');
  }
  return `https://${bucket}.s3.amazonaws.com/${key}`.replace(/\/+$/, '');
}

/** A Zarr store read key by key over HTTP(S), e.g. a public bucket or another xcube server's /s3 API. */
export class HttpStore implements Store {
  constructor(
    url: string,
    private readonly timeoutMs = 30_000
  ) {
    this.location = url.replace(/\/+$/, '');
  }

  readonly location: string;
  readonly listable = false;

  async get(key: string): Promise<Uint8Array | undefined> {
    const response = await this._fetch(key, 'GET');
    if (!response) {
      return undefined;
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  async stat(key: string): Promise<StoreStat | undefined> {
    const response = await this._fetch(key, 'HEAD');
    if (!response) {
      return undefined;
    }
    const modified = Date.parse(response.headers.get('last-modified') ?? '');
    return {
      size: Number(response.headers.get('content-length') ?? -1),
      mtimeMs: Number.isFinite(modified) ? modified : 0
    };
  }

  private async _fetch(key: string, method: 'GET' | 'HEAD'): Promise<Response | undefined> {
    if (checkKey(key) !== null) {
      return undefined;
    }
    const url = `${this.location}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const response = await fetch(url, { method, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    // S3 answers 403 for a missing key in a bucket that does not allow listing
    if (response.status === 404 || response.status === 403) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${method} ${url} answered HTTP ${response.status}`);
    }
    return response;
  }
}

/** The store of a configured `Path`: local (relative to `baseDir`) or remote. */
export function openStore(location: string, baseDir: string, s3Endpoint?: string): Store {
  if (/^https?:\/\//i.test(location)) {
    return new HttpStore(location);
  }
  if (/^s3:\/\//i.test(location)) {
    return new HttpStore(s3ToHttps(location, s3Endpoint));
  }
  return new DirectoryStore(path.resolve(baseDir, location));
}
