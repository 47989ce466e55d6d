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

/** A table of the given rows only, in that order. */
export function selectRows(t: PredictionTable, rows: ArrayLike<number>): PredictionTable {
  const H = t.horizon;
  const nQ = t.quantiles.length;
  const n = rows.length;
  const out: PredictionTable = { quantiles: t.quantiles, horizon: H, symbols: new Array<string>(n), timestamps: new Float64Array(n), currentY: new Float64Array(n), y: new Float64Array(n * H), pred: new Float64Array(n * H * nQ) };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    out.symbols[i] = t.symbols[r]!;
    out.timestamps[i] = t.timestamps[r]!;
    out.currentY[i] = t.currentY[r]!;
    out.y.set(t.y.subarray(r * H, (r + 1) * H), i * H);
    out.pred.set(t.pred.subarray(r * H * nQ, (r + 1) * H * nQ), i * H * nQ);
  }
  return out;
}

/** The rows whose decision time passes `keep`. */
export function rowsWhere(t: PredictionTable, keep: (time: number, symbol: string) => boolean): number[] {
  const rows: number[] = [];
  for (let r = 0; r < t.timestamps.length; r++) if (keep(t.timestamps[r]!, t.symbols[r]!)) rows.push(r);
  return rows;
}

/** Key of a row: its symbol and decision time. */
export function rowKey(t: PredictionTable, r: number): string {
  return `${t.symbols[r]}|${t.timestamps[r]}`;
}

/** For each key, the row of `t` that has it (−1 when none). */
export function rowsByKey(t: PredictionTable, keys: string[]): Int32Array {
  const at = new Map<string, number>();
  for (let r = 0; r < t.timestamps.length; r++) at.set(rowKey(t, r), r);
  return Int32Array.from(keys, (k) => at.get(k) ?? -1);
}

/** Concatenates tables of the same quantiles and horizon (walk-forward folds). */
export function concatTables(tables: PredictionTable[]): PredictionTable {
  if (tables.length === 0) throw new Error('nothing to concatenate');
  const [first] = tables as [PredictionTable];
  for (const t of tables) {
    if (t.horizon !== first.horizon || t.quantiles.join() !== first.quantiles.join()) throw new Error('tables of different horizons or quantiles cannot be concatenated');
  }
  const cat = (pick: (t: PredictionTable) => Float64Array) => {
    const out = new Float64Array(tables.reduce((a, t) => a + pick(t).length, 0));
    let at = 0;
    for (const t of tables) {
      out.set(pick(t), at);
      at += pick(t).length;
    }
    return out;
  };
  return { quantiles: first.quantiles, horizon: first.horizon, symbols: tables.flatMap((t) => t.symbols), timestamps: cat((t) => t.timestamps), currentY: cat((t) => t.currentY), y: cat((t) => t.y), pred: cat((t) => t.pred) };
}
