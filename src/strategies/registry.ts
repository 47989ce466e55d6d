/**
 * The one strategy registry: `evaluate`, `forecast` and `trade` turn a config into strategy settings here and
 * pick through `pickerFor`, so a configured VolatilityRanking block trades as VolatilityRanking everywhere.
 */
import type { PredictionTable } from '../core/prediction-table.js';
import { assertNever } from '../core/assert-never.js';
import { weekdayOf } from '../core/ny-time.js';
import type { ModelConfig, PerformanceTest } from '../config/seed-config.js';
import { didYouMean } from '../config/config-error.js';
import { parseTestRange } from '../config/seed-config-schema.js';
import { STRATEGY_DEFAULTS, STRATEGY_NAMES, WEEKDAY_NAMES, type StrategyName } from '../config/strategy-defaults.js';
import { pickSimpleXDaysAhead, type Pick } from './simple-x-days-ahead-buying.js';
import { pickVolatilityRanking } from './volatility-ranking.js';
import type { CommonSettings, MoneySettings, StrategySettings } from './strategy-settings.js';

/** A strategy's choice at one decision time: the rows to buy, best first (reads forecasts, never outcomes). */
export type PickFn = (table: PredictionTable, rows: number[]) => Pick[];

/** What a caller may set over the configured strategy (CLI flags, grid runs). */
export type StrategyOverrides = Partial<CommonSettings> & { name?: StrategyName; uncertaintyMultiplier?: number; volatilityImportance?: number };

/** A strategy name checked against the registry; an unknown one is an error with a did-you-mean. */
export function strategyName(name: string, where = 'strategy'): StrategyName {
  if ((STRATEGY_NAMES as readonly string[]).includes(name)) return name as StrategyName;
  const close = didYouMean(name, STRATEGY_NAMES);
  throw new Error(`${where}: unknown strategy "${name}"${close ? ` (did you mean ${close}?)` : ''}; expected one of ${STRATEGY_NAMES.join(', ')}`);
}

/** The pick function of a strategy. */
export function pickerFor(s: StrategySettings): PickFn {
  switch (s.name) {
    case 'SimpleXDaysAheadBuying':
      return (table, rows) => pickSimpleXDaysAhead(table, rows, s);
    case 'VolatilityRanking':
      return (table, rows) => pickVolatilityRanking(table, rows, s);
    default:
      return assertNever(s, 'strategy');
  }
}

/** The config's preferred `_performance_test_N` block, when it names one. */
export function preferredTest(config: ModelConfig | undefined): PerformanceTest | undefined {
  return config?.preferredTradingStrategy ? config.performanceTests[config.preferredTradingStrategy] : undefined;
}

/**
 * The strategy a model trades and is evaluated with: the config's preferred `_performance_test_N` block (its
 * `_test_strategy` and every parameter), each missing key from the one set of defaults, then `over`.
 */
export function strategyFromConfig(config: ModelConfig | undefined, over: StrategyOverrides = {}): StrategySettings {
  const t = preferredTest(config);
  const D = STRATEGY_DEFAULTS;
  const common: CommonSettings = {
    intervalDays: t?.intervalDays ?? D.intervalDays,
    numStocksPurchased: t?.numStocksPurchased ?? D.numStocksPurchased,
    dontBuyNegativeStocks: t?.dontBuyNegativeStocks ?? D.dontBuyNegativeStocks,
    capitalGainsTax: t?.capitalGainsTax ?? D.capitalGainsTax,
    compoundMoney: t?.compoundMoney ?? D.compoundMoney,
    startingMoney: config?.startingMoney ?? D.startingMoney,
    transactionCostBps: D.transactionCostBps,
    slippageBps: D.slippageBps,
    ...(t?.buyWeekdays ? { buyWeekdays: t.buyWeekdays } : {}),
  };
  const { name: overName, uncertaintyMultiplier, volatilityImportance, ...rest } = over;
  const merged = { ...common, ...definedOnly(rest) };
  const name = overName ?? t?.strategy ?? D.strategy;
  let s: StrategySettings;
  switch (name) {
    case 'SimpleXDaysAheadBuying':
      s = { name, ...merged, uncertaintyMultiplier: uncertaintyMultiplier ?? t?.uncertaintyMultiplier ?? D.uncertaintyMultiplier };
      break;
    case 'VolatilityRanking':
      s = { name, ...merged, volatilityImportance: volatilityImportance ?? t?.volatilityImportance ?? D.volatilityImportance };
      break;
    default:
      return assertNever(name, 'strategy');
  }
  return s;
}

