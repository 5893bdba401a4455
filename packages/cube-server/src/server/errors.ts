/**
 * Errors that become HTTP answers, in xcube's JSON shape: `{"error": {"status_code": 404, "message": "…"}}`.
 * Ours add `parameter` (the query parameter or path part that was wrong) where there is one.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string
  ) {
    super(message);
  }

  /** The JSON body of the answer. */
  toJSON(): { error: { status_code: number; message: string; parameter?: string } } {
    return {
      error: {
        status_code: this.status,
        message: this.message,
        ...(this.parameter ? { parameter: this.parameter } : {})
      }
    };
  }
}

/** 400: a request parameter is wrong; the message says which and why. */
export function badRequest(parameter: string, why: string): ApiError {
  return new ApiError(400, `Invalid parameter '${parameter}': ${why}`, parameter);
}

/** 404: a named thing (dataset, variable, dimension, key) does not exist. */
export function notFound(message: string, parameter?: string): ApiError {
  return new ApiError(404, message, parameter);
}

/** 503: a dataset's store is missing or broken; the other datasets keep serving. */
export function unavailable(message: string): ApiError {
  return new ApiError(503, message);
}
