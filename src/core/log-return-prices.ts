/**
 * Forecast quantiles of per-step log returns mapped to price quantiles over the horizon.
 *
 * A log-return model forecasts, for each step j = 1…H, quantiles q_j(τ) of that step's return r_j. The price
 * h steps ahead is P_h = P_0 · exp(r_1 + … + r_h), and exp is increasing, so the τ-quantile of P_h is
 * P_0 · exp(the τ-quantile of the sum). The sum of the per-step τ-quantiles is NOT the τ-quantile of the sum
 * (it is only for perfectly dependent steps, and then overstates the spread of nearly independent daily
 * returns by up to √h). We use:
 *
 *   center    m_h    = Σ_{j≤h} q_j(τ_mid)                     (τ_mid: the median, or the quantile nearest 0.5)
 *   deviation d_j(τ) = q_j(τ) − q_j(τ_mid)
 *   band      D_h(τ) = sign(Σ_{j≤h} d_j(τ)) · √(Σ_{j≤h} d_j(τ)²)
 *   price     P_h(τ) = P_0 · exp(m_h + D_h(τ))
 *
 * i.e. the median path plus per-step bands added in quadrature. It is exact when the steps are independent and
 * each is normal (any mean and variance): then d_j(τ) = z_τ·σ_j and the sum is normal with spread
 * z_τ·√(Σσ_j²). Daily log returns are close to uncorrelated, which is why independence is the assumption; their
 * fat tails make outer quantiles (beyond ~10/90 %) of multi-step sums somewhat too narrow. At h = 1 it is
 * exact with no assumption: P_1(τ) = P_0 · exp(q_1(τ)).
 */
import { quantileIndices } from './prediction-table.js';

/**
 * Maps log-return quantile forecasts to price quantiles, row by row: `pred[(r·H + h)·nQ + q]` holds the
 * τ_q-quantile of step h's log return; `current[r]` is the last known price. Returns the same layout in prices
 * (NaN where the current price is not a positive number).
 */
export function logReturnQuantilesToPrices(pred: ArrayLike<number>, current: ArrayLike<number>, horizon: number, quantiles: number[]): Float64Array {
  const nQ = quantiles.length;
  const { mid } = quantileIndices(quantiles);
  const out = new Float64Array(current.length * horizon * nQ);
  const sumSq = new Float64Array(nQ);
  const sum = new Float64Array(nQ);
  for (let r = 0; r < current.length; r++) {
    const p0 = current[r]!;
    let m = 0;
    sumSq.fill(0);
    sum.fill(0);
    for (let h = 0; h < horizon; h++) {
      const at = (r * horizon + h) * nQ;
      const qMid = pred[at + mid]!;
      m += qMid;
      for (let q = 0; q < nQ; q++) {
        const d = pred[at + q]! - qMid;
        sum[q] = sum[q]! + d;
        sumSq[q] = sumSq[q]! + d * d;
        out[at + q] = p0 > 0 ? p0 * Math.exp(m + Math.sign(sum[q]!) * Math.sqrt(sumSq[q]!)) : NaN;
      }
    }
  }
  return out;
}