/** The dates `_test_range` of the preferred block restricts an evaluation to (start inclusive, end exclusive). */
export function preferredTestRange(config: ModelConfig | undefined): { start: string; end: string } | undefined {
  const text = preferredTest(config)?.testRange;
  return text === undefined ? undefined : parseTestRange(text);
}

/** Checks every parameter, naming the configs.yaml key and what was expected. */
export function validateStrategy(s: StrategySettings, horizon?: number): void {
  const fail = (key: string, expected: string, got: unknown) => {
    throw new Error(`strategy parameter ${key}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (!Number.isInteger(s.intervalDays) || s.intervalDays < 1) fail('interval_days', 'an integer >= 1', s.intervalDays);
  if (horizon !== undefined && s.intervalDays > horizon) fail('interval_days', `at most the model's prediction length ${horizon}`, s.intervalDays);
  if (!Number.isInteger(s.numStocksPurchased) || s.numStocksPurchased < 1) fail('num_stocks_purchased', 'an integer >= 1', s.numStocksPurchased);
  if (!(s.capitalGainsTax >= 0 && s.capitalGainsTax < 1)) fail('capital_gains_tax', 'a fraction in [0, 1)', s.capitalGainsTax);
  if (!(s.startingMoney > 0)) fail('starting_money', 'a positive amount', s.startingMoney);
  if (!(s.transactionCostBps >= 0)) fail('transaction_cost_bps', 'a number >= 0', s.transactionCostBps);
  if (!(s.slippageBps >= 0)) fail('slippage_bps', 'a number >= 0', s.slippageBps);
  if (s.buyWeekdays !== undefined && (s.buyWeekdays.length === 0 || !s.buyWeekdays.every((d) => Number.isInteger(d) && d >= 0 && d <= 4))) {
    fail('buy_weekdays', 'weekdays 0 (Monday) … 4 (Friday)', s.buyWeekdays);
  }
  switch (s.name) {
    case 'SimpleXDaysAheadBuying':
      if (!(s.uncertaintyMultiplier >= 0)) fail('uncertainty_multiplier', 'a number >= 0', s.uncertaintyMultiplier);
      return;
    case 'VolatilityRanking':
      if (!(s.volatilityImportance >= 0 && s.volatilityImportance <= 1)) fail('volatility_importance', 'a number in [0, 1]', s.volatilityImportance);
      return;
    default:
      assertNever(s, 'strategy');
  }
}

/** The strategy's own third grid axis: uncertainty_multiplier, or volatility_importance. */
export function strategyKnob(s: StrategySettings): { key: 'uncertaintyMultiplier' | 'volatilityImportance'; label: string; value: number } {
  switch (s.name) {
    case 'SimpleXDaysAheadBuying':
      return { key: 'uncertaintyMultiplier', label: 'uncertainty_multiplier', value: s.uncertaintyMultiplier };
    case 'VolatilityRanking':
      return { key: 'volatilityImportance', label: 'volatility_importance', value: s.volatilityImportance };
    default:
      return assertNever(s, 'strategy');
  }
}

/** The same strategy with its third grid axis set. */
export function withKnob(s: StrategySettings, value: number): StrategySettings {
  return { ...s, [strategyKnob(s).key]: value } as StrategySettings;
}

/**
 * How much a run may invest from the money a model has: everything with compound_money, else at most its
 * starting money (profits above it stay uninvested, as the backtest simulates), and never above `maxRunNotional`.
 */
export function investableMoney(s: Pick_<MoneySettings, 'compoundMoney' | 'startingMoney'>, moneyAvailable: number, maxRunNotional = Infinity): number {
  const budget = s.compoundMoney ? moneyAvailable : Math.min(moneyAvailable, s.startingMoney);
  return Math.max(0, Math.min(budget, maxRunNotional));
}
type Pick_<T, K extends keyof T> = { [P in K]: T[P] };

/** Whether the strategy buys on a decision date (YYYY-MM-DD, New York): every day unless `buyWeekdays` says otherwise. */
export function buysOn(s: Pick_<CommonSettings, 'buyWeekdays'>, date: string): boolean {
  return s.buyWeekdays === undefined || s.buyWeekdays.includes(weekdayOf(date));
}

/** One line naming the strategy and its parameters (for `forecast`, reports and logs). */
export function describeStrategy(s: StrategySettings): string {
  const knob = strategyKnob(s);
  const days = s.buyWeekdays ? `, buys on ${s.buyWeekdays.map((d) => WEEKDAY_NAMES[d]).join('/')}` : '';
  return `${s.name}: interval ${s.intervalDays}, ${s.numStocksPurchased} stocks, ${knob.label} ${knob.value}${s.dontBuyNegativeStocks ? ', positive forecasts only' : ''}${s.compoundMoney ? ', compounding' : ', not compounding'}${days}`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
