/**
 * What the catalogue tells a user when a cube server cannot be listed: what failed, which server, and what
 * to check, from core's typed errors and the status model's word on that server.
 */
import { EsdlApiError, EsdlNetworkError, IUpstreamStatus } from '@esdl-lab/core';

export interface ILoadProblem {
  /** the request that failed, e.g. `GET /datasets?details=1` */
  what: string;
  /** the error in the server's or the proxy's words */
  message: string;
  /** what the user can check or do */
  advice: string;
}

const CONFIG_HINT = 'c.ESDLLab.cube_servers in the Jupyter server configuration';

export function describeProblem(error: unknown, what: string, upstream?: IUpstreamStatus): ILoadProblem {
  const message = error instanceof Error ? error.message : String(error);
  let advice: string;
  if (error instanceof EsdlNetworkError) {
    advice = 'JupyterLab lost its server: check that the Jupyter server is still running, then refresh.';
  } else if (error instanceof EsdlApiError) {
    if (error.isAuthError) {
      advice = 'Your Jupyter session may have expired: reload the page and log in again.';
    } else if (error.reason === 'timeout' || error.status === 504) {
      advice =
        'The cube server is too slow or stuck: check its load and its log (in the Jupyter server output), ' +
        'then refresh.';
    } else if (error.isUpstreamError) {
      advice = upstream?.managed
        ? 'The managed cube server is not running: see the ESDL services panel and the Jupyter server log.'
        : `Check that the cube server is running and that its URL in ${CONFIG_HINT} is right.`;
    } else if (error.reason === 'invalid-response') {
      advice = `Check that the URL in ${CONFIG_HINT} points at an xcube-compatible cube server.`;
    } else if (error.status === 404) {
      advice = `The server has no xcube datasets API at this path: check its URL in ${CONFIG_HINT}.`;
    } else if (error.status >= 500) {
      advice = 'The cube server failed while answering: see its log, then refresh.';
    } else {
      advice = 'See the message above; refresh once the cause is fixed.';
    }
  } else {
    advice = 'Refresh to try again.';
  }
  if (upstream?.state === 'down' && upstream.error && !message.includes(upstream.error)) {
    advice = `${advice} The service check says: ${upstream.error}`;
  }
  return { what, message, advice };
}
