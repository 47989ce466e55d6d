/**
 * The one set of strategy defaults: configs.yaml's `_performance_test_N` schema, `evaluate`, `forecast` and
 * `trade` all take a missing key from here, so a block without `_capital_gains_tax` means the same everywhere.
 */

/** Strategies stockcast runs (the seed's names). */
export const STRATEGY_NAMES = ['SimpleXDaysAheadBuying', 'VolatilityRanking'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** New-York weekdays a strategy may buy on, 0 = Monday (as pandas' dayofweek). */
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'] as const;

/**
 * Defaults of every strategy key. Tax 0.35 is the rate of every block the seed recorded (a default that does not
 * flatter); slippage 5 bps per side is a realistic cost of a market order in a liquid S&P 500 stock, and
 * commissions are 0 as at Alpaca. `evaluate` prints the zero-cost result beside the after-cost one.
 */
export const STRATEGY_DEFAULTS = {
  strategy: 'SimpleXDaysAheadBuying' as StrategyName,
  intervalDays: 1,
  numStocksPurchased: 10,
  capitalGainsTax: 0.35,
  uncertaintyMultiplier: 0.1,
  volatilityImportance: 0.5,
  compoundMoney: true,
  dontBuyNegativeStocks: true,
  startingMoney: 25_000,
  transactionCostBps: 0,
  slippageBps: 5,
} as const;
