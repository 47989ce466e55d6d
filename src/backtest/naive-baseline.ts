import type { PredictionTable } from '../core/prediction-table.js';

/**
 * Mean quantile loss of the naive last-value forecast (every quantile = the value at decision time), over the
 * same rows and steps as `forecastQuality` (unknown outcomes skipped), in the same definition (2 × pinball).
 * For quantiles symmetric around 0.5 it equals the naive MAE; for others it does not.
 */
export function naiveQuantileLoss(t: PredictionTable): number {
  const H = t.horizon;
  let sum = 0;
  let n = 0;
  for (let r = 0; r < t.currentY.length; r++) {
    for (let h = 0; h < H; h++) {
      const y = t.y[r * H + h]!;
      if (!Number.isFinite(y)) continue;
      const e = y - t.currentY[r]!;
      for (const q of t.quantiles) sum += 2 * Math.max(q * e, (q - 1) * e);
      n += t.quantiles.length;
    }
  }
  return n ? sum / n : NaN;
}
