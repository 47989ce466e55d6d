import type { WideFrame } from '../core/wide-frame.js';
import type { SourceChange } from './feature-provenance.js';

/**
 * Long-format rows of one time frame, column-wise, several features at once. Every feature in `values` has a
 * value for every row; NaN is stored as the string 'NaN' (a known row whose value is unknown).
 */
export interface FeatureBatch {
  timeFrame: string;
  /** Symbol of each row. */
  symbols: string[];
  /** Epoch milliseconds (UTC) of each row. */
  timestamps: Float64Array;
  /** New-York trading date (`YYYY-MM-DD`) of each row. */
  dates: string[];
  /** Feature name → value of each row. */
  values: Map<string, Float64Array>;
  /** When these values were observed; a newer value replaces an older one for the same symbol and timestamp. */
  updatedAt: Date;
  /**
   * The source that produced the rows (synthetic, csv, alpaca, yahoo, nasdaq): checked against and recorded in
   * the store's provenance (store/feature-provenance.ts). Every command sets it; a batch without one (test
   * fixtures, benchmarks) is neither checked nor recorded.
   */
  source?: string;
  /** Let real symbols switch from the real source recorded to this one (recorded, and reported in the summary). */
  allowSourceChange?: boolean;
}

/** What a write changed, per feature. */
export interface WriteSummary {
  /** Feature → rows that were inserted or replaced (0 for a repeated identical write). */
  changedRows: Map<string, number>;
  /** Parquet files rewritten. */
  filesWritten: number;
  /** Keys the batch gave twice with different values: none of their rows was written. */
  conflicts: DuplicateConflict[];
  /** Symbols this write switched from one real source to another (`allowSourceChange`). */
  sourceChanges?: SourceChange[];
}

/** A (symbol, time) a batch held more than once with different values; `values` lists them per differing feature. */
export interface DuplicateConflict {
  symbol: string;
  /** New-York trading date `YYYY-MM-DD`. */
  date: string;
  /** Epoch milliseconds (UTC). */
  timestamp: number;
  /** Feature → its distinct values, e.g. `{ open: '170.16 vs 171' }`. */
  values: Record<string, string>;
}

/** Which symbols and dates a feature already holds. */
export interface FeatureCoverage {
  symbol: string;
  firstDate: string;
  lastDate: string;
  rows: number;
}

/** What a wide query asks for. Dates are inclusive `YYYY-MM-DD` New-York trading dates. */
export interface WideQuery {
  features: string[];
  timeFrame: string;
  symbols?: string[];
  startDate?: string;
  endDate?: string;
}

/** Port: the feature store (the seed's uniform long format, read back as a typed wide frame). */
export interface FeatureStore {
  /** Merges rows idempotently: same rows twice → same content; newer values replace older ones. */
  write(batch: FeatureBatch): Promise<WriteSummary>;
  /** One row per (symbol, timestamp), one typed column per feature, rows sorted by symbol then time. */
  queryWide(query: WideQuery): Promise<WideFrame>;
  /** Per-symbol date coverage of one feature, for resuming and refreshing only what is missing. */
  coverage(feature: string, timeFrame: string): Promise<FeatureCoverage[]>;
  /** Feature → symbol → the source recorded as having written it (absent: nothing recorded). */
  recordedSources(features: string[], timeFrame: string): Promise<Map<string, Map<string, string>>>;
  close(): Promise<void>;
}
