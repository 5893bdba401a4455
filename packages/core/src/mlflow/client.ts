/**
 * The typed client of MLflow's REST API 2.0, through the Jupyter server's proxy at `/esdl-lab/mlflow/`, which
 * adds MLflow's credentials so that they never reach the browser. Every request goes through core's
 * `fetchAPI`; every failure becomes an `MlflowError` that says what failed and what to check.
 */
import { ServerConnection } from '@jupyterlab/services';
import { apiUrl, fetchAPI } from '../client';
import { MlflowError } from './errors';
import {
  IExperimentSearch,
  IMlflowArtifactList,
  IMlflowDatasetSummary,
  IMlflowExperiment,
  IMlflowLoggedModel,
  IMlflowMetric,
  IMlflowModelVersion,
  IMlflowPage,
  IMlflowRegisteredModel,
  IMlflowRun,
  IRunSearch
} from './types';

/** The route of the proxy to the MLflow tracking server, relative to `/esdl-lab/`. */
export const MLFLOW_ROUTE = 'mlflow';

/** The most runs `metrics/get-history-bulk-interval` takes at once. */
export const MAX_BULK_RUNS = 100;
/** The most points per run `metrics/get-history-bulk-interval` answers. */
export const MAX_BULK_POINTS = 2500;
/** The most points per page `metrics/get-history` answers. */
export const MAX_HISTORY_PAGE = 25_000;

export namespace MlflowClient {
  export interface IOptions {
    settings?: ServerConnection.ISettings;
  }

  export interface IRequestOptions {
    signal?: AbortSignal;
  }

  export interface IHistoryOptions extends IRequestOptions {
    /** points per request (default and most: 25,000) */
    pageSize?: number;
    /** stop after this many points (default: no limit) */
    maxPoints?: number;
    /** called after each page with the points so far */
    onProgress?: (loaded: number) => void;
  }

