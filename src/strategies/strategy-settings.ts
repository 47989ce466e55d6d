import type { StrategyName } from '../config/strategy-defaults.js';

export type { StrategyName } from '../config/strategy-defaults.js';

/** How a strategy manages money: what `evaluate` simulates and `trade` invests. */
export interface MoneySettings {
  /** Tax on each holding period's net gain (0 … <1). */
  capitalGainsTax: number;
  /** Reinvest everything (true), or invest at most the starting money each period and let profits sit (false). */
  compoundMoney: boolean;
  startingMoney: number;
  /** Commission per side, basis points (Alpaca: 0). */
  transactionCostBps: number;
  /** Slippage per side, basis points (default 5). */
  slippageBps: number;
}

/** Settings every strategy has: when it decides, how many stocks, and the money rules. */
export interface CommonSettings extends MoneySettings {
  intervalDays: number;
  numStocksPurchased: number;
  dontBuyNegativeStocks: boolean;
  /** Decide (buy) only on these New-York weekdays, 0 = Monday … 4 = Friday; every trading day when absent. */
  buyWeekdays?: number[];
}

/** The seed's SimpleXDaysAheadBuying: predicted change minus a penalty on the forecast band's width. */
export interface SimpleXDaysAheadSettings extends CommonSettings {
  name: 'SimpleXDaysAheadBuying';
  uncertaintyMultiplier: number;
}

/** VolatilityRanking: rank-combined predicted change and band width. */
export interface VolatilityRankingSettings extends CommonSettings {
  name: 'VolatilityRanking';
  /** 0: rank by predicted change only; 1: by band width only (narrowest first). */
  volatilityImportance: number;
}

/** A strategy with all its parameters: one of the registry's strategies. */
export type StrategySettings = SimpleXDaysAheadSettings | VolatilityRankingSettings;

/** Compile-time check that every strategy name has settings. */
export type SettingsOf<N extends StrategyName> = Extract<StrategySettings, { name: N }>;
