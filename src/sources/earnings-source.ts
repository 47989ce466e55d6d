import type { EarningsEvent, SymbolFailure } from '../core/types.js';
import type { ProgressFn } from './market-data-source.js';

/** Earnings events in a date range, plus dates or symbols that failed. */
export interface EarningsResult {
  events: EarningsEvent[];
  /** Failures keyed by symbol, or by `date:YYYY-MM-DD` for calendar sources that fetch per day. */
  failures: SymbolFailure[];
}

/** Port for earnings calendars (Nasdaq, synthetic). */
export interface EarningsSource {
  readonly name: string;
  fetchEarnings(symbols: string[], start: Date, end: Date, onProgress?: ProgressFn): Promise<EarningsResult>;
}
