/**
 * The typed client of one cube server's xcube REST API, through the proxy at `/esdl-lab/cubes/<server>/`.
 * Every request goes through core's `requestAPI`/`fetchAPI`; answers that are not what xcube sends (an HTML
 * page, garbage, a wrong shape) and requests that take too long become `EsdlApiError`s that name the server.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, fetchAPI } from '../client';
import { EsdlApiError, EsdlNetworkError } from '../errors';
import { ITileRequest, tilePath } from './tiles';
import {
  IXcubeColorBarGroup,
  IXcubeDataset,
  IXcubeDatasetSummary,
  IXcubeDatasetsResponse,
  IXcubeDimension,
  IXcubeServerInfo,
  IXcubeStatistics,
  IXcubeTimeSeriesValue,
  IZarrConsolidated
} from './types';

export namespace XcubeClient {
  export interface IOptions {
    /** the configured name of the cube server (`/esdl-lab/cubes/<server>/`) */
    server: string;
    /** milliseconds before a request is given up (default 30 s); 0 waits for ever */
    timeout?: number;
    settings?: ServerConnection.ISettings;
  }

  export interface IRequestOptions {
    signal?: AbortSignal;
    /** the browser cache mode; JupyterLab's default, no-store, adds a cache buster to the URL */
    cache?: RequestCache;
    /** overrides the client's timeout for this request */
    timeout?: number;
  }
}

