import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PredictionTable } from '../../src/core/prediction-table.js';
import { dmStatistic, dieboldMariano, rowLosses } from '../../src/backtest/forecast-comparison.js';
import { buyAndHold } from '../../src/backtest/benchmark.js';
import { deflatedSharpeAnnualised } from '../../src/backtest/sharpe.js';
import { alignBaseline, evaluatePredictions, verdictOf } from '../../src/backtest/evaluation.js';
import { runGrid } from '../../src/backtest/grid.js';
import { forecastQuality } from '../../src/backtest/forecast-quality.js';
import { strategyFromConfig } from '../../src/strategies/registry.js';
import { normalCdf } from '../../src/core/stats.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const DAY = 86_400_000;
const T0 = Date.parse('2024-01-08T05:00:00Z');

/** Rows [symbol, day, current, y, p30, p50, p70] of a horizon-1 table. */
function table(rows: Array<[string, number, number, number, number, number, number]>): PredictionTable {
  return {
    quantiles: [0.3, 0.5, 0.7],
    horizon: 1,
    symbols: rows.map((r) => r[0]),
    timestamps: Float64Array.from(rows, (r) => T0 + r[1] * DAY),
    currentY: Float64Array.from(rows, (r) => r[2]),
    y: Float64Array.from(rows, (r) => r[3]),
    pred: Float64Array.from(rows.flatMap((r) => [r[4], r[5], r[6]])),
  };
}

test('Diebold–Mariano: mean loss difference over a Newey–West variance, by hand', () => {
  const d = [1, -1, 2, 0];
  // mean 0.5; γ0 = (0.25 + 2.25 + 2.25 + 0.25) / 4 = 1.25; statistic 0.5 / √(1.25 / 4)
  const lag0 = dmStatistic(d, 0);
  close(lag0.statistic, 0.5 / Math.sqrt(1.25 / 4));
  close(lag0.pValue, 2 * (1 - normalCdf(0.5 / Math.sqrt(1.25 / 4))));
  // γ1 = ((−1.5)(0.5) + (1.5)(−1.5) + (−0.5)(1.5)) / 4 = −0.9375; LRV = 1.25 + 2·½·γ1 = 0.3125
  close(dmStatistic(d, 1).statistic, 0.5 / Math.sqrt(0.3125 / 4));
  assert.equal(dmStatistic([1], 0).days, 1);
  assert.ok(Number.isNaN(dmStatistic([1], 0).pValue));
});

test('row losses and the DM test of two forecasters on the same rows', () => {
  const a = table([['A', 0, 100, 110, 100, 105, 108], ['A', 1, 110, 100, 105, 110, 115]]);
  const b = table([['A', 0, 100, 110, 100, 100, 100], ['A', 1, 110, 100, 110, 110, 110]]);
  // a, row 0: e = 10, 5, 2 → 2·0.3·10 = 6, 2·0.5·5 = 5, 2·0.7·2 = 2.8 → mean 13.8/3
  close(rowLosses(a)[0]!, 13.8 / 3);
  // b, row 0: e = 10 for every quantile → 6, 10, 14 → 10
  close(rowLosses(b)[0]!, 10);
  const dm = dieboldMariano(a, b);
  assert.equal(dm.days, 2);
  assert.ok(dm.meanDiff < 0, 'a has the lower loss');
});

test('buy and hold pays the same costs and is shown before and after the tax on its final gain', () => {
  const t = table([['A', 0, 100, NaN, 0, 0, 0], ['B', 0, 50, NaN, 0, 0, 0], ['A', 1, 110, NaN, 0, 0, 0], ['B', 1, 60, NaN, 0, 0, 0]]);
  const b = buyAndHold(t, [T0, T0 + DAY], { startingMoney: 1000, capitalGainsTax: 0.5, costBps: 10 })!;
  // gross 1000 → 500·1.1 + 500·1.2 = 1150; bought at ·1.001, sold at ·0.999
  close(b.equity[0]!, (1000 * 0.999) / 1.001);
  close(b.finalMoney, (1150 * 0.999) / 1.001);
  close(b.afterTax.finalMoney, b.finalMoney - 0.5 * (b.finalMoney - 1000));
  close(b.costFree.finalMoney, 1150);
  close(b.afterTax.totalReturn, b.afterTax.finalMoney / 1000 - 1);
});

