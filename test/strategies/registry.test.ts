import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getConfig, parseConfigText } from '../../src/config/seed-config.js';
import { STRATEGY_DEFAULTS } from '../../src/config/strategy-defaults.js';
import { buysOn, describeStrategy, investableMoney, pickerFor, preferredTestRange, strategyFromConfig, strategyName, validateStrategy } from '../../src/strategies/registry.js';
import type { PredictionTable } from '../../src/core/prediction-table.js';

const BASE = `configs:
  m:
    features: [open]
    train_start: "2020-01-01"
    train_end: "2021-01-01"
    val_end: "2022-01-01"
    test_end: "2023-01-01"
    max_lookback_period: 10
    max_prediction_length: 2
`;
const config = (extra = '') => getConfig(parseConfigText(`${BASE}${extra}`, 'configs.yaml'), 'm');

test('a config without a strategy block trades the one set of defaults', () => {
  const s = strategyFromConfig(config());
  assert.deepEqual(s, {
    name: 'SimpleXDaysAheadBuying',
    intervalDays: 1,
    numStocksPurchased: 10,
    dontBuyNegativeStocks: true,
    capitalGainsTax: 0.35,
    compoundMoney: true,
    startingMoney: 25_000,
    transactionCostBps: 0,
    slippageBps: 5,
    uncertaintyMultiplier: 0.1,
  });
  // a block that leaves keys out takes the same defaults (the schema and the registry agree)
  const partial = strategyFromConfig(config('    preferred_trading_strategy: _performance_test_1\n    _performance_test_1:\n      _interval_days: 2\n'));
  assert.equal(partial.capitalGainsTax, STRATEGY_DEFAULTS.capitalGainsTax);
  assert.equal(partial.intervalDays, 2);
  assert.equal(partial.name === 'SimpleXDaysAheadBuying' && partial.uncertaintyMultiplier, STRATEGY_DEFAULTS.uncertaintyMultiplier);
});

test('a VolatilityRanking block is a VolatilityRanking strategy with all its parameters, weekdays and test range', () => {
  const s = strategyFromConfig(
    config(`    starting_money: 1000
    preferred_trading_strategy: _performance_test_2
    _performance_test_2:
      _test_strategy: VolatilityRanking
      _test_range: '2022-03-01 - 2022-09-01'
      _interval_days: 2
      _num_stocks_purchased: 3
      _volatility_importance: 0.8
      _compound_money: false
      _capital_gains_tax: 0.2
      _buy_weekdays: [Friday, 0]
`),
  );
  assert.deepEqual(s, {
    name: 'VolatilityRanking',
    intervalDays: 2,
    numStocksPurchased: 3,
    dontBuyNegativeStocks: true,
    capitalGainsTax: 0.2,
    compoundMoney: false,
    startingMoney: 1000,
    transactionCostBps: 0,
    slippageBps: 5,
    buyWeekdays: [0, 4],
    volatilityImportance: 0.8,
  });
  assert.deepEqual(preferredTestRange(config(`    preferred_trading_strategy: _performance_test_1\n    _performance_test_1:\n      _test_range: '2022-03-01 - 2022-09-01'\n`)), { start: '2022-03-01', end: '2022-09-01' });
  assert.match(describeStrategy(s), /^VolatilityRanking: interval 2, 3 stocks, volatility_importance 0\.8, positive forecasts only, not compounding, buys on Monday\/Friday$/);
  // overrides win, and switching the strategy keeps the money settings
  const simple = strategyFromConfig(config(), { name: 'VolatilityRanking', slippageBps: 0 });
  assert.equal(simple.name, 'VolatilityRanking');
  assert.equal(simple.slippageBps, 0);
});

test('unknown strategy names are errors with a did-you-mean; bad parameters name the config key', () => {
  assert.throws(() => strategyName('VolatilityRankin', '--strategy'), /--strategy: unknown strategy "VolatilityRankin" \(did you mean VolatilityRanking\?\); expected one of SimpleXDaysAheadBuying, VolatilityRanking/);
  const s = strategyFromConfig(undefined);
  assert.throws(() => validateStrategy({ ...s, buyWeekdays: [5] }), /strategy parameter buy_weekdays: expected weekdays 0 \(Monday\) … 4 \(Friday\), got \[5\]/);
  assert.throws(() => validateStrategy({ ...s, capitalGainsTax: 1 }), /capital_gains_tax: expected a fraction in \[0, 1\)/);
  assert.throws(() => validateStrategy({ ...s, name: 'VolatilityRanking', volatilityImportance: 1.5 }), /volatility_importance: expected a number in \[0, 1\], got 1\.5/);
});

test('investable money: everything when compounding, else at most the starting money, never above the run cap', () => {
  assert.equal(investableMoney({ compoundMoney: true, startingMoney: 25_000 }, 30_000), 30_000);
  assert.equal(investableMoney({ compoundMoney: false, startingMoney: 25_000 }, 30_000), 25_000);
  assert.equal(investableMoney({ compoundMoney: false, startingMoney: 25_000 }, 20_000), 20_000);
  assert.equal(investableMoney({ compoundMoney: true, startingMoney: 25_000 }, 30_000, 10_000), 10_000);
  assert.equal(investableMoney({ compoundMoney: true, startingMoney: 25_000 }, -5), 0);
});

test('the registry picks with the configured strategy, and buys only on its weekdays', () => {
  // one day, two symbols: A +10 % with a wide band, B +2 % with a narrow one
  const t: PredictionTable = {
    quantiles: [0.3, 0.5, 0.7],
    horizon: 1,
    symbols: ['A', 'B'],
    timestamps: Float64Array.of(0, 0),
    currentY: Float64Array.of(100, 50),
    y: Float64Array.of(NaN, NaN),
    pred: Float64Array.of(90, 110, 130, 50, 51, 52),
  };
  const simple = strategyFromConfig(undefined, { numStocksPurchased: 1, uncertaintyMultiplier: 0 });
  assert.equal(pickerFor(simple)(t, [0, 1])[0]!.symbol, 'A');
  const ranked = strategyFromConfig(undefined, { name: 'VolatilityRanking', numStocksPurchased: 1, volatilityImportance: 1 });
  assert.equal(pickerFor(ranked)(t, [0, 1])[0]!.symbol, 'B');
  assert.equal(buysOn({ buyWeekdays: [0] }, '2024-01-08'), true, 'a Monday');
  assert.equal(buysOn({ buyWeekdays: [0] }, '2024-01-09'), false);
  assert.equal(buysOn({}, '2024-01-09'), true);
});