/** What a request had to do when it failed: used in the messages. */
function describe(path: string): string {
  return `GET /${path}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

export class XcubeClient {
  constructor(options: XcubeClient.IOptions) {
    if (!options.server || options.server.includes('/')) {
      throw new Error(`A cube server name must be a non-empty name without '/', not '${options.server}'`);
    }
    this.server = options.server;
    this._timeout = options.timeout ?? 30_000;
    this._settings = options.settings;
  }

  /** the configured name of the cube server */
  readonly server: string;

  /** The route of a path on this server, relative to `/esdl-lab/`, e.g. `cubes/demo/datasets`. */
  endpoint(path: string): string {
    return `cubes/${encodeURIComponent(this.server)}/${path.replace(/^\/+/, '')}`;
  }

  /** The absolute URL of a path on this server, through the proxy. */
  url(path: string): string {
    return apiUrl(this.endpoint(path), this._settings ?? ServerConnection.makeSettings());
  }

  /** `GET /`: the server's name and version. */
  async serverInfo(options: XcubeClient.IRequestOptions = {}): Promise<IXcubeServerInfo> {
    const body = await this._json('', options);
    if (!isRecord(body) || typeof body.version !== 'string') {
      throw this._invalid('', body, 'an object with the server version');
    }
    return body as unknown as IXcubeServerInfo;
  }

  /** `GET /datasets`: every dataset's id and title. */
  datasets(options?: XcubeClient.IRequestOptions & { details?: false }): Promise<IXcubeDatasetsResponse>;
  /** `GET /datasets?details=1`: every dataset with its variables, dimensions and attributes. */
  datasets(options: XcubeClient.IRequestOptions & { details: true }): Promise<IXcubeDatasetsResponse<IXcubeDataset>>;
  async datasets(
    options: XcubeClient.IRequestOptions & { details?: boolean } = {}
  ): Promise<IXcubeDatasetsResponse<IXcubeDatasetSummary | IXcubeDataset>> {
    const path = options.details ? 'datasets?details=1' : 'datasets';
    const body = await this._json(path, options);
    if (!isRecord(body) || !Array.isArray(body.datasets)) {
      throw this._invalid(path, body, 'an object with a "datasets" list');
    }
    const datasets = body.datasets.map((entry, index) =>
      options.details ? this._checkDataset(path, entry, index) : this._checkSummary(path, entry, index)
    );
    return { ...body, datasets } as IXcubeDatasetsResponse<IXcubeDataset>;
  }

  /** `GET /datasets/{id}`: one dataset with its details. */
  async dataset(id: string, options: XcubeClient.IRequestOptions = {}): Promise<IXcubeDataset> {
    const path = `datasets/${encodeURIComponent(id)}`;
    return this._checkDataset(path, await this._json(path, options));
  }

  /** `GET /datasets/{id}/coords/{dim}`: the labels of one dimension. */
  async coords(id: string, dim: string, options: XcubeClient.IRequestOptions = {}): Promise<IXcubeDimension> {
    const path = `datasets/${encodeURIComponent(id)}/coords/${encodeURIComponent(dim)}`;
    const body = await this._json(path, options);
    if (!isRecord(body) || !Array.isArray(body.coordinates)) {
      throw this._invalid(path, body, 'an object with a "coordinates" list');
    }
    return body as unknown as IXcubeDimension;
  }

  /** `GET /colorbars`: the colour maps the server knows, in groups. */
  async colorBars(options: XcubeClient.IRequestOptions = {}): Promise<IXcubeColorBarGroup[]> {
    const path = 'colorbars';
    const body = await this._json(path, options);
    const groups = Array.isArray(body) ? body : null;
    const parsed = groups?.map(group => {
      if (!Array.isArray(group) || typeof group[0] !== 'string' || !Array.isArray(group[2])) {
        return null;
      }
      const colorBars = group[2]
        .filter((bar: unknown) => Array.isArray(bar) && typeof bar[0] === 'string')
        .map((bar: unknown[]) => ({ name: bar[0] as string, imageData: typeof bar[1] === 'string' ? bar[1] : '' }));
      return { title: group[0], description: typeof group[1] === 'string' ? group[1] : '', colorBars };
    });
    if (!parsed || parsed.some(group => group === null)) {
      throw this._invalid(path, body, 'a list of [title, description, [[name, png], …]] groups');
    }
    return parsed as IXcubeColorBarGroup[];
  }

  /** `GET /s3/datasets/{id}.zarr/.zmetadata`: the dataset's consolidated Zarr metadata (chunks, encodings). */
  async zarrMetadata(id: string, options: XcubeClient.IRequestOptions = {}): Promise<IZarrConsolidated> {
    const path = this.zarrPath(id, '.zmetadata');
    const body = await this._json(path, options, true);
    if (!isRecord(body) || !isRecord(body.metadata)) {
      throw this._invalid(path, body, 'consolidated Zarr metadata with a "metadata" object');
    }
    return body as unknown as IZarrConsolidated;
  }

  /** The path of a dataset's Zarr store (or a key in it) under the server's S3 API. */
  zarrPath(id: string, key = ''): string {
    const store = `s3/datasets/${encodeURIComponent(id)}.zarr`;
    return key ? `${store}/${key.split('/').map(encodeURIComponent).join('/')}` : store;
  }

  /** The route of a tile, relative to `/esdl-lab/`, for `fetchAPI`. */
  tileEndpoint(request: ITileRequest): string {
    return this.endpoint(tilePath(request));
  }

  /** Fetches a tile PNG through the proxy (with the Jupyter credentials, which an `<img src>` may lack). */
  async tile(request: ITileRequest, options: XcubeClient.IRequestOptions = {}): Promise<Blob> {
    const path = tilePath(request);
    // tiles may come from the browser's cache: the cube server sends ETag and Cache-Control
    const response = await this._fetch(path, { cache: 'default', ...options });
    return response.blob();
  }

  /**
   * `POST /timeseries/{dataset}/{variable}`: the values of a point, or the aggregates of a polygon, for each
   * time step (`aggMethods`: mean, median, std, min, max, count).
   */
  async timeSeries(
    dataset: string,
    variable: string,
    geometry: { type: 'Point' | 'Polygon'; coordinates: unknown },
    options: XcubeClient.IRequestOptions & { aggMethods?: string[]; dims?: Record<string, string | number> } = {}
  ): Promise<IXcubeTimeSeriesValue[]> {
    const query = new URLSearchParams({ aggMethods: (options.aggMethods ?? ['mean']).join(',') });
    for (const [name, value] of Object.entries(options.dims ?? {})) {
      query.set(name, String(value));
    }
    const path = ['timeseries', dataset, variable].map(encodeURIComponent).join('/') + `?${query}`;
    const body = await this._json(path, {
      ...options,
      method: 'POST',
      body: JSON.stringify(geometry)
    });
    const result = isRecord(body) ? body.result : undefined;
    if (!Array.isArray(result) || !result.every(entry => isRecord(entry) && typeof entry.time === 'string')) {
      throw this._invalid(path, body, 'a "result" list of values with a "time"');
    }
    return result as IXcubeTimeSeriesValue[];
  }

  /**
   * `POST /statistics/{dataset}/{variable}`: count, minimum, maximum, mean, deviation and (for a polygon) a
   * histogram of the values inside a geometry, at the given labels of the other dimensions (e.g. `time`).
   */
  async statistics(
    dataset: string,
    variable: string,
    geometry: { type: 'Point' | 'Polygon'; coordinates: unknown },
    options: XcubeClient.IRequestOptions & { dims?: Record<string, string | number> } = {}
  ): Promise<IXcubeStatistics> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(options.dims ?? {})) {
      query.set(name, String(value));
    }
    const path = ['statistics', dataset, variable].map(encodeURIComponent).join('/') + (query.size ? `?${query}` : '');
    const body = await this._json(path, { ...options, method: 'POST', body: JSON.stringify(geometry) });
    const result = isRecord(body) ? body.result : undefined;
    // a polygon's statistics have a count, a point's a value
    if (!isRecord(result) || (typeof result.count !== 'number' && !('value' in result))) {
      throw this._invalid(path, body, 'a "result" with a "count" or a "value"');
    }
    return result as unknown as IXcubeStatistics;
  }

  private async _json(
    path: string,
    options: XcubeClient.IRequestOptions & { method?: string; body?: string },
    anyContentType = false
  ): Promise<unknown> {
    const response = await this._fetch(path, options);
    const text = await response.text();
    const contentType = response.headers.get('Content-Type') ?? '';
    // the S3 API may label JSON keys as binary; everything else must say JSON
    if (!anyContentType && !contentType.includes('json')) {
      throw this._invalid(path, text, 'JSON', contentType);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw this._invalid(path, text, 'JSON', contentType);
    }
  }

  /** fetchAPI with a timeout and the caller's signal; a timeout becomes a 504-like EsdlApiError. */
  private async _fetch(
    path: string,
    options: XcubeClient.IRequestOptions & { method?: string; body?: string }
  ): Promise<Response> {
    const timeout = options.timeout ?? this._timeout;
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeout)
        : null;
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort);
    try {
      const init: RequestInit = { signal: controller.signal };
      if (options.method) {
        init.method = options.method;
        init.body = options.body;
        init.headers = { 'Content-Type': 'application/json' };
      }
      if (options.cache) {
        init.cache = options.cache;
      }
      return await fetchAPI(this.endpoint(path), init, this._settings);
    } catch (error) {
      if (timedOut) {
        throw new EsdlApiError({
          status: 504,
          url: this.url(path),
          reason: 'timeout',
          upstream: this.server,
          message:
            `Cube server '${this.server}' did not answer ${describe(path)} within ${Math.round(timeout / 1000)} s. ` +
            'Check that it is running and not overloaded.'
        });
      }
      if (options.signal?.aborted) {
        throw new DOMException('The request was cancelled', 'AbortError');
      }
      if (error instanceof EsdlApiError || error instanceof EsdlNetworkError) {
        throw error;
      }
      throw new EsdlNetworkError(this.url(path), error);
    } finally {
      if (timer !== null) {
        clearTimeout(timer);
      }
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private _checkSummary(path: string, entry: unknown, index?: number): IXcubeDatasetSummary {
    if (!isRecord(entry) || typeof entry.id !== 'string' || !entry.id) {
      throw this._invalid(path, entry, `a dataset with an "id"${index === undefined ? '' : ` at index ${index}`}`);
    }
    return entry as unknown as IXcubeDatasetSummary;
  }

  private _checkDataset(path: string, entry: unknown, index?: number): IXcubeDataset {
    const dataset = this._checkSummary(path, entry, index) as IXcubeDataset;
    if (!Array.isArray(dataset.variables)) {
      throw this._invalid(path, entry, `dataset '${dataset.id}' with a "variables" list`);
    }
    return dataset;
  }

  private _invalid(path: string, body: unknown, expected: string, contentType?: string): EsdlApiError {
    const text = typeof body === 'string' ? body : JSON.stringify(body)?.slice(0, 200);
    const looksHtml = typeof body === 'string' && /^\s*</.test(body);
    const what = looksHtml
      ? 'an HTML page'
      : typeof body === 'string'
        ? `${contentType ? `${contentType.split(';')[0]} ` : ''}text that is not JSON`
        : 'JSON of another shape';
    return new EsdlApiError({
      status: 200,
      url: this.url(path),
      reason: 'invalid-response',
      upstream: this.server,
      body,
      message:
        `Cube server '${this.server}' answered ${describe(path)} with ${what} where xcube's API sends ${expected}` +
        (text ? ` (it began: ${JSON.stringify(text.slice(0, 80))})` : '') +
        '. Check that the configured URL points at an xcube-compatible cube server.'
    });
  }

  private _timeout: number;
  private _settings?: ServerConnection.ISettings;
}
