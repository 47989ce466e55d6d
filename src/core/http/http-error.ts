/** Errors of HTTP adapters: a small hierarchy that keeps the original in `cause` and never holds credentials. */
export class HttpError extends Error {
  /** The raw response body, for adapters that decode the venue's `{code, message}`; never put into `message` unscrubbed. */
  body?: string;
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown; body?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.body = options?.body;
  }
}

/** A 4xx answer other than 429: the request itself is wrong; retrying will not help. */
export class HttpClientError extends HttpError {}

/** A 5xx answer: the server failed; retrying may help. */
export class HttpServerError extends HttpError {}

/** A 429 answer; `retryAfterMs` is how long the server asked us to wait, when it said so (Retry-After or X-RateLimit-Reset). */
export class RateLimitedError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown; body?: string },
  ) {
    super(message, 429, options);
  }
}

/** The connection failed or timed out before an answer. */
export class NetworkError extends HttpError {}

/** The answer was not the JSON the endpoint promises (not JSON at all, or JSON of the wrong shape). */
export class MalformedResponseError extends HttpError {}

/** True for failures worth retrying: 429, 5xx and network errors; 4xx and malformed answers are not. */
export function isRetryable(error: unknown): boolean {
  return error instanceof RateLimitedError || error instanceof HttpServerError || error instanceof NetworkError;
}
