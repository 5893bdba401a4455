/**
 * Typed errors for requests to the ESDL Lab server routes. Every failure a user can see carries the
 * message the server gave, so that a panel can show what went wrong and what to check.
 */

/** The server answered with an HTTP error status. */
export class EsdlApiError extends Error {
  readonly name = 'EsdlApiError';
  /** the HTTP status code */
  readonly status: number;
  /** the URL that was requested */
  readonly url: string;
  /** a machine-readable reason from the server (for example `unreachable`, `timeout`), when it sent one */
  readonly reason: string | null;
  /** the upstream that failed, when the proxy named one */
  readonly upstream: string | null;
  /** the parsed JSON body, or the text body, as the server sent it */
  readonly body: unknown;

  constructor(options: {
    status: number;
    url: string;
    message: string;
    reason?: string | null;
    upstream?: string | null;
    body?: unknown;
  }) {
    super(options.message);
    this.status = options.status;
    this.url = options.url;
    this.reason = options.reason ?? null;
    this.upstream = options.upstream ?? null;
    this.body = options.body ?? null;
  }

  /** true when the Jupyter server refused the request for lack of authentication */
  get isAuthError(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** true when the proxy could not reach an upstream (502) or it was too slow (504) */
  get isUpstreamError(): boolean {
    return this.status === 502 || this.status === 504;
  }
}

/** The Jupyter server itself could not be reached (offline, stopped, or a network error). */
export class EsdlNetworkError extends Error {
  readonly name = 'EsdlNetworkError';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(
      `Could not reach the Jupyter server at ${url}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Check that JupyterLab is still running.'
    );
    this.url = url;
  }
}

const MAX_MESSAGE = 500;

/** Turns an HTML error page into its title or its text, short enough to show in a panel. */
function htmlToText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const source = title ?? heading ?? html;
  return source
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

function stringField(value: unknown, key: string): string | null {
  if (value && typeof value === 'object' && key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === 'string' && field.trim()) {
      return field;
    }
  }
  return null;
}

/**
 * Finds the human message in an error body. It knows the shapes of Jupyter server
 * (`{message, reason}`), our proxy (`{message, upstream, reason}`), xcube server
 * (`{error: {message}}`) and MLflow (`{error_code, message}`).
 */
export function messageFromBody(body: unknown): string | null {
  if (typeof body === 'string') {
    return body.trim() ? body : null;
  }
  const nested = body && typeof body === 'object' ? (body as Record<string, unknown>).error : undefined;
  return (
    stringField(body, 'message') ??
    stringField(nested, 'message') ??
    (typeof nested === 'string' && nested.trim() ? nested : null) ??
    stringField(body, 'detail') ??
    stringField(body, 'error_code')
  );
}

/** Builds the typed error for a response that is not ok, reading its body once. */
export async function errorFromResponse(response: Response, url: string): Promise<EsdlApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // a body that cannot be read leaves the status text as the message
  }
  const contentType = response.headers.get('Content-Type') ?? '';
  let body: unknown = text;
  let message: string | null = null;
  if (text && (contentType.includes('json') || /^\s*[{[]/.test(text))) {
    try {
      body = JSON.parse(text);
      message = messageFromBody(body);
    } catch {
      body = text;
    }
  }
  if (message === null && text) {
    message = contentType.includes('html') || /^\s*</.test(text) ? htmlToText(text) : text.trim();
  }
  if (!message) {
    message = `${response.status} ${response.statusText || 'error'} from ${url}`;
  }
  return new EsdlApiError({
    status: response.status,
    url,
    message: truncate(message),
    reason: stringField(body, 'reason'),
    upstream: stringField(body, 'upstream'),
    body
  });
}
