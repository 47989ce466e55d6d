import type { Bar, SymbolFailure } from '../core/types.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { redactSecrets, registerSecret } from '../core/redact.js';
import type { BarRequest, BarResult, MarketDataSource, ProgressFn } from './market-data-source.js';
import { HttpClientError, MalformedResponseError } from '../core/http/http-error.js';
import { describeUrl, getJson } from '../core/http/http-json.js';
import { RetriesExhaustedError, withRetries, type RetryOptions } from '../core/http/retry.js';

/** Options of the Alpaca Market Data v2 bars source. */
export interface AlpacaMarketDataOptions extends RetryOptions {
  keyId: string;
  secretKey: string;
  /** Default `https://data.alpaca.markets`. */
  baseUrl?: string;
  /** `iex` (default; the only feed a free key may query for recent data) or `sip`. */
  feed?: string;
  /** `split` (default, as the seed), `raw`, `dividend`, `all`, … */
  adjustment?: string;
  /** Symbols per request; each request is paged on its own (default 100). */
  symbolsPerRequest?: number;
  /** Data points per page, summed over all symbols (1–10000, default 10000). */
  limit?: number;
  /** Transport seam; defaults to global fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The credentials were refused: no request can succeed, so the whole fetch stops with this. */
export class AlpacaNotAuthorizedError extends Error {}

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
  bars?: Record<string, WireBar[] | null> | null;
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
  private readonly endpoint: string;
  private readonly limit: number;
  private readonly chunkSize: number;