test('deflated Sharpe from annualised Sharpe ratios reproduces Bailey & López de Prado (2014)', () => {
  // annualised SR 2.5 over 1250 daily returns, 100 trials with annualised Sharpe variance 0.5: DSR 0.9004
  const r = deflatedSharpeAnnualised({ annualised: 2.5, periodsPerYear: 250, trials: 100, varianceOfTrials: 0.5, n: 1250, skew: -3, kurtosis: 10 });
  close(r.dsr, 0.9004, 1e-4);
  close(r.benchmark, 0.1132 * Math.sqrt(250), 2e-3);
  // a two-day run (125 periods a year) with the same annualised figures is judged on its own period
  const slow = deflatedSharpeAnnualised({ annualised: 2.5, periodsPerYear: 125, trials: 100, varianceOfTrials: 0.5, n: 625, skew: -3, kurtosis: 10 });
  assert.ok(slow.dsr < r.dsr, 'half the periods: less evidence');
  close(slow.benchmark, r.benchmark);
});

test('the verdict names the baselines the model beats and does not beat, on quantile loss', () => {
  const model = table([['A', 0, 100, 110, 100, 105, 108], ['B', 0, 50, 45, 44, 46, 48], ['A', 1, 110, 100, 105, 110, 115], ['B', 1, 45, 46, 44, 45, 47]]);
  const naive = table([['A', 0, 100, 110, 100, 100, 100], ['B', 0, 50, 45, 50, 50, 50], ['A', 1, 110, 100, 110, 110, 110], ['B', 1, 45, 46, 45, 45, 45]]);
  const base = strategyFromConfig(undefined, { numStocksPurchased: 1, slippageBps: 0 });
  const perfect = { ...model, pred: Float64Array.from(Array.from(model.y).flatMap((y) => [y, y, y])) };
  const e = evaluatePredictions('m', model, base, { intervalDays: [1], numStocksPurchased: [1] }, [{ name: 'naive', table: naive }, { name: 'oracle', table: perfect }]);
  assert.deepEqual(e.verdict.beats, ['naive']);
  assert.deepEqual(e.verdict.doesNotBeat, ['oracle']);
  assert.equal(e.verdict.beatsAll, false);
  assert.match(e.verdict.sentence, /^The model beats naive but NOT oracle on the test range: quantile loss \d+\.\d{4} vs naive \d+\.\d{4} \(-\d+\.\d %, Diebold–Mariano p = 0\.\d{3}\), oracle 0\.0000/);
  assert.equal(e.baselines[0]!.grid.runs.length, 1, 'every strategy run on the baseline too');
  assert.equal(e.testRange.decisions, 2);
  assert.equal(e.testRange.symbols, 2);
  assert.equal(verdictOf(forecastQuality(model), []).sentence, 'no baseline was evaluated, so there is no verdict');
});

test('a baseline is aligned to the model rows, and a model row it lacks is an error', () => {
  const model = table([['A', 0, 100, 110, 100, 105, 108], ['B', 0, 50, 45, 44, 46, 48]]);
  const other = table([['B', 0, 50, 45, 1, 2, 3], ['A', 0, 100, 110, 4, 5, 6]]);
  const aligned = alignBaseline(model, other, 'naive');
  assert.deepEqual(aligned.symbols, ['A', 'B']);
  assert.deepEqual(Array.from(aligned.pred), [4, 5, 6, 1, 2, 3]);
  assert.throws(() => alignBaseline(model, table([['A', 0, 100, 110, 4, 5, 6]]), 'drift'), /baseline drift has no forecast for B at 2024-01-08T05:00:00\.000Z/);
});

test('each grid run also reports its result without costs', () => {
  const t = table([['A', 0, 100, 110, 100, 105, 108], ['A', 1, 110, 100, 105, 104, 115]]);
  const g = runGrid(t, strategyFromConfig(undefined, { numStocksPurchased: 1, capitalGainsTax: 0, slippageBps: 10 }), { intervalDays: [1], numStocksPurchased: [1] });
  const run = g.runs[0]!;
  // one period: bought A at 100·1.001, sold at 110·0.999
  close(run.result.finalMoney, (25_000 / 100.1) * 110 * 0.999);
  close(run.costFree.finalMoney, 25_000 * 1.1);
});
