import type { EarningsEvent, SymbolFailure } from '../core/types.js';
import { addDays, nyDate, weekdayOf } from '../core/ny-time.js';
import type { EarningsResult, EarningsSource } from './earnings-source.js';
import type { ProgressFn } from './market-data-source.js';
import { requestJson } from './http/http-json.js';
import { RetriesExhaustedError, withRetries, type RetryOptions } from './http/retry.js';
import { normalizeTicker, parseNasdaqEarningsDay } from './nasdaq-parse.js';

/** Options of the Nasdaq earnings-calendar source. */
export interface NasdaqEarningsOptions extends RetryOptions {
  baseUrl?: string;
  concurrency?: number;
  fetch?: typeof fetch;
}

// Nasdaq answers browsers; these are the headers the seed's package sends
const BROWSER_HEADERS = {
  accept: 'application/json, text/plain, */*',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  origin: 'https://www.nasdaq.com',
  referer: 'https://www.nasdaq.com/',
  'accept-language': 'en-US,en;q=0.9',
};

/** The seed's earnings source: Nasdaq's calendar, one request per weekday, bounded concurrency and retries. */
export class NasdaqEarningsSource implements EarningsSource {
  readonly name = 'nasdaq';
  private readonly baseUrl: string;

  constructor(private readonly options: NasdaqEarningsOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://api.nasdaq.com').replace(/\/+$/, '');
  }

  /** {@inheritDoc EarningsSource.fetchEarnings} */
  async fetchEarnings(symbols: string[], start: Date, end: Date, onProgress?: ProgressFn): Promise<EarningsResult> {
    const wanted = new Map(symbols.map((s) => [normalizeTicker(s), s]));
    const days: string[] = [];
    for (let d = nyDate(start); d <= nyDate(end); d = addDays(d, 1)) if (weekdayOf(d) < 5) days.push(d);
    const events: EarningsEvent[] = [];
    const failures: SymbolFailure[] = [];
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < days.length) {
        const day = days[next++]!;
        try {
          events.push(...(await this.fetchDay(day, wanted)));
        } catch (err) {
          failures.push({ symbol: `date:${day}`, reason: (err as Error).message, attempts: err instanceof RetriesExhaustedError ? err.attempts : 1 });
        }
        onProgress?.(++done, days.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 4, days.length) }, worker));
    events.sort((a, b) => (a.date === b.date ? a.symbol.localeCompare(b.symbol) : a.date.localeCompare(b.date)));
    failures.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return { events, failures };
  }

  private async fetchDay(day: string, wanted: Map<string, string>): Promise<EarningsEvent[]> {
    const url = `${this.baseUrl}/api/calendar/earnings?date=${day}`;
    const body = await withRetries(async () => (await requestJson<unknown>(url, { fetch: this.options.fetch, headers: BROWSER_HEADERS })).body, this.options);
    return parseNasdaqEarningsDay(body, day, wanted);
  }
}
