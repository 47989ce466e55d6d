import { isRetryable, RateLimitedError } from './http-error.js';

/** Retry policy: bounded attempts, exponential backoff with jitter, and the server's Retry-After when given. */
export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  maxAttempts?: number;
  /** Backoff before the second attempt, doubled after each failure (default 500 ms). */
  baseDelayMs?: number;
  /** Ceiling of the computed backoff (default 30 s). */
  maxDelayMs?: number;
  /** Ceiling of a server-requested wait, so a bogus Retry-After cannot stall a backfill for hours (default 120 s). */
  maxServerWaitMs?: number;
  /** Injectable so tests never wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable jitter source in [0, 1). */
  random?: () => number;
}

/** An error that ran out of attempts, carrying how many were made; the last failure is the `cause`. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${(cause as Error)?.message ?? String(cause)} (gave up after ${attempts} attempts)`, { cause });
    this.name = 'RetriesExhaustedError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The delay after failed attempt `attempt` (counting from 1). A server-requested wait wins; otherwise
 * "equal jitter": half the exponential step fixed, half random, so many clients do not retry in lockstep.
 */
export function backoffDelay(attempt: number, error: unknown, options: RetryOptions = {}): number {
  if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
    return Math.min(Math.max(0, error.retryAfterMs), options.maxServerWaitMs ?? 120_000);
  }
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const exp = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(exp / 2 + (options.random ?? Math.random)() * (exp / 2));
}

/** Runs `fn`, retrying retryable failures up to `maxAttempts`; non-retryable ones are thrown at once, unchanged. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
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

/**
 * How long a 429 asks us to wait, in ms: Retry-After (seconds or an HTTP date) first, else X-RateLimit-Reset
 * (epoch seconds, Alpaca). A reset already in the past (clock skew) says nothing, so the caller backs off instead.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after')?.trim();
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) {
    const wait = Number(reset) * 1000 - now;
    if (wait > 0) return wait;
  }
  return undefined;
}
