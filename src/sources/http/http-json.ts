import { HttpClientError, HttpServerError, MalformedResponseError, NetworkError, RateLimitedError } from './http-error.js';
import { retryAfterMs } from './retry.js';

/** Options of one JSON request. */
export interface JsonRequest {
  headers?: Record<string, string>;
  method?: string;
  body?: unknown;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** What an endpoint is called in messages: origin and path, never the query (which may carry tokens). */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * Sends one request and parses the JSON answer, turning HTTP failures into the error hierarchy.
 * Header values (API keys) never reach an error message.
 */
export async function requestJson<T>(url: string, options: JsonRequest = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const where = `${options.method ?? 'GET'} ${describeUrl(url)}`;
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method: options.method ?? 'GET',
      headers: { accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new NetworkError(`${where}: network error: ${(err as Error).message}`, undefined, { cause: err });
  }
  const text = await res.text().catch(() => '');
  const snippet = text.slice(0, 200).replace(/\s+/g, ' ');
  if (res.status === 429) throw new RateLimitedError(`${where}: HTTP 429 rate limited`, retryAfterMs(res.headers));
  if (res.status >= 500) throw new HttpServerError(`${where}: HTTP ${res.status} ${snippet}`, res.status, { body: text });
  if (res.status >= 400) throw new HttpClientError(`${where}: HTTP ${res.status} ${snippet}`, res.status, { body: text });
  if (text === '' && (res.status === 204 || options.method === 'DELETE')) return { status: res.status, body: undefined as T, headers: res.headers };
  try {
    return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
  } catch (err) {
    throw new MalformedResponseError(`malformed JSON from ${where}: ${(err as Error).message}`, res.status, { cause: err });
  }
}
