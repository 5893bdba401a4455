/**
 * The one door to the ESDL Lab server routes. Every HTTP request of the front end to `/esdl-lab/...`
 * goes through `requestAPI` or `fetchAPI`; both use JupyterLab's ServerConnection, so the Jupyter
 * token, the XSRF cookie and the base URL (JupyterHub) are handled in one place.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { EsdlApiError, EsdlNetworkError, errorFromResponse } from './errors';

/** The URL path prefix of every route of the esdl_lab server extension. */
export const API_NAMESPACE = 'esdl-lab';

/** The full URL of a route of the server extension, for example `apiUrl('status')`. */
export function apiUrl(
  endPoint: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
}

/**
 * Requests a route and returns the raw Response when it is ok. Use it for binary bodies (tiles,
 * chunks) and streams; errors are thrown as `EsdlApiError` or `EsdlNetworkError`.
 */
export async function fetchAPI(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Response> {
  const url = apiUrl(endPoint, settings);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new EsdlNetworkError(url, error);
  }
  if (!response.ok) {
    throw await errorFromResponse(response, url);
  }
  return response;
}

/**
 * Requests a route and returns its JSON body as `T` (text when the server sent no JSON, undefined
 * when it sent no body).
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const response = await fetchAPI(endPoint, init, settings);
  const text = await response.text();
  if (!text) {
    return undefined as T;
  }
  const contentType = response.headers.get('Content-Type') ?? '';
  if (!contentType.includes('json')) {
    return text as T;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new EsdlApiError({
      status: response.status,
      url: response.url || apiUrl(endPoint, settings),
      message: `The server sent invalid JSON for ${endPoint}: ${(error as Error).message}`,
      reason: 'invalid-json',
      body: text
    });
  }
}
