import { isRetryable, RateLimitedError } from './http-error.js';

/** Retry policy: bounded attempts, exponential backoff with jitter, and the server's Retry-After when given. */
export interface RetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injectable so tests never wait. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** An error that ran out of attempts, carrying how many were made. */
export class RetriesExhaustedError extends Error {
  constructor(readonly attempts: number, cause: unknown) {
    super(`${(cause as Error)?.message ?? String(cause)} (gave up after ${attempts} attempts)`, { cause });
    this.name = 'RetriesExhaustedError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(attempt: number, error: unknown, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) return Math.min(Math.max(0, error.retryAfterMs), 120_000);
  const exp = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(exp / 2 + (options.random ?? Math.random)() * (exp / 2));
}

/** Runs `fn`, retrying retryable failures; non-retryable ones are thrown at once. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      if (attempt >= maxAttempts) throw new RetriesExhaustedError(attempt, err);
      await sleep(backoffDelay(attempt, err, options));
    }
  }
}

/** Parses Retry-After (seconds or an HTTP date) or, failing that, X-RateLimit-Reset (epoch seconds) into ms. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after');
  if (ra) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return secs * 1000;
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (headers.get('x-ratelimit-reset') && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}
