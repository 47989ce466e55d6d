import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HttpClientError,
  HttpError,
  HttpServerError,
  isRetryable,
  MalformedResponseError,
  NetworkError,
  RateLimitedError,
} from '../../src/core/http/http-error.js';
import { requestJson } from '../../src/core/http/http-json.js';
import { backoffDelay, RetriesExhaustedError, retryAfterMs, withRetries } from '../../src/core/http/retry.js';
import { HttpFake } from '../fakes/http-fake.js';
import { freePort } from '../helpers/free-port.js';

/** The error requestJson throws for a GET to `url`, or a failure when it succeeds. */
async function errorOf(url: string, timeoutMs?: number): Promise<unknown> {
  return requestJson(url, { timeoutMs }).then(
    () => assert.fail(`expected ${url} to fail`),
    (e: unknown) => e,
  );
}

// ---- every status class, through a real HTTP answer: which error class, and whether it is retried ----

const STATUS_TABLE: Array<[status: number, errorClass: new (...a: never[]) => HttpError, retryable: boolean]> = [
  [300, MalformedResponseError, false],
  [304, MalformedResponseError, false],
  [400, HttpClientError, false],
  [401, HttpClientError, false],
  [403, HttpClientError, false],
  [404, HttpClientError, false],
  [408, HttpClientError, true],
  [409, HttpClientError, false],
  [422, HttpClientError, false],
  [429, RateLimitedError, true],
  [500, HttpServerError, true],
  [501, HttpServerError, false],
  [502, HttpServerError, true],
  [503, HttpServerError, true],
  [504, HttpServerError, true],
  [505, HttpServerError, false],
];

for (const [status, errorClass, retryable] of STATUS_TABLE) {
  test(`HTTP ${status} → ${errorClass.name}, retryable ${retryable}`, async () => {
    const fake = await new HttpFake(() => ({ status, body: { message: `status ${status}` } })).start();
    try {
      const err = await errorOf(`${fake.url}/x`);
      assert.ok(err instanceof errorClass, `got ${(err as Error).name}: ${(err as Error).message}`);
      assert.equal((err as HttpError).status, status);
      assert.equal(isRetryable(err), retryable);
    } finally {
      await fake.close();
    }
  });
}

test('HTTP 200 with a body that is not JSON → MalformedResponseError, not retryable', async () => {
  const fake = await new HttpFake(() => ({ status: 200, raw: '<html>maintenance</html>' })).start();
  try {
    const err = await errorOf(`${fake.url}/x`);
    assert.ok(err instanceof MalformedResponseError);
    assert.equal(isRetryable(err), false);
  } finally {
    await fake.close();
  }
});

// ---- real network failures on loopback ----

test('connection refused → NetworkError (ECONNREFUSED), retryable', async () => {
  const err = await errorOf(`http://127.0.0.1:${await freePort()}/x`);
  assert.ok(err instanceof NetworkError);
  assert.match((err as Error).message, /ECONNREFUSED/);
  assert.equal(isRetryable(err), true);
});

test('connection dropped mid-request → NetworkError, retryable', async () => {
  const fake = await new HttpFake(() => ({ status: 200, body: {} })).start();
  try {
    fake.faults.push({ drop: true });
    const err = await errorOf(`${fake.url}/x`);
    assert.ok(err instanceof NetworkError);
    assert.equal(isRetryable(err), true);
  } finally {
    await fake.close();
  }
});

