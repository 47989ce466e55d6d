import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PredictionTable } from '../../src/core/prediction-table.js';
import { simulate } from '../../src/backtest/simulator.js';
import { pickSimpleXDaysAhead } from '../../src/strategies/simple-x-days-ahead-buying.js';
import type { SimpleXDaysAheadSettings } from '../../src/strategies/strategy-settings.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-08T05:00:00Z'); // a Monday

/**
 * Two symbols over three decision days, horizon 2, quantiles p30/p50/p70.
 * Row: [symbol, day, currentY, y1, y2, [p30,p50,p70] step 1, [p30,p50,p70] step 2]
 */
type Row = [string, number, number, number, number, number[], number[]];
const ROWS: Row[] = [
  ['A', 0, 100, 105, 104, [90, 110, 130], [90, 112, 130]],
  ['B', 0, 50, 52, 53, [50, 51, 52], [50, 51.5, 53]],
  ['A', 1, 105, 104, 106, [95, 100, 105], [95, 101, 106]],
  ['B', 1, 52, 49.4, 50, [51, 53, 54], [51, 53.5, 55]],
  ['A', 2, 104, NaN, NaN, [100, 106, 110], [100, 107, 111]],
  ['B', 2, 49.4, NaN, NaN, [48, 50, 51], [48, 50.5, 52]],
];

function table(rows: Row[] = ROWS): PredictionTable {
  return {
    quantiles: [0.3, 0.5, 0.7],
    horizon: 2,
    symbols: rows.map((r) => r[0]),
    timestamps: Float64Array.from(rows.map((r) => T0 + r[1] * DAY)),
    currentY: Float64Array.from(rows.map((r) => r[2])),
    y: Float64Array.from(rows.flatMap((r) => [r[3], r[4]])),
    pred: Float64Array.from(rows.flatMap((r) => [...r[5], ...r[6]])),
  };
}
const base: SimpleXDaysAheadSettings = {
  name: 'SimpleXDaysAheadBuying',
  startingMoney: 25_000,
  transactionCostBps: 0,
  slippageBps: 0,
  intervalDays: 1,
  numStocksPurchased: 1,
  capitalGainsTax: 0,
  compoundMoney: true,
  dontBuyNegativeStocks: true,
  uncertaintyMultiplier: 0,
};
const run = (p: Partial<SimpleXDaysAheadSettings>, t = table()) => simulate(t, { ...base, ...p });

test('one stock per period, compounding, no tax: money by hand', () => {
  const r = run({});
  // day 0: A +10 % predicted beats B +2 % → 25000·105/100; day 1: A predicted −4.8 % is skipped, B bought → ·49.4/52
  assert.deepEqual(r.periods.map((p) => p.symbols), [['A'], ['B']]);
  assert.ok(Math.abs(r.finalMoney - 25000 * 1.05 * 0.95) < 1e-9);
  assert.equal(r.trades, 2);
});

test('capital gains tax only on a period with a net gain', () => {
  const r = run({ capitalGainsTax: 0.35 });
  // +1250 taxed 437.5 → 25812.5; then −5 % with no tax → 24521.875
  assert.ok(Math.abs(r.finalMoney - 24521.875) < 1e-9);
  assert.deepEqual(r.periods.map((p) => p.tax), [437.5, 0]);
});

test('without compounding each period invests the starting money', () => {
  const r = run({ compoundMoney: false });
  assert.ok(Math.abs(r.finalMoney - (25000 + 1250 - 1250)) < 1e-9);
});

test('two stocks split the money equally', () => {
  const r = run({ numStocksPurchased: 2 });
  // day 0: A and B at 12500 each: 12500·1.05 + 12500·1.04 = 26125; day 1: only B (A negative) → ·0.95
  assert.ok(Math.abs(r.finalMoney - 26125 * 0.95) < 1e-9);
});

test('interval_days 2 decides every second day and sells at the second step', () => {
  const r = run({ intervalDays: 2 });
  // day 0: A at step 2 predicts +12 % vs B +3 % → A, sold at 104; day 2 has no outcome yet → stop
  assert.equal(r.periods.length, 1);
  assert.ok(Math.abs(r.finalMoney - 25000 * 1.04) < 1e-9);
});

test('the uncertainty penalty uses the p30–p70 band width', () => {
  const picks = pickSimpleXDaysAhead(table(), [0, 1], { ...base, uncertaintyMultiplier: 1 });
  // A: 10 − 40 = −30; B: 2 − 4 = −2 → B first
  assert.equal(picks[0]!.symbol, 'B');
  assert.ok(Math.abs(picks[0]!.score - -2) < 1e-9);
});

test('transaction cost and slippage apply to buys and sells', () => {
  const r = run({ transactionCostBps: 5, slippageBps: 5 });
  const first = (25000 / (100 * 1.001)) * 105 * 0.999;
  const second = (first / (52 * 1.001)) * 49.4 * 0.999;
  assert.ok(Math.abs(r.finalMoney - second) < 1e-6);
});

test('buying only on chosen weekdays', () => {
  // T0 is a Monday; day 1 is Tuesday
  assert.deepEqual(run({ buyWeekdays: [1] }).periods.map((p) => p.symbols), [['B']]);
  assert.deepEqual(run({ buyWeekdays: [0, 1] }).periods.map((p) => p.symbols), [['A'], ['B']]);
  assert.deepEqual(run({ buyWeekdays: [4] }).periods, []);
});

test('no look-ahead: changing realised prices after a decision never changes that decision', () => {
  const changed = ROWS.map((r) => [...r] as Row);
  changed[0]![3] = 1; // A's outcome of day 0 collapses
  changed[3]![3] = 500; // B's outcome of day 1 explodes
  const a = run({ numStocksPurchased: 1 });
  const b = run({ numStocksPurchased: 1 }, table(changed));
  assert.deepEqual(b.periods.map((p) => p.symbols), a.periods.map((p) => p.symbols));
  assert.notEqual(b.finalMoney, a.finalMoney);
});

test('invalid grid values are clear errors', () => {
  assert.throws(() => run({ intervalDays: 0 }), /strategy parameter interval_days: expected an integer >= 1, got 0/);
  assert.throws(() => run({ intervalDays: 3 }), /interval_days: expected at most the model's prediction length 2/);
  assert.throws(() => run({ numStocksPurchased: 0 }), /num_stocks_purchased: expected an integer >= 1/);
  assert.throws(() => run({ uncertaintyMultiplier: -0.1 }), /uncertainty_multiplier: expected a number >= 0/);
});

test('VolatilityRanking: importance 0 ranks by predicted profit, 1 by the narrowest band', async () => {
  const { pickVolatilityRanking } = await import('../../src/strategies/volatility-ranking.js');
  const t = table();
  const p = { intervalDays: 1, numStocksPurchased: 1, dontBuyNegativeStocks: true };
  // day 0: A predicts +10 % with a 40 % band; B +2 % with a 4 % band
  assert.equal(pickVolatilityRanking(t, [0, 1], { ...p, volatilityImportance: 0 })[0]!.symbol, 'A');
  assert.equal(pickVolatilityRanking(t, [0, 1], { ...p, volatilityImportance: 1 })[0]!.symbol, 'B');
  assert.throws(() => pickVolatilityRanking(t, [0, 1], { ...p, volatilityImportance: 2 }), /volatility_importance: expected a number in \[0, 1\], got 2/);
});
