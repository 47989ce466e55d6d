import type { EarningsEvent, SymbolFailure } from '../core/types.js';
import { addDays, nyDate, weekdayOf } from '../core/ny-time.js';
import type { EarningsResult, EarningsSource } from './earnings-source.js';
import type { ProgressFn } from './market-data-source.js';
import { getJson } from '../core/http/http-json.js';
import { RetriesExhaustedError, withRetries, type RetryOptions } from '../core/http/retry.js';
import { normalizeTicker, parseNasdaqEarningsDay } from './nasdaq-parse.js';

/** Options of the Nasdaq earnings-calendar source. */
export interface NasdaqEarningsOptions extends RetryOptions {
  /** Default `https://api.nasdaq.com`. */
  baseUrl?: string;
  /** Dates fetched at once (default 4): Nasdaq publishes no limit, so stay gentle. */
  concurrency?: number;
  /** Per-request timeout (default 20 s); the seed's package had none and could hang. */
  timeoutMs?: number;
  /** Transport seam; defaults to global fetch. */
  fetch?: typeof fetch;
}

/** The browser-like headers `finance_calendars` sends; Nasdaq is reported to block clients without them. */
function browserHeaders(baseUrl: string): Record<string, string> {
  return {
    accept: 'application/json, text/plain, */*',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0.4103.116 Safari/537.36',
    origin: 'https://www.nasdaq.com',
    referer: 'https://www.nasdaq.com/',
    'accept-language': 'en-US,en;q=0.9',
    'sec-fetch-site': 'same-site',
    'sec-fetch-mode': 'cors',
    'sec-fetch-dest': 'empty',
    authority: new URL(baseUrl).host,
  };
}

/** Weekdays (New-York dates) from the day of `start` to the day of `end`, inclusive. */
export function weekdaysBetween(start: Date, end: Date): string[] {
  const days: string[] = [];
  const last = nyDate(end);
  for (let d = nyDate(start); d <= last; d = addDays(d, 1)) if (weekdayOf(d) < 5) days.push(d);
  return days;
}

/** The seed's earnings source: Nasdaq's calendar, one request per weekday, bounded concurrency and retries. */
export class NasdaqEarningsSource implements EarningsSource {
  readonly name = 'nasdaq';
  private readonly baseUrl: string;

  constructor(private readonly options: NasdaqEarningsOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://api.nasdaq.com').replace(/\/+$/, '');
  }

  /** {@inheritDoc EarningsSource.fetchEarnings} */
  async fetchEarnings(symbols: string[], start: Date, end: Date, onProgress?: ProgressFn): Promise<EarningsResult> {
    const wanted = new Map<string, string[]>();
    for (const s of new Set(symbols)) wanted.set(normalizeTicker(s), [...(wanted.get(normalizeTicker(s)) ?? []), s]);
    const days = weekdaysBetween(start, end);
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
          const attempts = err instanceof RetriesExhaustedError ? err.attempts : 1;
          failures.push({ symbol: `date:${day}`, reason: (err as Error).message, attempts });
        }
        onProgress?.(++done, days.length);
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency ?? 4, days.length));
    await Promise.all(Array.from({ length: workers }, worker));
    // workers finish out of order; sort so results do not depend on timing
    events.sort((a, b) => a.date.localeCompare(b.date) || a.symbol.localeCompare(b.symbol));
    failures.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return { events, failures };
  }

  /** One day's rows for the wanted symbols; throws after retries, or when the answer is not the calendar JSON. */
  private async fetchDay(day: string, wanted: Map<string, string[]>): Promise<EarningsEvent[]> {
    const url = `${this.baseUrl}/api/calendar/earnings?date=${day}`;
    const headers = browserHeaders(this.baseUrl);
    const body = await withRetries(
      () => getJson<unknown>(url, { headers, fetch: this.options.fetch, timeoutMs: this.options.timeoutMs ?? 20_000 }),
      this.options,
    );
    return parseNasdaqEarningsDay(body, day, wanted);
  }
}
