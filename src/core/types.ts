/** Domain records shared by sources, the feature store and the pipeline. */

/** One OHLCV bar of one symbol. `timestamp` is the bar's left edge in UTC (daily bars: New-York midnight). */
export interface Bar {
  symbol: string;
  timestamp: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Number of trades; absent where the source has none (CSV, Yahoo). */
  tradeCount?: number;
  /** Volume-weighted average price; absent where the source has none. */
  vwap?: number;
}

/** Scalar type of a feature's value, stored beside the string value in the long format. */
export type FeatureValueType = 'float' | 'int' | 'bool' | 'string';

/** One row of the seed's uniform long format. */
export interface FeatureRow {
  timestamp: Date;
  value: string;
  type: FeatureValueType;
  updatedTimestamp: Date;
  /** Trading date in New York, `YYYY-MM-DD`. */
  date: string;
  symbol: string;
  feature: string;
  /** `1Day`, `1Hour`, `10Min`, … */
  timeFrame: string;
}

/** An earnings report of one symbol on one New-York trading date. */
export interface EarningsEvent {
  symbol: string;
  /** `YYYY-MM-DD` */
  date: string;
  /** Surprise in percentage points (12.59 means actual EPS 12.59 % above the estimate); null when unknown. */
  surprise: number | null;
}

/** Why one symbol could not be fetched; collected rather than thrown so a backfill reports every failure. */
export interface SymbolFailure {
  symbol: string;
  reason: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
}

/** Inclusive date range; `start` and `end` are UTC instants. */
export interface DateRange {
  start: Date;
  end: Date;
}
