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

/** 5xx answers that say the request can never succeed on this server (not implemented, HTTP version refused). */
const PERMANENT_SERVER_STATUSES = new Set([501, 505]);

/**
 * Connection failures that another attempt will not fix: the host name does not exist, the URL is invalid, the
 * certificate is refused, or our own code aborted the request on purpose. Everything else at the network level
 * (reset, refused, timeouts, temporary DNS failure) is treated as transient.
 */
const PERMANENT_NETWORK_CODES = new Set([
  'ENOTFOUND',
  'ERR_INVALID_URL',
  'AbortError',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The first error code (`code`, else a DOMException's `name` such as TimeoutError) along the `cause` chain. */
export function networkErrorCode(error: unknown): string | undefined {
  let cur: unknown = error;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const e = cur as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name;
    cur = e.cause;
  }
  return undefined;
}

/**
 * True for failures worth retrying: 429, 408, 5xx other than 501/505, and network errors other than the permanent
 * ones above. Other 4xx, malformed answers and anything that is not an HttpError (a bug, not a flaky network) are not.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RateLimitedError) return true;
  if (error instanceof HttpServerError) return !PERMANENT_SERVER_STATUSES.has(error.status ?? 500);
  if (error instanceof HttpClientError) return error.status === 408;
  if (error instanceof NetworkError) {
    const code = networkErrorCode(error.cause);
    return code === undefined || !PERMANENT_NETWORK_CODES.has(code);
  }
  return false;
}
