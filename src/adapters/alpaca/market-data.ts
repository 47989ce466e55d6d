import type { Bar, SymbolFailure } from '../../core/types.js';
import { formatTimeFrame } from '../../core/time-frame.js';
import { redactSecrets } from '../../core/redact.js';
import { MalformedResponseError } from '../../core/http/http-error.js';
import { RetriesExhaustedError } from '../../core/http/retry.js';
import type { BarRequest, BarResult, MarketDataSource, ProgressFn } from '../../sources/market-data-source.js';
import { ALPACA_DATA_URL, type AlpacaMarketDataOptions } from './config.js';
import { AlpacaNotAuthorizedError, alpacaErrorBody, isSubscriptionRefusal } from './errors.js';
import { AlpacaHttpClient } from './http-client.js';
import { rfc3339, toBar } from './parsing.js';
import type { WireBarsQuery } from './schemas.js';

/**
 * Historical bars from Alpaca Market Data v2 (`GET /v2/stocks/bars`): many symbols per request, pagination on
 * `next_page_token` (one symbol may continue across pages), bounded retries on 429/5xx (in the client), and a
 * failure record for each symbol of a request that could not be completed.
 */
export class AlpacaMarketDataSource implements MarketDataSource {
  readonly name = 'alpaca';
  private readonly client: AlpacaHttpClient;
  private readonly endpoint: string;
  private readonly limit: number;
  private readonly chunkSize: number;

  constructor(private readonly options: AlpacaMarketDataOptions) {
    this.client = new AlpacaHttpClient({ ...options, baseUrl: options.baseUrl ?? ALPACA_DATA_URL, api: 'market data' });
    this.endpoint = this.client.where('/v2/stocks/bars');
    this.limit = options.limit ?? 10_000;
    this.chunkSize = options.symbolsPerRequest ?? 100;
    if (!Number.isInteger(this.limit) || this.limit < 1 || this.limit > 10_000) {
      throw new Error(`Alpaca bars: limit must be an integer from 1 to 10000, got ${options.limit}`);
    }
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) {
      throw new Error(`Alpaca bars: symbolsPerRequest must be a positive integer, got ${options.symbolsPerRequest}`);
    }
  }

  /** {@inheritDoc MarketDataSource.fetchBars} */
  async fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult> {
    // Alpaca answers under upper-case tickers; remember which requested spelling each one came from
    const byWire = new Map<string, string[]>();
    for (const s of new Set(request.symbols)) {
      const wire = s.trim().toUpperCase();
      byWire.set(wire, [...(byWire.get(wire) ?? []), s]);
    }
    const wireSymbols = [...byWire.keys()];
    const total = request.symbols.length;
    const bars = new Map<string, Bar[]>();
    const failures: SymbolFailure[] = [];
    let done = 0;
    for (let i = 0; i < wireSymbols.length; i += this.chunkSize) {
      const chunk = wireSymbols.slice(i, i + this.chunkSize);
      try {
        const got = await this.fetchChunk(chunk, request);
        for (const w of chunk) {
          for (const s of byWire.get(w)!) bars.set(s, (got.get(w) ?? []).map((b) => ({ ...b, symbol: s })));
        }
      } catch (err) {
        if (err instanceof AlpacaNotAuthorizedError) throw err;
        if (isSubscriptionRefusal(err)) throw this.subscriptionError(err);
        const attempts = err instanceof RetriesExhaustedError ? err.attempts : 1;
        const reason = redactSecrets((err as Error).message);
        for (const w of chunk) for (const s of byWire.get(w)!) failures.push({ symbol: s, reason, attempts });
      }
      done += chunk.reduce((n, w) => n + byWire.get(w)!.length, 0);
      onProgress?.(Math.min(done, total), total);
    }
    return { bars, failures };
  }

  /** The plan may not query this feed or range: no other request could succeed either. */
  private subscriptionError(err: Parameters<typeof alpacaErrorBody>[0]): Error {
    return new Error(
      `Alpaca market data: the subscription does not permit this request (HTTP ${err.status} from ${this.endpoint}: "${redactSecrets(alpacaErrorBody(err).message)}"); ` +
        `free keys need feed=iex, or an end at least 15 minutes ago for feed=sip (feed sent: ${this.options.feed ?? 'iex'})`,
      { cause: err },
    );
  }

  /** Fetches every page of one multi-symbol request and merges the pages per symbol. */
  private async fetchChunk(symbols: string[], request: BarRequest): Promise<Map<string, Bar[]>> {
    const wanted = new Set(symbols);
    const out = new Map<string, Bar[]>();
    const query: WireBarsQuery = {
      symbols: symbols.join(','),
      timeframe: formatTimeFrame(request.timeFrame),
      start: rfc3339(request.start),
      end: rfc3339(request.end),
      limit: String(this.limit),
      adjustment: this.options.adjustment ?? 'split',
      feed: this.options.feed ?? 'iex',
      sort: 'asc',
    };
    let token: string | null = null;
    let pages = 0;
    do {
      // every page repeats the same parameters; only the token changes
      const page = await this.client.getStockBars(token === null ? query : { ...query, page_token: token });
      pages++;
      for (const [symbol, list] of Object.entries(page.bars ?? {})) {
        if (!wanted.has(symbol) || !list) continue;
        const acc = out.get(symbol) ?? [];
        out.set(symbol, acc);
        for (let i = 0; i < list.length; i++) acc.push(toBar(symbol, list[i]!, `bars.${symbol}[${i}]`));
      }
      if (page.next_page_token !== null && page.next_page_token === token) {
        throw new MalformedResponseError(`${this.endpoint} returned the same next_page_token twice (page ${pages}); stopping to avoid a loop`, 200);
      }
      token = page.next_page_token;
    } while (token !== null && token !== '');
    return out;
  }
}
