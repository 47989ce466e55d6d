import type { Bar, SymbolFailure } from '../core/types.js';
import { formatTimeFrame } from '../core/time-frame.js';
import type { BarRequest, BarResult, MarketDataSource, ProgressFn } from './market-data-source.js';
import { HttpClientError } from './http/http-error.js';
import { requestJson } from './http/http-json.js';
import { RetriesExhaustedError, withRetries, type RetryOptions } from './http/retry.js';

/** Options of the Alpaca Market Data v2 bars source. */
export interface AlpacaMarketDataOptions extends RetryOptions {
  keyId: string;
  secretKey: string;
  baseUrl?: string;
  /** `iex` (free plan, the seed's choice) or `sip`. */
  feed?: string;
  /** `split` as the seed, or raw / dividend / all. */
  adjustment?: string;
  symbolsPerRequest?: number;
  /** Data points per page, summed over all symbols (1–10000). */
  limit?: number;
  fetch?: typeof fetch;
}

/** One bar as Alpaca sends it. */
interface WireBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

interface WireBarsPage {
  bars: Record<string, WireBar[]> | null;
  next_page_token: string | null;
}

/**
 * Historical bars from Alpaca Market Data v2 (`GET /v2/stocks/bars`): many symbols per request, pagination on
 * `next_page_token` (one symbol may continue across pages), bounded retries on 429/5xx, and a failure record for
 * each symbol of a request that could not be completed.
 */
export class AlpacaMarketDataSource implements MarketDataSource {
  readonly name = 'alpaca';
  private readonly baseUrl: string;

  constructor(private readonly options: AlpacaMarketDataOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://data.alpaca.markets').replace(/\/+$/, '');
  }

  /** {@inheritDoc MarketDataSource.fetchBars} */
  async fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult> {
    const size = this.options.symbolsPerRequest ?? 100;
    const bars = new Map<string, Bar[]>();
    const failures: SymbolFailure[] = [];
    let done = 0;
    for (let i = 0; i < request.symbols.length; i += size) {
      const chunk = request.symbols.slice(i, i + size);
      try {
        const got = await this.fetchChunk(chunk, request);
        for (const s of chunk) bars.set(s, got.get(s) ?? []);
      } catch (err) {
        if (err instanceof HttpClientError && (err.status === 401 || err.status === 403)) {
          throw new Error(
            `Alpaca market data refused the credentials (HTTP ${err.status}): check ALPACA_KEY and ALPACA_SECRET (paper keys work for data)`,
            { cause: err },
          );
        }
        const attempts = err instanceof RetriesExhaustedError ? err.attempts : 1;
        for (const s of chunk) failures.push({ symbol: s, reason: (err as Error).message, attempts });
      }
      done += chunk.length;
      onProgress?.(done, request.symbols.length);
    }
    return { bars, failures };
  }

  /** Fetches every page of one multi-symbol request and merges the pages per symbol. */
  private async fetchChunk(symbols: string[], request: BarRequest): Promise<Map<string, Bar[]>> {
    const out = new Map<string, Bar[]>();
    let token: string | null = null;
    do {
      const params = new URLSearchParams({
        symbols: symbols.join(','),
        timeframe: formatTimeFrame(request.timeFrame),
        start: request.start.toISOString(),
        end: request.end.toISOString(),
        limit: String(this.options.limit ?? 10_000),
        adjustment: this.options.adjustment ?? 'split',
        feed: this.options.feed ?? 'iex',
        sort: 'asc',
      });
      if (token) params.set('page_token', token);
      const url = `${this.baseUrl}/v2/stocks/bars?${params}`;
      const page: WireBarsPage = await withRetries(
        async () =>
          (
            await requestJson<WireBarsPage>(url, {
              fetch: this.options.fetch,
              headers: { 'APCA-API-KEY-ID': this.options.keyId, 'APCA-API-SECRET-KEY': this.options.secretKey, 'accept-encoding': 'gzip' },
            })
          ).body,
        this.options,
      );
      if (typeof page !== 'object' || page === null || !('next_page_token' in page)) {
        throw new Error(`unexpected answer from ${this.baseUrl}/v2/stocks/bars: no next_page_token field`);
      }
      for (const [symbol, list] of Object.entries(page.bars ?? {})) {
        let acc = out.get(symbol);
        if (!acc) out.set(symbol, (acc = []));
        for (const b of list ?? []) acc.push(toBar(symbol, b));
      }
      token = page.next_page_token;
    } while (token);
    return out;
  }
}

function toBar(symbol: string, b: WireBar): Bar {
  return { symbol, timestamp: new Date(b.t), open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v, tradeCount: b.n, vwap: b.vw };
}
