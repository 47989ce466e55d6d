import YahooFinance from 'yahoo-finance2';
import type { Bar, SymbolFailure } from '../core/types.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import type { BarRequest, BarResult, MarketDataSource, ProgressFn } from './market-data-source.js';
import { RateLimitedError } from './http/http-error.js';
import { RetriesExhaustedError, withRetries, type RetryOptions } from './http/retry.js';

/** Options of the Yahoo daily-bars source. */
export interface YahooOptions extends RetryOptions {
  /** Routes the library's requests (tests point it at a loopback fake). */
  fetch?: typeof fetch;
  concurrency?: number;
}

interface ChartQuote {
  date: Date;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
}

/**
 * Daily bars from Yahoo Finance through `yahoo-finance2` (no account). One request per symbol; the library does
 * not retry, so 429s are retried here. Trading dates come from the exchange time zone and bars are stamped at
 * New-York midnight, the same convention as Alpaca's daily bars.
 */
export class YahooMarketDataSource implements MarketDataSource {
  readonly name = 'yahoo';
  private readonly client: InstanceType<typeof YahooFinance>;

  constructor(private readonly options: YahooOptions = {}) {
    this.client = new YahooFinance({
      versionCheck: false,
      suppressNotices: ['yahooSurvey', 'ripHistorical'],
      queue: { concurrency: options.concurrency ?? 2 },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /** {@inheritDoc MarketDataSource.fetchBars} */
  async fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult> {
    if (formatTimeFrame(request.timeFrame) !== '1Day') {
      throw new Error(`the Yahoo source provides daily bars only (time frame 1Day), not ${formatTimeFrame(request.timeFrame)}`);
    }
    const bars = new Map<string, Bar[]>();
    const failures: SymbolFailure[] = [];
    let done = 0;
    await Promise.all(
      request.symbols.map(async (symbol) => {
        try {
          bars.set(symbol, await this.fetchSymbol(symbol, request));
        } catch (err) {
          const attempts = err instanceof RetriesExhaustedError ? err.attempts : 1;
          failures.push({ symbol, reason: (err as Error).message, attempts });
        }
        onProgress?.(++done, request.symbols.length);
      }),
    );
    failures.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return { bars, failures };
  }

  private async fetchSymbol(symbol: string, request: BarRequest): Promise<Bar[]> {
    const result = await withRetries(async () => {
      try {
        return await this.client.chart(symbol.replace(/\./g, '-'), {
          period1: request.start,
          period2: new Date(request.end.getTime() + 86_400_000),
          interval: '1d',
        });
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 429 || /too many requests/i.test((err as Error).message)) {
          throw new RateLimitedError(`Yahoo chart ${symbol}: HTTP 429 rate limited`, undefined);
        }
        throw new Error(`Yahoo chart ${symbol}: ${(err as Error).message}`, { cause: err });
      }
    }, this.options);
    const first = nyDate(request.start);
    const last = nyDate(request.end);
    const out: Bar[] = [];
    for (const q of result.quotes as ChartQuote[]) {
      if (q.open === null || q.high === null || q.low === null || q.close === null || q.volume === null) continue;
      const date = nyDate(q.date);
      if (date < first || date > last) continue;
      out.push({ symbol, timestamp: nyMidnightUtc(date), open: q.open, high: q.high, low: q.low, close: q.close, volume: q.volume });
    }
    return out;
  }
}
