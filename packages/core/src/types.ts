/**
 * Shapes of the JSON that the esdl_lab server extension answers on `/esdl-lab/...`.
 * They mirror `esdl_lab/status.py`; change both together.
 */

/** The lifecycle state of one upstream service. */
export type UpstreamState =
  /** answering requests */
  | 'up'
  /** a managed process that is starting or restarting */
  | 'starting'
  /** unreachable, crashed or answering with errors; `error` says why */
  | 'down'
  /** a managed process that has not been needed yet: it starts on first use */
  | 'idle'
  /** not configured on this server; `error` says how to configure it */
  | 'unconfigured';

/** The kinds of upstream the server extension proxies. */
export type UpstreamKind = 'cube' | 'mlflow';

/** One upstream as `/esdl-lab/status` reports it. */
export interface IUpstreamStatus {
  /** the configured name, unique within its kind (the `<name>` of `/esdl-lab/cubes/<name>/`) */
  name: string;
  kind: UpstreamKind;
  /** a human title from the configuration, or the name */
  title: string;
  state: UpstreamState;
  /** the upstream's own version, once it has answered */
  version: string | null;
  /** the last error, in words a user can act on; null when none */
  error: string | null;
  /** the path, relative to the Jupyter server's base URL, under which the proxy forwards to it */
  proxyPath: string;
  /** true when the server extension runs the upstream as a managed process */
  managed: boolean;
  /** for managed processes: the process id while one runs */
  pid?: number | null;
  /** for managed processes: how often it was restarted after dying */
  restarts?: number;
  /** ISO 8601 time of the last check */
  checkedAt: string | null;
  /**
   * The base URL at which a kernel on the Jupyter server's machine reaches the upstream directly (kernels
   * cannot use the browser's Jupyter token), without credentials; null when it is not known yet (an idle
   * managed process, a configuration error).
   */
  kernelUrl?: string | null;
}

/** The answer of `GET /esdl-lab/status`. */
export interface IStatusResponse {
  /** the version of the esdl_lab Python package */
  version: string;
  upstreams: IUpstreamStatus[];
}
