/**
 * A predictions table in columns: one row per (symbol, decision time). `currentY` is the target at decision time
 * (the last encoder step); `y[h]` the realised target h + 1 steps later (NaN where not yet known); `pred` the
 * forecast quantiles of each step. This is the in-memory form of the predictions Parquet.
 */
export interface PredictionTable {
  quantiles: number[];
  horizon: number;
  symbols: string[];
  /** Epoch ms of each row's decision time. */
  timestamps: Float64Array;
  currentY: Float64Array;
  /** [rows × horizon] */
  y: Float64Array;
  /** [rows × horizon × nQuantiles] */
  pred: Float64Array;
  /**
   * The model's own target (`open`, `close`, `log_return_open`, `log_return_close`) when known. The values above
   * are prices either way: a log-return model's quantiles are cumulated into prices before they land here.
   */
  modelTarget?: string;
}

/** Column name of a quantile, as the seed spells it: 0.3 → `y_pred_p30`. */
export function quantileColumn(q: number): string {
  return `y_pred_p${Math.round(q * 100)}`;
}

/** Row indices grouped by decision time, in time order. */
export function rowsByTime(table: PredictionTable): Array<{ time: number; rows: number[] }> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < table.timestamps.length; i++) {
    const t = table.timestamps[i]!;
    let g = groups.get(t);
    if (!g) groups.set(t, (g = []));
    g.push(i);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([time, rows]) => ({ time, rows }));
}

/** Index of the median (or the quantile closest to 0.5) and of the outermost quantiles. */
export function quantileIndices(quantiles: number[]): { mid: number; low: number; high: number } {
  let mid = 0;
  quantiles.forEach((q, i) => {
    if (Math.abs(q - 0.5) < Math.abs(quantiles[mid]! - 0.5)) mid = i;
  });
  return { mid, low: 0, high: quantiles.length - 1 };
}
