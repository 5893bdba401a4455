import { ServerConnection } from '@jupyterlab/services';
import { describe, expect, it } from 'vitest';
import { EsdlApiError, EsdlNetworkError, apiUrl, fetchAPI, messageFromBody, requestAPI } from '../src';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

/** Server settings whose fetch answers with `handler`, recording every request. */
function settingsFor(handler: Handler): { settings: ServerConnection.ISettings; requests: Request[] } {
  const requests: Request[] = [];
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/lab-base/',
    wsUrl: 'ws://localhost:8888/lab-base/',
    token: 'secret-token',
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      requests.push(request);
      return handler(request.url, init ?? {});
    },
    Request,
    Headers
  });
  return { settings, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('requestAPI', () => {
  it('joins the route onto the base URL and sends the token', async () => {
    const { settings, requests } = settingsFor(() => json(200, { ok: true }));
    await expect(requestAPI('status', {}, settings)).resolves.toEqual({ ok: true });
    expect(new URL(requests[0].url).pathname).toBe('/lab-base/esdl-lab/status');
    expect(requests[0].headers.get('Authorization')).toBe('token secret-token');
    expect(apiUrl('cubes/demo/datasets', settings)).toBe('http://localhost:8888/lab-base/esdl-lab/cubes/demo/datasets');
  });

  it('returns text for non-JSON bodies and undefined for empty ones', async () => {
    const text = settingsFor(() => new Response('3.6.0', { status: 200, headers: { 'Content-Type': 'text/plain' } }));
    await expect(requestAPI('mlflow/version', {}, text.settings)).resolves.toBe('3.6.0');
    const empty = settingsFor(() => new Response(null, { status: 204 }));
    await expect(requestAPI('anything', { method: 'DELETE' }, empty.settings)).resolves.toBeUndefined();
  });

  it('turns a JSON error into an EsdlApiError with the server message, reason and upstream', async () => {
    const { settings } = settingsFor(() =>
      json(502, {
        message: "Cube server 'demo' at http://127.0.0.1:9 refused the connection. Check that it is running.",
        reason: 'unreachable',
        upstream: 'demo'
      })
    );
    const error = (await rejection(requestAPI('cubes/demo/datasets', {}, settings))) as EsdlApiError;
    expect(error).toBeInstanceOf(EsdlApiError);
    expect(error.status).toBe(502);
    expect(error.message).toContain("Cube server 'demo'");
    expect(error.reason).toBe('unreachable');
    expect(error.upstream).toBe('demo');
    expect(error.isUpstreamError).toBe(true);
    expect(error.url).toBe('http://localhost:8888/lab-base/esdl-lab/cubes/demo/datasets');
  });

  it('reads the error shapes of xcube server and MLflow', async () => {
    const xcube = settingsFor(() => json(404, { error: { status_code: 404, message: 'Dataset "nope" not found' } }));
    expect(((await rejection(requestAPI('cubes/x/datasets/nope', {}, xcube.settings))) as Error).message).toBe(
      'Dataset "nope" not found'
    );
    const mlflow = settingsFor(() =>
      json(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid value for max_results' })
    );
    expect(((await rejection(requestAPI('mlflow/x', {}, mlflow.settings))) as Error).message).toBe(
      'Invalid value for max_results'
    );
    expect(messageFromBody({ error_code: 'RESOURCE_DOES_NOT_EXIST' })).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(messageFromBody({ error: 'plain string' })).toBe('plain string');
    expect(messageFromBody({})).toBeNull();
  });

  it('turns an HTML error page into its title, without markup', async () => {
    const html =
      '<!doctype html><html><head><title>500 Internal Server Error</title><script>alert(1)</script></head>' +
      '<body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p></body></html>';
    const { settings } = settingsFor(
      () => new Response(html, { status: 500, headers: { 'Content-Type': 'text/html' } })
    );
    const error = (await rejection(requestAPI('mlflow/get-artifact', {}, settings))) as EsdlApiError;
    expect(error.status).toBe(500);
    expect(error.message).toBe('500 Internal Server Error');
    const untitled = settingsFor(
      () => new Response('<html><body><p>Cross-origin request <b>blocked</b></p></body></html>', { status: 403 })
    );
    const blocked = (await rejection(requestAPI('mlflow/x', {}, untitled.settings))) as EsdlApiError;
    expect(blocked.message).toBe('Cross-origin request blocked');
    expect(blocked.isAuthError).toBe(true);
  });

  it('keeps plain-text errors and explains empty ones', async () => {
    const text = settingsFor(
      () => new Response('Unauthorized', { status: 401, headers: { 'Content-Type': 'text/plain' } })
    );
    expect(((await rejection(requestAPI('mlflow/x', {}, text.settings))) as Error).message).toBe('Unauthorized');
    const empty = settingsFor(() => new Response('', { status: 504, statusText: 'Gateway Timeout' }));
    const error = (await rejection(requestAPI('cubes/demo/', {}, empty.settings))) as EsdlApiError;
    expect(error.message).toBe('504 Gateway Timeout from http://localhost:8888/lab-base/esdl-lab/cubes/demo/');
    expect(error.body).toBe('');
  });

  it('cuts very long messages', async () => {
    const { settings } = settingsFor(() => new Response('x'.repeat(5000), { status: 500 }));
    const error = (await rejection(requestAPI('x', {}, settings))) as Error;
    expect(error.message.length).toBeLessThanOrEqual(500);
  });

  it('reports invalid JSON in an ok answer as an error, not a crash', async () => {
    const { settings } = settingsFor(
      () => new Response('{"datasets": [', { status: 200, headers: { 'Content-Type': 'application/json' } })
    );
    const error = (await rejection(requestAPI('cubes/demo/datasets', {}, settings))) as EsdlApiError;
    expect(error).toBeInstanceOf(EsdlApiError);
    expect(error.reason).toBe('invalid-json');
    expect(error.message).toContain('invalid JSON');
  });

  it('wraps a failed connection in an EsdlNetworkError', async () => {
    const { settings } = settingsFor(() => {
      throw new TypeError('Failed to fetch');
    });
    const error = (await rejection(requestAPI('status', {}, settings))) as EsdlNetworkError;
    expect(error).toBeInstanceOf(EsdlNetworkError);
    expect(error.message).toContain('Failed to fetch');
    expect(error.message).toContain('Check that JupyterLab is still running');
  });

  it('gives binary bodies through fetchAPI untouched', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71, 0, 255]);
    const { settings } = settingsFor(
      () => new Response(bytes, { status: 200, headers: { 'Content-Type': 'image/png' } })
    );
    const response = await fetchAPI('cubes/demo/tiles/a/b/0/0/0', {}, settings);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  });
});
