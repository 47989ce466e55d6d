import type { PredictionTable } from '../core/prediction-table.js';
import { quantileIndices, rowsByTime } from '../core/prediction-table.js';
import { pearson, spearman } from '../core/stats.js';

/** How good the forecasts are, independent of any strategy. */
export interface ForecastQuality {
  /** Mean quantile loss in target units (pytorch-forecasting's definition). */
  quantileLoss: number;
  /** Share of realised values inside the outer quantile band, beside its nominal width (0.4 for p30–p70). */
  bandCoverage: number;
  nominalCoverage: number;
  /** Daily cross-sectional correlation of predicted and realised return at the first step. */
  ic: { mean: number; std: number; icir: number; days: number };
  rankIc: { mean: number; std: number; icir: number; days: number };
  /** Per-day IC, for the report's chart. */
  icByDay: Array<{ time: number; ic: number; rankIc: number }>;
  /** MAE of the median forecast and of the naive last-value forecast, over all steps. */
  mae: number;
  naiveMae: number;
  /** Calibration: the share of realised values below each forecast quantile (ideal: the quantile itself). */
  calibration: Array<{ quantile: number; observed: number }>;
}

/** Forecast-quality figures of a predictions table (rows with unknown outcomes are skipped). */
export function forecastQuality(t: PredictionTable): ForecastQuality {
  const nQ = t.quantiles.length;
  const H = t.horizon;
  const { mid, low, high } = quantileIndices(t.quantiles);
  let ql = 0;
  let qn = 0;
  let inside = 0;
  let n = 0;
  let ae = 0;
  let naive = 0;
  const below = new Array<number>(nQ).fill(0);
  for (let r = 0; r < t.currentY.length; r++) {
    for (let h = 0; h < H; h++) {
      const y = t.y[r * H + h]!;
      if (!Number.isFinite(y)) continue;
      const base = (r * H + h) * nQ;
      t.quantiles.forEach((q, k) => {
        if (y < t.pred[base + k]!) below[k] = below[k]! + 1;
        const e = y - t.pred[base + k]!;
        ql += 2 * Math.max(q * e, (q - 1) * e);
        qn++;
      });
      if (y >= t.pred[base + low]! && y <= t.pred[base + high]!) inside++;
      ae += Math.abs(y - t.pred[base + mid]!);
      naive += Math.abs(y - t.currentY[r]!);
      n++;
    }
  }
  const icByDay: ForecastQuality['icByDay'] = [];
  for (const { time, rows } of rowsByTime(t)) {
    const predicted: number[] = [];
    const realised: number[] = [];
    for (const r of rows) {
      const y = t.y[r * H]!;
      const cur = t.currentY[r]!;
      if (!Number.isFinite(y) || !(cur > 0)) continue;
      predicted.push(t.pred[r * H * nQ + mid]! / cur - 1);
      realised.push(y / cur - 1);
    }
    if (predicted.length < 3) continue;
    const ic = pearson(predicted, realised);
    const rankIc = spearman(predicted, realised);
    if (Number.isFinite(ic) && Number.isFinite(rankIc)) icByDay.push({ time, ic, rankIc });
  }
  return {
    quantileLoss: qn ? ql / qn : NaN,
    bandCoverage: n ? inside / n : NaN,
    nominalCoverage: t.quantiles[high]! - t.quantiles[low]!,
    ic: summary(icByDay.map((d) => d.ic)),
    rankIc: summary(icByDay.map((d) => d.rankIc)),
    icByDay,
    mae: n ? ae / n : NaN,
    naiveMae: n ? naive / n : NaN,
    calibration: t.quantiles.map((q, k) => ({ quantile: q, observed: n ? below[k]! / n : NaN })),
  };
}

function summary(xs: number[]): { mean: number; std: number; icir: number; days: number } {
  const n = xs.length;
  const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, std, icir: std > 0 ? mean / std : NaN, days: n };
}