  constructor(private readonly options: AlpacaMarketDataOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://data.alpaca.markets').replace(/\/+$/, '');
    this.endpoint = describeUrl(`${this.baseUrl}/v2/stocks/bars`);
    this.limit = options.limit ?? 10_000;
    this.chunkSize = options.symbolsPerRequest ?? 100;
    if (!Number.isInteger(this.limit) || this.limit < 1 || this.limit > 10_000) {
      throw new Error(`Alpaca bars: limit must be an integer from 1 to 10000, got ${options.limit}`);
    }
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) {
      throw new Error(`Alpaca bars: symbolsPerRequest must be a positive integer, got ${options.symbolsPerRequest}`);
    }
    registerSecret(options.secretKey);
    registerSecret(options.keyId);
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
        const fatal = this.fatalError(err);
        if (fatal) throw fatal;
        const attempts = err instanceof RetriesExhaustedError ? err.attempts : 1;
        const reason = redactSecrets((err as Error).message);
        for (const w of chunk) for (const s of byWire.get(w)!) failures.push({ symbol: s, reason, attempts });
      }
      done += chunk.reduce((n, w) => n + byWire.get(w)!.length, 0);
      onProgress?.(Math.min(done, total), total);
    }
    return { bars, failures };
  }

  /** Errors no other request could escape (bad keys, plan entitlement) become one clear error for the whole fetch. */
  private fatalError(err: unknown): Error | undefined {
    if (!(err instanceof HttpClientError)) return undefined;
    const body = parseErrorBody(err.body);
    if ((err.status === 403 || err.status === 422) && (body.code === 42210000 || /subscription/i.test(body.message))) {
      return new Error(
        `Alpaca market data: the subscription does not permit this request (HTTP ${err.status} from ${this.endpoint}: "${redactSecrets(body.message)}"); ` +
          `free keys need feed=iex, or an end at least 15 minutes ago for feed=sip (feed sent: ${this.options.feed ?? 'iex'})`,
        { cause: err },
      );
    }
    if (err.status === 401 || err.status === 403) {
      return new AlpacaNotAuthorizedError(
        `Alpaca market data: not authorized (HTTP ${err.status} from ${this.endpoint}): check ALPACA_KEY and ALPACA_SECRET ` +
          `(key id and secret of the same paper or live account; paper keys work for market data)`,
        { cause: err },
      );
    }
    return undefined;
  }

  /** Fetches every page of one multi-symbol request and merges the pages per symbol. */
  private async fetchChunk(symbols: string[], request: BarRequest): Promise<Map<string, Bar[]>> {
    const wanted = new Set(symbols);
    const out = new Map<string, Bar[]>();
    const params = new URLSearchParams({
      symbols: symbols.join(','),
      timeframe: formatTimeFrame(request.timeFrame),
      start: rfc3339(request.start),
      end: rfc3339(request.end),
      limit: String(this.limit),
      adjustment: this.options.adjustment ?? 'split',
      feed: this.options.feed ?? 'iex',
      sort: 'asc',
    });
    const headers = { 'APCA-API-KEY-ID': this.options.keyId, 'APCA-API-SECRET-KEY': this.options.secretKey };
    let token: string | null = null;
    let pages = 0;
    do {
      // every page repeats the same parameters; only the token changes
      if (token !== null) params.set('page_token', token);
      const url = `${this.baseUrl}/v2/stocks/bars?${params}`;
      const body = await withRetries(() => getJson<unknown>(url, { headers, fetch: this.options.fetch, timeoutMs: this.options.timeoutMs }), this.options);
      const page = this.checkPage(body, ++pages);
      for (const [symbol, list] of Object.entries(page.bars ?? {})) {
        if (!wanted.has(symbol) || !list) continue;
        const acc = out.get(symbol) ?? [];
        out.set(symbol, acc);
        for (let i = 0; i < list.length; i++) acc.push(this.toBar(symbol, list[i]!, i));
      }
      if (page.next_page_token !== null && page.next_page_token === token) {
        throw new MalformedResponseError(`${this.endpoint} returned the same next_page_token twice (page ${pages}); stopping to avoid a loop`, 200);
      }
      token = page.next_page_token;
    } while (token !== null && token !== '');
    return out;
  }

  /** Checks the page envelope: `next_page_token` string or null, `bars` an object of arrays (or null/absent). */
  private checkPage(body: unknown, page: number): WireBarsPage {
    const bad = (what: string) =>
      new MalformedResponseError(`unexpected answer from ${this.endpoint} (page ${page}): ${what}; expected {"bars": {SYMBOL: [bar…]}, "next_page_token": string|null}`, 200);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('not a JSON object');
    const p = body as Record<string, unknown>;
    if (!('next_page_token' in p)) throw bad('no next_page_token field');
    if (p.next_page_token !== null && typeof p.next_page_token !== 'string') throw bad('next_page_token is neither a string nor null');
    if (p.bars !== undefined && p.bars !== null && (typeof p.bars !== 'object' || Array.isArray(p.bars))) throw bad('bars is not an object');
    for (const [s, list] of Object.entries((p.bars ?? {}) as Record<string, unknown>)) {
      if (list !== null && !Array.isArray(list)) throw bad(`bars.${s} is not an array`);
    }
    return p as unknown as WireBarsPage;
  }

  /** Converts one wire bar, refusing missing or non-numeric fields rather than storing NaN. */
  private toBar(symbol: string, b: WireBar, index: number): Bar {
    const raw = b as unknown as Record<string, unknown>;
    const timestamp = new Date(typeof raw.t === 'string' ? raw.t : NaN);
    const bad = (field: string) =>
      new MalformedResponseError(`unexpected bar ${index} of ${symbol} from ${this.endpoint}: field ${field} is ${JSON.stringify(raw[field])}`, 200);
    if (Number.isNaN(timestamp.getTime())) throw bad('t');
    for (const f of ['o', 'h', 'l', 'c', 'v']) if (typeof raw[f] !== 'number' || !Number.isFinite(raw[f])) throw bad(f);
    const bar: Bar = { symbol, timestamp, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v };
    if (typeof raw.n === 'number') bar.tradeCount = b.n;
    if (typeof raw.vw === 'number') bar.vwap = b.vw;
    return bar;
  }
}

/** RFC-3339 in UTC, whole seconds when there are no milliseconds (`2024-01-02T05:00:00Z`). */
function rfc3339(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

/** Alpaca's error body `{code, message}`; the raw text when it is not JSON. */
function parseErrorBody(text: string | undefined): { code?: number; message: string } {
  try {
    const j = JSON.parse(text ?? '') as { code?: unknown; message?: unknown };
    return { code: typeof j.code === 'number' ? j.code : undefined, message: typeof j.message === 'string' ? j.message : String(text) };
  } catch {
    return { message: text ?? '' };
  }
}
