/**
 * What went wrong with a request to the MLflow tracking server, in words a user can act on. MLflow answers
 * errors in several shapes (see test-fixtures/mlflow/README.md): JSON `{error_code, message}`, plain text or
 * HTML from its auth layer and security middleware, an HTML 500 for a missing artifact; our proxy answers
 * JSON `{message, upstream, reason}` when MLflow is unreachable, slow or not configured.
 */
import { EsdlApiError, EsdlNetworkError } from '../errors';

/** The kinds of failure a panel may treat differently (e.g. a filter error next to the filter box). */
export type MlflowErrorKind =
  /** MLflow refused a parameter: a bad filter, order or page size (HTTP 400) */
  | 'invalid'
  /** the experiment, run, model or artifact does not exist */
  | 'not-found'
  /** MLflow wants credentials, or refused those the Jupyter server sent (401) */
  | 'auth'
  /** MLflow's user lacks the permission, or its security middleware refused the request (403) */
  | 'forbidden'
  /** Jupyter itself refused the request: the session has expired */
  | 'jupyter-auth'
  /** no MLflow server is configured on the Jupyter server */
  | 'unconfigured'
  /** the proxy could not reach MLflow, or it was too slow (502/504) */
  | 'unreachable'
  /** MLflow failed (5xx), or answered something that is not its API */
  | 'server'
  /** a page token that did not advance: paging stopped */
  | 'paging'
  /** the browser could not reach the Jupyter server */
  | 'network'
  /** the request was invalid before it was sent (e.g. more than 100 runs for a chart) */
  | 'client';

export class MlflowError extends Error {
  readonly name = 'MlflowError';
  readonly kind: MlflowErrorKind;
  /** the HTTP status, 0 when there was no answer */
  readonly status: number;
  /** MLflow's `error_code` (e.g. `INVALID_PARAMETER_VALUE`), when it sent one */
  readonly errorCode: string | null;
  /** what the server said, without our explanation */
  readonly serverMessage: string;
  /** what was being done, e.g. "search runs" */
  readonly operation: string;

