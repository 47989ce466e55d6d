import { maskThenCut, redactSecrets } from '../redact.js';
import { HttpClientError, HttpServerError, MalformedResponseError, NetworkError, RateLimitedError } from './http-error.js';
import { retryAfterMs } from './retry.js';

/** Options of one JSON request. */
export interface JsonRequest {
  headers?: Record<string, string>;
  method?: string;
  body?: unknown;
  /** Defaults to the global fetch (Node 20); injectable as the transport seam. */
  fetch?: typeof fetch;
  /** Abort after this long and report a network error (default 30 s). */
  timeoutMs?: number;
}

/** What an endpoint is called in messages: origin and path, never the query (which may carry tokens). */
export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** Masks header values (API keys) and registered secrets in a text bound for an error message. */
function scrub(text: string, headers: Record<string, string> | undefined): string {
  let out = text;
  for (const v of Object.values(headers ?? {})) if (v.length >= 4) out = out.split(v).join('****');
  return redactSecrets(out);
}

/**
 * The first 200 characters of a body, on one line, for error messages. Secrets are masked before the cut, so a
 * secret that straddles it is masked whole instead of printed minus its tail.
 */
function snippet(text: string, headers: Record<string, string> | undefined, max = 200): string {
  return maskThenCut(scrub(text, headers).replace(/\s+/g, ' ').trim(), max);
}

/**
 * Sends one request and parses the JSON answer, turning HTTP failures into the error hierarchy.
 * Header values (API keys) never reach an error message.
 */
export async function requestJson<T>(url: string, options: JsonRequest = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const method = options.method ?? 'GET';
  // the path may hold a registered token (Telegram's /bot<token>/…): the URL is masked too, not only the body
  const where = redactSecrets(`${method} ${describeUrl(url)}`);
  let res: Response;
  let text: string;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method,
      headers: { accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const detail = [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
    throw new NetworkError(`${where}: network error: ${scrub(detail, options.headers)}`, undefined, { cause: err });
  }
  const kept = { body: text };
  if (res.status === 429) {
    throw new RateLimitedError(`${where}: HTTP 429 rate limited ${snippet(text, options.headers)}`.trimEnd(), retryAfterMs(res.headers), kept);
  }
  if (res.status >= 500) throw new HttpServerError(`${where}: HTTP ${res.status} ${snippet(text, options.headers)}`.trimEnd(), res.status, kept);
  if (res.status >= 400) throw new HttpClientError(`${where}: HTTP ${res.status} ${snippet(text, options.headers)}`.trimEnd(), res.status, kept);
  // fetch follows redirects; a 3xx that still reaches us (304, 300, no Location) is not the JSON the endpoint promises
  if (res.status >= 300) throw new MalformedResponseError(`${where}: unexpected HTTP ${res.status} (redirect not followed) ${snippet(text, options.headers)}`.trimEnd(), res.status, kept);
  if (text === '' && (res.status === 204 || method === 'DELETE')) return { status: res.status, body: undefined as T, headers: res.headers };
  try {
    return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
  } catch (err) {
    const type = res.headers.get('content-type') ?? 'no content-type';
    throw new MalformedResponseError(
      `malformed JSON from ${redactSecrets(describeUrl(url))}: ${parseProblem(err)} (HTTP ${res.status}, ${type}, body starts "${snippet(text, options.headers, 80)}")`,
      res.status,
      { cause: err, body: text },
    );
  }
}

/** JSON.parse's message without the excerpt of the input it quotes (that excerpt is cut before anything could mask it). */
function parseProblem(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/,? ".*"(\.\.\.)? is not valid JSON$/s, ': not valid JSON');
}

/** GETs a URL and returns its parsed JSON body; failures are HttpError subclasses (see requestJson). */
export async function getJson<T>(url: string, options: Omit<JsonRequest, 'method' | 'body'> = {}): Promise<T> {
  return (await requestJson<T>(url, { ...options, method: 'GET' })).body;
}
