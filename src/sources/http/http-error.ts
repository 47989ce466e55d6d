/** Errors of HTTP adapters: a small hierarchy that keeps the original in `cause` and never holds credentials. */
export class HttpError extends Error {
  /** The response body (JSON error objects carry the venue's code and message). */
  body?: string;
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown; body?: string },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.body = options?.body;
  }
}

/** A 4xx answer other than 429: the request itself is wrong; retrying will not help. */
export class HttpClientError extends HttpError {}

/** A 5xx answer: the server failed; retrying may help. */
export class HttpServerError extends HttpError {}

/** A 429 answer; `retryAfterMs` is how long the server asked us to wait, when it said so. */
export class RateLimitedError extends HttpError {
  constructor(message: string, readonly retryAfterMs: number | undefined) {
    super(message, 429);
  }
}

/** The connection failed or timed out before an answer. */
export class NetworkError extends HttpError {}

/** The answer was not the JSON the endpoint promises. */
export class MalformedResponseError extends HttpError {}

/** True for failures worth retrying: 429, 5xx and network errors. */
export function isRetryable(error: unknown): boolean {
  return error instanceof RateLimitedError || error instanceof HttpServerError || error instanceof NetworkError;
}