  constructor(options: {
    kind: MlflowErrorKind;
    operation: string;
    message: string;
    serverMessage?: string;
    status?: number;
    errorCode?: string | null;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.kind = options.kind;
    this.operation = options.operation;
    this.status = options.status ?? 0;
    this.errorCode = options.errorCode ?? null;
    this.serverMessage = options.serverMessage ?? options.message;
  }
}

const CREDENTIALS_HINT =
  'ESDL Lab adds the credentials on the Jupyter server: set MLFLOW_TRACKING_USERNAME and ' +
  'MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) in its environment, or c.ESDLLab.mlflow_username, ' +
  'mlflow_password or mlflow_token in its configuration, and restart it.';

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function withStop(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function errorCodeOf(body: unknown): string | null {
  if (body && typeof body === 'object' && typeof (body as Record<string, unknown>).error_code === 'string') {
    return (body as Record<string, string>).error_code;
  }
  return null;
}

export namespace MlflowError {
  /** Extra words for an operation whose failures have a known cause. */
  export interface IContext {
    /** said after the server's message when it answered 404 or an HTML 500 (e.g. for a missing artifact) */
    missingHint?: string;
  }

  /** Explains an error of `fetchAPI` for the operation that failed. */
  export function from(error: unknown, operation: string, context: IContext = {}): Error {
    if (error instanceof MlflowError || (error instanceof DOMException && error.name === 'AbortError')) {
      return error;
    }
    if (error instanceof EsdlNetworkError) {
      return new MlflowError({ kind: 'network', operation, message: error.message, cause: error });
    }
    if (!(error instanceof EsdlApiError)) {
      const text = error instanceof Error ? error.message : String(error);
      return new MlflowError({
        kind: 'network',
        operation,
        message: `Could not ${operation}: ${text}`,
        serverMessage: text,
        cause: error
      });
    }
    const status = error.status;
    const said = error.message;
    const errorCode = errorCodeOf(error.body);
    const base = { operation, status, errorCode, serverMessage: said, cause: error };
    const fromProxy = error.upstream !== null;

    if (fromProxy && error.reason === 'unconfigured') {
      return new MlflowError({ ...base, kind: 'unconfigured', message: said });
    }
    if (fromProxy && (status === 502 || status === 504)) {
      return new MlflowError({ ...base, kind: 'unreachable', message: `Could not ${operation}. ${withStop(said)}` });
    }
    if (fromProxy) {
      return new MlflowError({ ...base, kind: 'client', message: `Could not ${operation}. ${withStop(said)}` });
    }
    if (errorCode) {
      const kind = status === 404 || errorCode === 'RESOURCE_DOES_NOT_EXIST' ? 'not-found' : 'invalid';
      const known = status === 401 ? 'auth' : status === 403 ? 'forbidden' : status >= 500 ? 'server' : kind;
      return new MlflowError({
        ...base,
        kind: known,
        message:
          `Could not ${operation}: ${withStop(said)}` +
          (known === 'not-found' && context.missingHint ? ` ${context.missingHint}` : '')
      });
    }
    if (status === 401) {
      return new MlflowError({
        ...base,
        kind: 'auth',
        message: `The MLflow server asks for credentials to ${operation} (HTTP 401: ${withStop(said)}) ${CREDENTIALS_HINT}`
      });
    }
    if (status === 403) {
      const body = error.body;
      // Jupyter's own refusal is JSON without an error_code; MLflow's auth layer and middleware send text
      const jupyter = !!body && typeof body === 'object' && 'reason' in (body as object);
      if (jupyter) {
        return new MlflowError({
          ...base,
          kind: 'jupyter-auth',
          message: `JupyterLab's session was refused (HTTP 403: ${withStop(said)}) Reload the page and log in again.`
        });
      }
      if (/cross-origin/i.test(said)) {
        return new MlflowError({
          ...base,
          kind: 'forbidden',
          message:
            `MLflow's security middleware blocked the request to ${operation} as cross-origin (HTTP 403). ` +
            "The Jupyter server's proxy must not forward the browser's Origin: update the esdl-lab package."
        });
      }
      if (/host header/i.test(said)) {
        return new MlflowError({
          ...base,
          kind: 'forbidden',
          message:
            `MLflow refused the Host header of the request to ${operation} (HTTP 403: ${withStop(said)}) ` +
            'Start the MLflow server with --allowed-hosts naming the host the Jupyter server uses to reach it.'
        });
      }
      return new MlflowError({
        ...base,
        kind: 'forbidden',
        message:
          `The MLflow server does not allow ESDL Lab's MLflow user to ${operation} (HTTP 403: ${withStop(said)}) ` +
          'Ask an MLflow administrator for the permission.'
      });
    }
    if (status === 404) {
      return new MlflowError({
        ...base,
        kind: 'not-found',
        message:
          `Could not ${operation}: the MLflow server answered HTTP 404 (${withStop(said)})` +
          (context.missingHint ? ` ${context.missingHint}` : ' It may be older than MLflow 2.')
      });
    }
    if (status === 405) {
      return new MlflowError({
        ...base,
        kind: 'server',
        message: `Could not ${operation}: the MLflow server does not accept this request (HTTP 405: ${withStop(said)})`
      });
    }
    if (status >= 500) {
      return new MlflowError({
        ...base,
        kind: context.missingHint ? 'not-found' : 'server',
        message:
          `The MLflow server failed to ${operation} (HTTP ${status}: ${withStop(said)}) ` +
          (context.missingHint ?? 'Check its log.')
      });
    }
    return new MlflowError({
      ...base,
      kind: status === 400 ? 'invalid' : 'server',
      message: `Could not ${operation} (HTTP ${status}): ${withStop(said)}`
    });
  }

  /** An answer with the wrong shape: not MLflow's API (a login page in front of it, a wrong URL). */
  export function unexpected(operation: string, body: unknown, contentType: string, expected: string): MlflowError {
    const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
    const what = /^\s*</.test(text)
      ? 'an HTML page'
      : typeof body === 'string'
        ? `${contentType.split(';')[0] || 'a body'} that is not JSON`
        : 'JSON of another shape';
    return new MlflowError({
      kind: 'server',
      operation,
      status: 200,
      serverMessage: text.slice(0, 200),
      message:
        `${capitalised(operation)}: the MLflow server answered with ${what} where MLflow sends ${expected}` +
        (text ? ` (it began: ${JSON.stringify(text.slice(0, 80))})` : '') +
        '. Check that the Jupyter server is configured with the URL of an MLflow tracking server.'
    });
  }
}