test('no answer within timeoutMs → NetworkError caused by a TimeoutError, retryable', async () => {
  const { createServer } = await import('node:http');
  const server = createServer(() => {}); // accepts and never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const err = await errorOf(`http://127.0.0.1:${(server.address() as { port: number }).port}/x`, 50);
    assert.ok(err instanceof NetworkError);
    assert.equal(((err as Error).cause as Error).name, 'TimeoutError');
    assert.equal(isRetryable(err), true);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

// ---- network error codes, as undici reports them (fetch failed → cause with a code) ----

/** A NetworkError shaped like requestJson's: TypeError('fetch failed') whose cause carries the system code. */
function networkError(cause: unknown): NetworkError {
  return new NetworkError('GET http://x/: network error', undefined, { cause: new TypeError('fetch failed', { cause }) });
}
const sysError = (code: string) => Object.assign(new Error(code), { code });
const domError = (name: string) => new DOMException('aborted', name);

const NETWORK_TABLE: Array<[what: string, error: unknown, retryable: boolean]> = [
  ['ECONNRESET', networkError(sysError('ECONNRESET')), true],
  ['ECONNREFUSED', networkError(sysError('ECONNREFUSED')), true],
  ['ETIMEDOUT', networkError(sysError('ETIMEDOUT')), true],
  ['EPIPE', networkError(sysError('EPIPE')), true],
  ['EAI_AGAIN (temporary DNS failure)', networkError(sysError('EAI_AGAIN')), true],
  ['UND_ERR_SOCKET', networkError(sysError('UND_ERR_SOCKET')), true],
  ['UND_ERR_CONNECT_TIMEOUT', networkError(sysError('UND_ERR_CONNECT_TIMEOUT')), true],
  ['TimeoutError (AbortSignal.timeout)', new NetworkError('timeout', undefined, { cause: domError('TimeoutError') }), true],
  ['no cause at all', new NetworkError('network error', undefined), true],
  ['ENOTFOUND (no such host)', networkError(sysError('ENOTFOUND')), false],
  ['ERR_INVALID_URL', networkError(sysError('ERR_INVALID_URL')), false],
  ['CERT_HAS_EXPIRED', networkError(sysError('CERT_HAS_EXPIRED')), false],
  ['ERR_TLS_CERT_ALTNAME_INVALID', networkError(sysError('ERR_TLS_CERT_ALTNAME_INVALID')), false],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', networkError(sysError('DEPTH_ZERO_SELF_SIGNED_CERT')), false],
  ['AbortError (aborted on purpose)', new NetworkError('aborted', undefined, { cause: domError('AbortError') }), false],
];

for (const [what, error, retryable] of NETWORK_TABLE) {
  test(`network error ${what} → retryable ${retryable}`, () => {
    assert.equal(isRetryable(error), retryable);
  });
}

// ---- things that are not HTTP failures ----

const OTHER_TABLE: Array<[what: string, error: unknown]> = [
  ['a plain Error (a bug, not the network)', new Error('boom')],
  ['a bare TypeError("fetch failed") not wrapped by the client', new TypeError('fetch failed', { cause: sysError('ECONNRESET') })],
  ['a string', 'ECONNRESET'],
  ['undefined', undefined],
  ['an HttpError of no subclass', new HttpError('odd', 599)],
  ['RetriesExhaustedError around a 503 (already retried)', new RetriesExhaustedError(5, new HttpServerError('503', 503))],
];

for (const [what, error] of OTHER_TABLE) {
  test(`${what} → not retryable`, () => {
    assert.equal(isRetryable(error), false);
  });
}

// ---- Retry-After and X-RateLimit-Reset ----

const NOW = Date.parse('2024-07-01T14:00:00Z');
const RETRY_AFTER_TABLE: Array<[what: string, headers: Record<string, string>, ms: number | undefined]> = [
  ['Retry-After in whole seconds', { 'retry-after': '3' }, 3000],
  ['Retry-After in fractional seconds', { 'retry-after': '1.5' }, 1500],
  ['Retry-After 0', { 'retry-after': '0' }, 0],
  ['Retry-After as an HTTP date 10 s ahead', { 'retry-after': 'Mon, 01 Jul 2024 14:00:10 GMT' }, 10_000],
  ['Retry-After as an HTTP date in the past', { 'retry-after': 'Mon, 01 Jul 2024 13:59:00 GMT' }, 0],
  ['Retry-After that is neither', { 'retry-after': 'soon' }, undefined],
  ['X-RateLimit-Reset (epoch seconds) 5 s ahead', { 'x-ratelimit-reset': String(NOW / 1000 + 5) }, 5000],
  ['X-RateLimit-Reset in the past (clock skew)', { 'x-ratelimit-reset': String(NOW / 1000 - 5) }, undefined],
  ['X-RateLimit-Reset that is not a number', { 'x-ratelimit-reset': 'later' }, undefined],
  ['Retry-After wins over X-RateLimit-Reset', { 'retry-after': '2', 'x-ratelimit-reset': String(NOW / 1000 + 60) }, 2000],
  ['an unusable Retry-After falls back to X-RateLimit-Reset', { 'retry-after': 'soon', 'x-ratelimit-reset': String(NOW / 1000 + 7) }, 7000],
  ['neither header', {}, undefined],
];

for (const [what, headers, ms] of RETRY_AFTER_TABLE) {
  test(`retryAfterMs: ${what} → ${ms}`, () => {
    assert.equal(retryAfterMs(new Headers(headers), NOW), ms);
  });
}

test('backoffDelay: the server-requested wait wins, capped by maxServerWaitMs; else equal jitter doubling to maxDelayMs', () => {
  const limited = (ms: number | undefined) => new RateLimitedError('429', ms);
  assert.equal(backoffDelay(1, limited(1500)), 1500);
  assert.equal(backoffDelay(1, limited(10 * 3600_000)), 120_000);
  assert.equal(backoffDelay(1, limited(10 * 3600_000), { maxServerWaitMs: 5000 }), 5000);
  const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
  // equal jitter: half the step fixed, half scaled by random() in [0, 1)
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(a, limited(undefined), { ...opts, random: () => 0 })), [50, 100, 200, 400, 500]);
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(a, new HttpServerError('503', 503), { ...opts, random: () => 0.999 })), [100, 200, 400, 800, 1000]);
});

test('withRetries: honours Retry-After from a real 429, stops at once on a 4xx, gives up after maxAttempts', async () => {
  const fake = await new HttpFake(() => ({ status: 200, body: { ok: true } })).start();
  try {
    const sleeps: number[] = [];
    const opts = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0, baseDelayMs: 10, maxAttempts: 3 };
    fake.faults.push({ status: 429, retryAfter: '2' }, { status: 503 });
    assert.deepEqual(await withRetries(async () => (await requestJson(`${fake.url}/x`)).body, opts), { ok: true });
    assert.deepEqual(sleeps, [2000, 10]);
    fake.faults.push({ status: 404 });
    let calls = 0;
    await assert.rejects(withRetries(() => (calls++, requestJson(`${fake.url}/x`)), opts), HttpClientError);
    assert.equal(calls, 1);
    fake.faults.push({ status: 502 }, { status: 502 }, { status: 502 });
    await assert.rejects(withRetries(() => requestJson(`${fake.url}/x`), opts), (e: Error) => e instanceof RetriesExhaustedError && e.attempts === 3 && e.cause instanceof HttpServerError);
  } finally {
    await fake.close();
  }
});
