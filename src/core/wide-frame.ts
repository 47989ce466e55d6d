/**
 * The wide frame: one row per (symbol, timestamp), one typed column per feature, rows sorted by symbol then
 * timestamp. Built by the feature store (DuckDB pivot) or a CSV import; consumed by the dataset.
 */
export interface WideFrame {
  /** Distinct symbols; `symbolIndex` points into this array. */
  symbols: string[];
  /** Int32 [rows] index into `symbols`; rows of one symbol are contiguous and ascending in time. */
  symbolIndex: Int32Array;
  /** Float64 [rows] epoch milliseconds (UTC). */
  timestamps: Float64Array;
  /** Feature name → Float64 [rows]; NaN where the value is missing. Booleans are 0/1; ints are exact. */
  columns: Map<string, Float64Array>;
  /** Number of rows. */
  length: number;
}

/** Half-open row range [start, end) of each symbol in a sorted wide frame. */
export function symbolRowRanges(frame: WideFrame): Array<[number, number]> {
  const ranges: Array<[number, number]> = frame.symbols.map(() => [0, 0]);
  let i = 0;
  while (i < frame.length) {
    const s = frame.symbolIndex[i]!;
    let j = i + 1;
    while (j < frame.length && frame.symbolIndex[j] === s) j++;
    ranges[s] = [i, j];
    i = j;
  }
  return ranges;
}
