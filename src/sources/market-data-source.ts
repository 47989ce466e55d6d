import type { Bar, SymbolFailure } from '../core/types.js';
import type { TimeFrame } from '../core/time-frame.js';

/** What a bar request asks for. */
export interface BarRequest {
  symbols: string[];
  start: Date;
  end: Date;
  timeFrame: TimeFrame;
}

/** Bars per symbol plus the symbols that failed (never silently dropped). */
export interface BarResult {
  bars: Map<string, Bar[]>;
  failures: SymbolFailure[];
}

/** Progress callback: `done` of `total` symbols finished. */
export type ProgressFn = (done: number, total: number) => void;

/** Port for any source of OHLCV bars (Alpaca, Yahoo, CSV, synthetic). */
export interface MarketDataSource {
  readonly name: string;
  fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult>;
}
