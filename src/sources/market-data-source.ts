import type { Bar, SymbolFailure } from '../core/types.js';
import type { TimeFrame } from '../core/time-frame.js';

/** What a bar request asks for. */
export interface BarRequest {
  symbols: string[];
  start: Date;
  end: Date;
  timeFrame: TimeFrame;
}

/** What a source noticed about its input while reading it (reported in the backfill summary). */
export interface BarQualityReport {
  /** Input rows that repeated a (symbol, date) already read, merged into one bar. */
  duplicatesMerged: number;
  /** Repeated (symbol, date) rows whose values differ: the last one in the input was kept. */
  conflictingDuplicates: Array<{ symbol: string; date: string; rows: number }>;
  /** `all`: open/high/low/close scaled by adj_close/close and volume inversely; `none`: raw prices. */
  adjusted: 'all' | 'none';
}

/** Bars per symbol plus the symbols that failed (never silently dropped). */
export interface BarResult {
  bars: Map<string, Bar[]>;
  failures: SymbolFailure[];
  /** Input quality of the requested symbols, where the source can tell. */
  quality?: BarQualityReport;
}

/** How prices are adjusted for splits and dividends: `all` (as Yahoo's auto-adjust) or `none` (raw). */
export type PriceAdjustment = 'all' | 'none';

/** Progress callback: `done` of `total` symbols finished. */
export type ProgressFn = (done: number, total: number) => void;

/** Port for any source of OHLCV bars (Alpaca, Yahoo, CSV, synthetic). */
export interface MarketDataSource {
  readonly name: string;
  fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult>;
}
