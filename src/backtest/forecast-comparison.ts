/** Comparing two forecasters on the same rows: per-row losses and the Diebold–Mariano test of equal loss. */
import type { PredictionTable } from '../core/prediction-table.js';
import { rowsByTime } from '../core/prediction-table.js';
import { normalCdf } from '../core/stats.js';

/** Per row: the mean quantile loss over its known steps and all quantiles (2 × pinball; NaN when nothing is known). */
export function rowLosses(t: PredictionTable): Float64Array {
  const H = t.horizon;
  const nQ = t.quantiles.length;
  const out = new Float64Array(t.currentY.length);
  for (let r = 0; r < out.length; r++) {
    let sum = 0;
    let n = 0;
    for (let h = 0; h < H; h++) {
      const y = t.y[r * H + h]!;
      if (!Number.isFinite(y)) continue;
      for (let k = 0; k < nQ; k++) {
        const e = y - t.pred[(r * H + h) * nQ + k]!;
        sum += 2 * Math.max(t.quantiles[k]! * e, (t.quantiles[k]! - 1) * e);
        n++;
      }
    }
    out[r] = n ? sum / n : NaN;
  }
  return out;
}

/** The result of a Diebold–Mariano test: `meanDiff` < 0 means the first forecaster has the lower loss. */
export interface DieboldMariano {
  meanDiff: number;
  statistic: number;
  pValue: number;
  days: number;
}

/**
 * Diebold–Mariano test of equal mean quantile loss of two forecasters over the same rows (`a` and `b` row-aligned):
 * the loss difference is averaged over each day's symbols, and its mean is tested with a Newey–West variance of
 * lag `horizon − 1` (forecasts of overlapping horizons are correlated). Two-sided p-value, normal approximation.
 */
export function dieboldMariano(a: PredictionTable, b: PredictionTable): DieboldMariano {
  const la = rowLosses(a);
  const lb = rowLosses(b);
  const daily: number[] = [];
  for (const { rows } of rowsByTime(a)) {
    let sum = 0;
    let n = 0;
    for (const r of rows) {
      const d = la[r]! - lb[r]!;
      if (Number.isFinite(d)) {
        sum += d;
        n++;
      }
    }
    if (n > 0) daily.push(sum / n);
  }
  return dmStatistic(daily, a.horizon - 1);
}

/** The DM statistic of a series of loss differences with a Bartlett-weighted (Newey–West) long-run variance. */
export function dmStatistic(d: number[], lag: number): DieboldMariano {
  const T = d.length;
  if (T < 2) return { meanDiff: T ? d[0]! : NaN, statistic: NaN, pValue: NaN, days: T };
  const mean = d.reduce((x, y) => x + y, 0) / T;
  const gamma = (k: number) => {
    let s = 0;
    for (let t = k; t < T; t++) s += (d[t]! - mean) * (d[t - k]! - mean);
    return s / T;
  };
  let lrv = gamma(0);
  for (let k = 1; k <= Math.min(lag, T - 1); k++) lrv += 2 * (1 - k / (lag + 1)) * gamma(k);
  if (!(lrv > 0)) return { meanDiff: mean, statistic: NaN, pValue: NaN, days: T };
  const statistic = mean / Math.sqrt(lrv / T);
  return { meanDiff: mean, statistic, pValue: 2 * (1 - normalCdf(Math.abs(statistic))), days: T };
}
