import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalInverse, pearson, ranks, spearman, studentTCdf, twoSidedPValue } from '../../src/core/stats.js';
import { deflatedSharpe, maxDrawdown, sharpe } from '../../src/backtest/sharpe.js';
import { forecastQuality } from '../../src/backtest/forecast-quality.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('normal and Student-t distributions against table values', () => {
  close(normalCdf(1.959964), 0.975, 1e-6);
  close(normalCdf(-1), 0.158655, 1e-6);
  close(normalInverse(0.975), 1.959964, 1e-6);
  close(normalInverse(0.01), -2.326348, 1e-6);
  // t(10) 0.975 quantile is 2.228139
  close(twoSidedPValue(2.228139, 10), 0.05, 1e-6);
  // df = 2 has the closed form F(t) = 1/2 + t / (2√(t² + 2))
  close(studentTCdf(1.5, 2), 0.5 + 1.5 / (2 * Math.sqrt(1.5 ** 2 + 2)), 1e-9);
});

test('Sharpe: annualised from real periods beside the seed formula, and its p-value', () => {
  const s = sharpe([0.01, 0.02, 0.03], 252);
  close(s.perPeriod, 2, 1e-12);
  close(s.annualised, 2 * Math.sqrt(252), 1e-9);
  close(s.seedAnnualSharpe, 2 * Math.sqrt(3), 1e-9);
  // t = 0.02 / (0.01/√3) = √12 with 2 degrees of freedom: p = 1 − √12/√14
  close(s.pValue, 1 - Math.sqrt(12) / Math.sqrt(14), 1e-9);
});

test('max drawdown', () => {
  close(maxDrawdown([100, 120, 90, 130, 65]), 0.5, 1e-12);
  assert.equal(maxDrawdown([1, 2, 3]), 0);
});

test('deflated Sharpe: the worked example of Bailey & López de Prado (2014)', () => {
  // annualised SR 2.5 over 1250 daily returns, 100 trials whose annualised Sharpe variance is 0.5,
  // skewness −3, kurtosis 10: E[max SR] = 0.1132 (daily) and DSR = 0.9004 in the paper
  const r = deflatedSharpe({ sr: 2.5 / Math.sqrt(250), trials: 100, varianceOfTrials: 0.5 / 250, n: 1250, skew: -3, kurtosis: 10 });
  close(r.benchmark, 0.1132, 1e-4);
  close(r.dsr, 0.9004, 1e-4);
  // a lucky winner of many noisy tries deflates toward a coin flip
  assert.ok(deflatedSharpe({ sr: 0.05, trials: 30, varianceOfTrials: 0.05 ** 2, n: 250, skew: 0, kurtosis: 3 }).dsr < 0.6);
});

test('IC and Rank IC, with ties', () => {
  close(pearson([1, 2, 3], [2, 4, 6]), 1, 1e-12);
  assert.deepEqual([...ranks([1, 2, 2, 3])], [1, 2.5, 2.5, 4]);
  close(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 4.5 / Math.sqrt(22.5), 1e-12);
});

test('forecast quality: quantile loss, band coverage, IC and MAE by hand', () => {
  const day = Date.parse('2024-01-08T05:00:00Z');
  const q = forecastQuality({
    quantiles: [0.3, 0.5, 0.7],
    horizon: 1,
    symbols: ['A', 'B', 'C'],
    timestamps: Float64Array.of(day, day, day),
    currentY: Float64Array.of(100, 100, 100),
    y: Float64Array.of(110, 100, 90),
    // predicted medians 105, 100, 95: perfectly ordered with the outcomes
    pred: Float64Array.of(100, 105, 108, 98, 100, 102, 90, 95, 96),
  });
  // A: e = 10, 5, 2 → 6, 5, 2.8; B: 2·0.3·2 = 1.2, 0, 2·0.3·2 = 1.2; C: e = 0, −5, −6 → 0, 5, 3.6
  close(q.quantileLoss, (6 + 5 + 2.8 + 1.2 + 0 + 1.2 + 0 + 5 + 3.6) / 9, 1e-12);
  close(q.bandCoverage, 2 / 3, 1e-12); // A's 110 is above its p70 108
  close(q.nominalCoverage, 0.4, 1e-12);
  close(q.ic.mean, 1, 1e-12);
  close(q.rankIc.mean, 1, 1e-12);
  close(q.mae, 10 / 3, 1e-12);
  close(q.naiveMae, 20 / 3, 1e-12);
  // below p30: only C (90 < 90? no) → 0; below p50: C → 1/3; below p70: B and C → 2/3
  assert.deepEqual(q.calibration.map((c) => c.observed), [0, 1 / 3, 2 / 3]);
});
