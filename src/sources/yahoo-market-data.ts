import YahooFinance from 'yahoo-finance2';
import type { Bar, SymbolFailure } from '../core/types.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { maskThenCut } from '../core/redact.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import type { BarRequest, BarResult, MarketDataSource, PriceAdjustment, ProgressFn } from './market-data-source.js';
import { HttpServerError, NetworkError, RateLimitedError } from '../core/http/http-error.js';
import { RetriesExhaustedError, withRetries, type RetryOptions } from '../core/http/retry.js';

/** Options of the Yahoo daily-bars source (retry options: maxAttempts, baseDelayMs, injectable sleep, …). */
export interface YahooOptions extends RetryOptions {
  /** Routes the library's requests (tests point it at a loopback fake). */
  fetch?: typeof fetch;
  /** Symbols fetched at once (default 2): Yahoo publishes no limit and answers bursts with 429. */
  concurrency?: number;
  /** `all` (default): open/high/low/close scaled by adjclose/close and volume inversely, as Yahoo's auto-adjust; `none`: split-adjusted only. */
  adjust?: PriceAdjustment;
}

/** One row of the library's `chart(…, { return: 'array' })` result. */
interface ChartQuote {
  date: Date;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
  adjclose?: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Daily bars from Yahoo Finance through `yahoo-finance2` (no account). One request per symbol; the library does
 * not retry, so 429s and 5xx are retried here. Trading dates come from the exchange time zone and bars are stamped
 * at New-York midnight, the same convention as Alpaca's daily bars. Yahoo's `close` is split-adjusted only; by default
 * prices are also dividend-adjusted from `adjclose` (option `adjust: 'none'` keeps Yahoo's split-only prices).
 */
export class YahooMarketDataSource implements MarketDataSource {
  readonly name = 'yahoo';
  private readonly client: InstanceType<typeof YahooFinance>;
  private readonly concurrency: number;

  constructor(private readonly options: YahooOptions = {}) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
    this.client = new YahooFinance({
      // no request to registry.npmjs.org after a failure, no banners: nothing but the chart calls touches the network
      versionCheck: false,
      suppressNotices: ['yahooSurvey', 'ripHistorical'],
      validation: { logErrors: false, logOptionsErrors: false },
      logger: quietLogger,
      queue: { concurrency: this.concurrency },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /** {@inheritDoc MarketDataSource.fetchBars} */
  async fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult> {
    const frame = formatTimeFrame(request.timeFrame);
    if (frame !== '1Day') throw new Error(`the Yahoo source provides daily bars only (time frame 1Day), not ${frame}`);
    if (request.start.getTime() > request.end.getTime()) {
      throw new Error(`invalid bar request: start ${request.start.toISOString()} is after end ${request.end.toISOString()}`);
    }
    const bars = new Map<string, Bar[]>();
    const failures: SymbolFailure[] = [];
    let done = 0;
    await forEachBounded(request.symbols, this.concurrency, async (symbol) => {
      try {
        bars.set(symbol, await this.fetchSymbol(symbol, request));
      } catch (err) {
        const attempts = err instanceof RetriesExhaustedError ? err.attempts : 1;
        failures.push({ symbol, reason: (err as Error).message, attempts });
      }
      onProgress?.(++done, request.symbols.length);
    });
    failures.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return { bars, failures, quality: { duplicatesMerged: 0, conflictingDuplicates: [], adjusted: this.options.adjust ?? 'all' } };
  }

  private async fetchSymbol(symbol: string, request: BarRequest): Promise<Bar[]> {
    // Yahoo spells share classes with a dash (BRK-B) where exchanges and Alpaca use a dot (BRK.B)
    const yahooSymbol = symbol.replace(/\./g, '-');
    const result = await withRetries(async () => {
      try {
        return await this.client.chart(yahooSymbol, {
          period1: request.start,
          // period2 is exclusive and daily stamps sit at the session open, so reach one day past the last date
          period2: new Date(request.end.getTime() + DAY_MS),
          interval: '1d',
          return: 'array',
        });
      } catch (err) {
        throw classifyError(symbol, err);
      }
    }, this.options);
    return toBars(symbol, result.quotes as ChartQuote[], result.meta.exchangeTimezoneName, request, this.options.adjust ?? 'all');
  }
}

/** Keeps complete rows inside the requested dates, one bar per trading date (the last row wins), adjusted as asked. */
function toBars(symbol: string, quotes: ChartQuote[], timeZone: string | undefined, request: BarRequest, adjust: PriceAdjustment): Bar[] {
  const first = nyDate(request.start);
  const last = nyDate(request.end);
  const byDate = new Map<string, Bar>();
  for (const q of quotes) {
    const { open, high, low, close, volume } = q;
    // Yahoo sends null for sessions it has no trade data for; such a row is not a bar
    if (open === null || high === null || low === null || close === null || volume === null) continue;
    const date = dateInZone(q.date, timeZone);
    if (date < first || date > last) continue;
    // a row without its adjusted close cannot be put on the adjusted scale of its neighbours
    const f = adjust === 'all' ? (q.adjclose ?? NaN) / close : 1;
    if (!(f > 0) || !Number.isFinite(f)) continue;
    byDate.set(date, { symbol, timestamp: nyMidnightUtc(date), open: open * f, high: high * f, low: low * f, close: close * f, volume: volume / f });
  }
  return [...byDate.values()].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
}

/** Maps the library's errors onto our hierarchy so the retry policy sees 429 / 5xx / network failures. */
function classifyError(symbol: string, err: unknown): Error {
  const e = err as { name?: string; message?: string; code?: unknown; errors?: unknown[] };
  const message = e.message ?? String(err);
  const status = typeof e.code === 'number' ? e.code : undefined;
  const prefix = `Yahoo chart ${symbol}`;
  if (status === 429 || /too many requests/i.test(message)) {
    return new RateLimitedError(`${prefix}: HTTP 429 rate limited (${maskThenCut(message.trim(), 80)})`, undefined);
  }
  if (status !== undefined && status >= 500) return new HttpServerError(`${prefix}: HTTP ${status} ${maskThenCut(message, 200)}`, status, { cause: err });
  if (err instanceof TypeError && /fetch failed/i.test(message)) return new NetworkError(`${prefix}: ${message}`, undefined, { cause: err });
  const detail = e.name === 'FailedYahooValidationError' && e.errors?.length ? ` (${maskThenCut(JSON.stringify(e.errors[0]), 300)})` : '';
  return new Error(`${prefix}: ${message}${detail}`, { cause: err });
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (`YYYY-MM-DD`) of an instant in the exchange's time zone (New York when Yahoo names none). */
function dateInZone(d: Date, timeZone = 'America/New_York'): string {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    zoneFormats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(d)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Runs `fn` over items with at most `limit` in flight. */
async function forEachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// The library warns on Node < 22 (v3 runs fine on 20, our target) and logs debug chatter; keep real warnings.
const quietLogger = {
  info: () => {},
  debug: () => {},
  dir: () => {},
  warn: (...args: unknown[]) => {
    if (!/Unsupported environment/.test(String(args[0]))) console.warn(...args);
  },
  error: (...args: unknown[]) => console.error(...args),
};
