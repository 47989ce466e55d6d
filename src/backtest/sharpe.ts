import { moments, normalCdf, normalInverse, twoSidedPValue } from '../core/stats.js';

const EULER_MASCHERONI = 0.5772156649015329;

/** Sharpe figures of a series of per-period returns. */
export interface SharpeFigures {
  /** Mean / standard deviation of the per-period returns. */
  perPeriod: number;
  /** Annualised from the real holding periods: perPeriod × √(periods per year). */
  annualised: number;
  /** The seed's formula, kept for comparison: perPeriod × √(number of periods) (right only for exactly one year). */
  seedAnnualSharpe: number;
  /** Two-sided p-value of the mean return being zero (t-test, n − 1 degrees of freedom). */
  pValue: number;
  periods: number;
}

/** Sharpe ratio of per-period returns, `periodsPerYear` derived from the actual holding periods. */
export function sharpe(returns: ArrayLike<number>, periodsPerYear: number): SharpeFigures {
  const m = moments(returns);
  const perPeriod = m.std > 0 ? m.mean / m.std : NaN;
  const t = m.std > 0 ? m.mean / (m.std / Math.sqrt(m.n)) : NaN;
  return {
    perPeriod,
    annualised: perPeriod * Math.sqrt(periodsPerYear),
    seedAnnualSharpe: perPeriod * Math.sqrt(m.n),
    pValue: m.n > 1 ? twoSidedPValue(t, m.n - 1) : NaN,
    periods: m.n,
  };
}

/**
 * Probabilistic Sharpe ratio (Bailey & López de Prado): the probability that the true per-period Sharpe exceeds
 * `benchmark`, given the observed one, the sample length and the returns' skewness and (non-excess) kurtosis.
 */
export function probabilisticSharpe(sr: number, benchmark: number, n: number, skew: number, kurtosis: number): number {
  const denom = Math.sqrt(1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr);
  return normalCdf(((sr - benchmark) * Math.sqrt(n - 1)) / denom);
}

/** The expected maximum per-period Sharpe of `trials` unskilled strategies whose Sharpes vary with `variance`. */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (trials < 2) return 0;
  return Math.sqrt(variance) * ((1 - EULER_MASCHERONI) * normalInverse(1 - 1 / trials) + EULER_MASCHERONI * normalInverse(1 - 1 / (trials * Math.E)));
}

/**
 * Deflated Sharpe ratio (Bailey & López de Prado, 2014): the probabilistic Sharpe of the best of `trials`
 * runs against the Sharpe that the best of that many unskilled runs would show. Near 1: skill; near 0.5 or
 * below: what trying many configurations produces by luck.
 */
export function deflatedSharpe(o: { sr: number; trials: number; varianceOfTrials: number; n: number; skew: number; kurtosis: number }): { dsr: number; benchmark: number } {
  const benchmark = expectedMaxSharpe(o.trials, o.varianceOfTrials);
  return { dsr: probabilisticSharpe(o.sr, benchmark, o.n, o.skew, o.kurtosis), benchmark };
}

/**
 * The deflated Sharpe ratio from annualised Sharpe ratios, so trials with different holding periods compare:
 * the expected best annualised Sharpe of `trials` unskilled runs (from the variance of the trials' annualised
 * Sharpes) is converted to the tested run's period (÷ √periodsPerYear) and fed to the probabilistic Sharpe
 * with that run's per-period Sharpe, sample length, skewness and kurtosis. `benchmark` is returned annualised.
 */
export function deflatedSharpeAnnualised(o: { annualised: number; periodsPerYear: number; trials: number; varianceOfTrials: number; n: number; skew: number; kurtosis: number }): { dsr: number; benchmark: number } {
  const root = Math.sqrt(o.periodsPerYear);
  const benchmark = expectedMaxSharpe(o.trials, o.varianceOfTrials);
  return { dsr: probabilisticSharpe(o.annualised / root, benchmark / root, o.n, o.skew, o.kurtosis), benchmark };
}

/** Largest peak-to-trough fall of an equity curve, as a positive fraction. */
export function maxDrawdown(equity: ArrayLike<number>): number {
  let peak = -Infinity;
  let worst = 0;
  for (let i = 0; i < equity.length; i++) {
    const v = equity[i]!;
    if (v > peak) peak = v;
    if (peak > 0) worst = Math.max(worst, (peak - v) / peak);
  }
  return worst;
}