  /** A metric's full history, and why it is not complete when it is not. */
  export interface IHistory {
    metrics: IMlflowMetric[];
    complete: boolean;
    /** why paging stopped early (a page token that did not advance, or `maxPoints`), or null */
    problem: string | null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function listOf<T>(body: Record<string, unknown>, key: string): T[] {
  const value = body[key];
  return Array.isArray(value) ? (value as T[]) : [];
}

function tokenOf(body: Record<string, unknown>): string | null {
  const token = body.next_page_token;
  return typeof token === 'string' && token ? token : null;
}

function query(params: [string, string | number | undefined | null][]): string {
  const search = new URLSearchParams();
  for (const [key, value] of params) {
    if (value !== undefined && value !== null && value !== '') {
      search.append(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export class MlflowClient {
  constructor(options: MlflowClient.IOptions = {}) {
    this._settings = options.settings;
  }

  /** The absolute URL of a path on the MLflow server, through the proxy (for links and messages). */
  url(path: string): string {
    return apiUrl(`${MLFLOW_ROUTE}/${path.replace(/^\/+/, '')}`, this._settings ?? ServerConnection.makeSettings());
  }

  /** `GET /version`: the MLflow server's version. */
  async version(options: MlflowClient.IRequestOptions = {}): Promise<string> {
    const response = await this._fetch('read the MLflow version', 'version', {}, options);
    return (await response.text()).trim();
  }

  /** Whether the tracking server also serves MLflow's web UI (its root answers an HTML page). */
  async hasWebUi(options: MlflowClient.IRequestOptions = {}): Promise<boolean> {
    try {
      const response = await this._fetch('open the MLflow UI', '', {}, options);
      const type = response.headers.get('Content-Type') ?? '';
      await response.body?.cancel();
      return type.includes('html');
    } catch (error) {
      if (error instanceof MlflowError && error.kind !== 'network' && error.kind !== 'unreachable') {
        return false;
      }
      throw error;
    }
  }

  /** `POST experiments/search`: one page of experiments. */
  async searchExperiments(
    search: IExperimentSearch = {},
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowPage<IMlflowExperiment>> {
    const body: Record<string, unknown> = {
      max_results: search.maxResults ?? 100,
      order_by: search.orderBy ?? ['last_update_time DESC'],
      view_type: search.viewType ?? 'ACTIVE_ONLY'
    };
    if (search.filter?.trim()) {
      body.filter = search.filter.trim();
    }
    if (search.pageToken) {
      body.page_token = search.pageToken;
    }
    const answer = await this._json('search experiments', 'api/2.0/mlflow/experiments/search', body, options);
    return { items: listOf<IMlflowExperiment>(answer, 'experiments'), nextPageToken: tokenOf(answer) };
  }

  /** `GET experiments/get`. */
  async getExperiment(id: string, options: MlflowClient.IRequestOptions = {}): Promise<IMlflowExperiment> {
    const operation = `read experiment ${id}`;
    const answer = await this._json(
      operation,
      `api/2.0/mlflow/experiments/get${query([['experiment_id', id]])}`,
      null,
      options
    );
    if (!isRecord(answer.experiment)) {
      throw MlflowError.unexpected(operation, answer, 'application/json', 'an "experiment"');
    }
    return answer.experiment as unknown as IMlflowExperiment;
  }

  /** `POST runs/search`: one page of runs (MLflow answers `{}` when none match). */
  async searchRuns(search: IRunSearch, options: MlflowClient.IRequestOptions = {}): Promise<IMlflowPage<IMlflowRun>> {
    const body: Record<string, unknown> = {
      experiment_ids: search.experimentIds,
      max_results: search.maxResults ?? 100,
      run_view_type: search.runViewType ?? 'ACTIVE_ONLY'
    };
    if (search.filter?.trim()) {
      body.filter = search.filter.trim();
    }
    if (search.orderBy?.length) {
      body.order_by = search.orderBy;
    }
    if (search.pageToken) {
      body.page_token = search.pageToken;
    }
    const answer = await this._json('search runs', 'api/2.0/mlflow/runs/search', body, options);
    const runs = listOf<IMlflowRun>(answer, 'runs');
    if (runs.some(run => !isRecord(run) || !isRecord(run.info) || typeof run.info.run_id !== 'string')) {
      throw MlflowError.unexpected('search runs', answer, 'application/json', 'runs with an "info.run_id"');
    }
    return { items: runs, nextPageToken: tokenOf(answer) };
  }

  /** `GET runs/get`: one run with its params, latest metrics, tags, inputs and outputs. */
  async getRun(runId: string, options: MlflowClient.IRequestOptions = {}): Promise<IMlflowRun> {
    const operation = `read run ${runId}`;
    const answer = await this._json(operation, `api/2.0/mlflow/runs/get${query([['run_id', runId]])}`, null, options);
    const run = answer.run;
    if (!isRecord(run) || !isRecord(run.info)) {
      throw MlflowError.unexpected(operation, answer, 'application/json', 'a "run" with its "info"');
    }
    return { data: {}, ...run } as unknown as IMlflowRun;
  }

  /**
   * `GET metrics/get-history`: one page of a metric's history. `max_results` is always sent: without it
   * MLflow 3.6 answers no points and a page token that never advances.
   */
  async metricHistoryPage(
    runId: string,
    key: string,
    page: { maxResults?: number; pageToken?: string | null } = {},
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowPage<IMlflowMetric>> {
    const maxResults = Math.max(1, Math.min(MAX_HISTORY_PAGE, Math.floor(page.maxResults ?? MAX_HISTORY_PAGE)));
    const path =
      'api/2.0/mlflow/metrics/get-history' +
      query([
        ['run_id', runId],
        ['metric_key', key],
        ['max_results', maxResults],
        ['page_token', page.pageToken]
      ]);
    const answer = await this._json(`read the history of metric '${key}' of run ${runId}`, path, null, options);
    return { items: listOf<IMlflowMetric>(answer, 'metrics'), nextPageToken: tokenOf(answer) };
  }

  /**
   * A metric's whole history, page after page until MLflow sends no page token. A token that does not advance
   * (the same one again, or one with an empty page) stops the paging: the answer says so in `problem`.
   */
  async metricHistory(
    runId: string,
    key: string,
    options: MlflowClient.IHistoryOptions = {}
  ): Promise<MlflowClient.IHistory> {
    const metrics: IMlflowMetric[] = [];
    const seen = new Set<string>();
    let token: string | null = null;
    const limit = options.maxPoints ?? Infinity;
    for (;;) {
      const page: IMlflowPage<IMlflowMetric> = await this.metricHistoryPage(
        runId,
        key,
        { maxResults: options.pageSize, pageToken: token },
        options
      );
      for (const metric of page.items) {
        metrics.push(metric);
      }
      options.onProgress?.(metrics.length);
      if (!page.nextPageToken) {
        return { metrics, complete: true, problem: null };
      }
      if (metrics.length >= limit) {
        return {
          metrics: metrics.slice(0, limit),
          complete: false,
          problem: `Loaded the first ${limit.toLocaleString('en')} points of '${key}'; the history has more.`
        };
      }
      if (seen.has(page.nextPageToken) || page.items.length === 0) {
        return {
          metrics,
          complete: false,
          problem:
            `The MLflow server's page token for the history of '${key}' did not advance after ` +
            `${metrics.length.toLocaleString('en')} points, so loading stopped there. ` +
            'This MLflow version pages metric histories wrongly; the chart shows what arrived.'
        };
      }
      seen.add(page.nextPageToken);
      token = page.nextPageToken;
    }
  }

  /**
   * `GET metrics/get-history-bulk-interval`: the history of one metric for up to 100 runs, sampled evenly
   * over the steps to at most `maxResults` points per run, keeping each run's first and last step.
   */
  async metricHistoryBulkInterval(
    runIds: string[],
    key: string,
    sample: { maxResults?: number; startStep?: number; endStep?: number } = {},
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowMetric[]> {
    const operation = `read the history of metric '${key}'`;
    if (runIds.length === 0) {
      return [];
    }
    if (runIds.length > MAX_BULK_RUNS) {
      throw new MlflowError({
        kind: 'client',
        operation,
        message: `A chart shows at most ${MAX_BULK_RUNS} runs at once, and ${runIds.length} are selected. Select fewer runs.`
      });
    }
    const maxResults = Math.max(1, Math.min(MAX_BULK_POINTS, Math.floor(sample.maxResults ?? 320)));
    const path =
      'api/2.0/mlflow/metrics/get-history-bulk-interval' +
      query([
        ...runIds.map(id => ['run_ids', id] as [string, string]),
        ['metric_key', key],
        ['start_step', sample.startStep],
        ['end_step', sample.endStep],
        ['max_results', maxResults]
      ]);
    const answer = await this._json(operation, path, null, options);
    return listOf<IMlflowMetric>(answer, 'metrics');
  }

  /** `GET artifacts/list`: the files and folders of a run's artifact folder (`path` '' for the root). */
  async listArtifacts(
    runId: string,
    path = '',
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowArtifactList> {
    const where = path ? `'${path}'` : 'the root';
    const answer = await this._json(
      `list the artifacts in ${where} of run ${runId}`,
      `api/2.0/mlflow/artifacts/list${query([
        ['run_id', runId],
        ['path', path]
      ])}`,
      null,
      options
    );
    return {
      root_uri: typeof answer.root_uri === 'string' ? answer.root_uri : undefined,
      files: listOf(answer, 'files')
    };
  }

  /** The route of an artifact file, relative to `/esdl-lab/`, for `fetchAPI`. */
  artifactEndpoint(runId: string, path: string): string {
    return `${MLFLOW_ROUTE}/get-artifact${query([
      ['path', path],
      ['run_uuid', runId]
    ])}`;
  }

  /** `GET /get-artifact`: an artifact file's bytes (MLflow answers a missing file with an HTML 500). */
  async artifact(runId: string, path: string, options: MlflowClient.IRequestOptions = {}): Promise<Response> {
    return this._fetch(
      `read artifact '${path}' of run ${runId}`,
      this.artifactEndpoint(runId, path).slice(MLFLOW_ROUTE.length + 1),
      {},
      options,
      {
        missingHint:
          'The file may be missing from the artifact store, or the store may be unreachable from the MLflow ' +
          'server: check its log.'
      }
    );
  }

  /** `POST logged-models/search` (MLflow 3): the models logged in some experiments. */
  async searchLoggedModels(
    experimentIds: string[],
    page: { maxResults?: number; pageToken?: string | null; filter?: string } = {},
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowPage<IMlflowLoggedModel>> {
    const body: Record<string, unknown> = { experiment_ids: experimentIds, max_results: page.maxResults ?? 100 };
    if (page.filter) {
      body.filter = page.filter;
    }
    if (page.pageToken) {
      body.page_token = page.pageToken;
    }
    const answer = await this._json('search the logged models', 'api/2.0/mlflow/logged-models/search', body, options);
    return { items: listOf<IMlflowLoggedModel>(answer, 'models'), nextPageToken: tokenOf(answer) };
  }

  /** `GET logged-models/{id}` (MLflow 3). */
  async getLoggedModel(modelId: string, options: MlflowClient.IRequestOptions = {}): Promise<IMlflowLoggedModel> {
    const operation = `read logged model ${modelId}`;
    const answer = await this._json(
      operation,
      `api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`,
      null,
      options
    );
    if (!isRecord(answer.model)) {
      throw MlflowError.unexpected(operation, answer, 'application/json', 'a "model"');
    }
    return answer.model as unknown as IMlflowLoggedModel;
  }

  /** `GET logged-models/{id}/artifacts/directories`: the files of a logged model's folder. */
  async listLoggedModelArtifacts(
    modelId: string,
    path = '',
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowArtifactList> {
    const answer = await this._json(
      `list the files of logged model ${modelId}`,
      `api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}/artifacts/directories${query([
        ['artifact_directory_path', path]
      ])}`,
      null,
      options
    );
    return {
      root_uri: typeof answer.root_uri === 'string' ? answer.root_uri : undefined,
      files: listOf(answer, 'files')
    };
  }

  /** The route of a logged model's file, relative to `/esdl-lab/` (MLflow serves it on its ajax API only). */
  loggedModelArtifactEndpoint(modelId: string, path: string): string {
    return (
      `${MLFLOW_ROUTE}/ajax-api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}/artifacts/files` +
      query([['artifact_file_path', path]])
    );
  }

  /** A logged model's file. */
  async loggedModelArtifact(
    modelId: string,
    path: string,
    options: MlflowClient.IRequestOptions = {}
  ): Promise<Response> {
    return this._fetch(
      `read file '${path}' of logged model ${modelId}`,
      this.loggedModelArtifactEndpoint(modelId, path).slice(MLFLOW_ROUTE.length + 1),
      {},
      options,
      { missingHint: 'The file may be missing from the artifact store: check the MLflow server log.' }
    );
  }

  /** `POST experiments/search-datasets` (ajax API): the datasets the runs of the experiments used. */
  async searchDatasets(
    experimentIds: string[],
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowDatasetSummary[]> {
    const answer = await this._json(
      'list the datasets',
      'ajax-api/2.0/mlflow/experiments/search-datasets',
      { experiment_ids: experimentIds },
      options
    );
    return listOf<IMlflowDatasetSummary>(answer, 'dataset_summaries');
  }

  /** `GET registered-models/search`. */
  async searchRegisteredModels(
    page: { filter?: string; maxResults?: number; pageToken?: string | null } = {},
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowPage<IMlflowRegisteredModel>> {
    const answer = await this._json(
      'search the registered models',
      `api/2.0/mlflow/registered-models/search${query([
        ['filter', page.filter],
        ['max_results', page.maxResults ?? 100],
        ['page_token', page.pageToken]
      ])}`,
      null,
      options
    );
    return { items: listOf<IMlflowRegisteredModel>(answer, 'registered_models'), nextPageToken: tokenOf(answer) };
  }

  /** `GET model-versions/search`, e.g. `run_id = '…'` for the registered versions of a run's models. */
  async searchModelVersions(
    filter: string,
    options: MlflowClient.IRequestOptions = {}
  ): Promise<IMlflowModelVersion[]> {
    const answer = await this._json(
      'search the model versions',
      `api/2.0/mlflow/model-versions/search${query([['filter', filter]])}`,
      null,
      options
    );
    return listOf<IMlflowModelVersion>(answer, 'model_versions');
  }

  /** A request whose answer must be a JSON object (POST when `body` is given). */
  private async _json(
    operation: string,
    path: string,
    body: Record<string, unknown> | null,
    options: MlflowClient.IRequestOptions
  ): Promise<Record<string, unknown>> {
    const init: RequestInit =
      body === null
        ? {}
        : { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
    const response = await this._fetch(operation, path, init, options);
    const contentType = response.headers.get('Content-Type') ?? '';
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.trim() ? JSON.parse(text) : {};
    } catch {
      throw MlflowError.unexpected(operation, text, contentType, 'JSON');
    }
    if (!isRecord(parsed)) {
      throw MlflowError.unexpected(operation, parsed, contentType, 'a JSON object');
    }
    return parsed;
  }

  private async _fetch(
    operation: string,
    path: string,
    init: RequestInit,
    options: MlflowClient.IRequestOptions,
    context: MlflowError.IContext = {}
  ): Promise<Response> {
    try {
      // 'no-cache' rather than JupyterLab's 'no-store', whose cache buster adds a parameter MLflow does not know
      return await fetchAPI(
        `${MLFLOW_ROUTE}/${path}`,
        { cache: 'no-cache', ...init, signal: options.signal },
        this._settings
      );
    } catch (error) {
      if (options.signal?.aborted) {
        throw new DOMException('The request was cancelled', 'AbortError');
      }
      throw MlflowError.from(error, operation, context);
    }
  }

  private _settings?: ServerConnection.ISettings;
}
