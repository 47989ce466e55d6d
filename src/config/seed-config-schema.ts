import { z } from 'zod';
import { isRealDate } from '../core/ny-time.js';
import { didYouMean } from './config-error.js';
import { STRATEGY_DEFAULTS, STRATEGY_NAMES, WEEKDAY_NAMES, type StrategyName } from './strategy-defaults.js';

// The zod schemas of configs.yaml: one per seed key, each with the message a user reads when it is wrong.

const DATE = 'a date "YYYY-MM-DD"';
const posInt = (what = 'a positive integer') => z.number({ error: what }).int({ error: what }).min(1, { error: what });
const nonNegInt = (what = 'an integer >= 0') => z.number({ error: what }).int({ error: what }).min(0, { error: what });
const positive = (what = 'a positive number') => z.number({ error: what }).gt(0, { error: what });
/** A real calendar date written YYYY-MM-DD. */
export const isoDate = z.string({ error: DATE }).refine(isRealDate, { error: DATE });
const optionalText = z.string({ error: 'a text' }).optional();
const QUANTILES = 'an ascending list of at least 3 numbers between 0 and 1 that includes 0.5 (the median the strategies read)';
const GRID = 'a map with optional lists interval_days, num_stocks_purchased, uncertainty_multiplier, volatility_importance';
const TARGETS = ['open', 'close', 'log_return_open', 'log_return_close'] as const;

/** Schemas of every known config key, by the seed's snake_case name. */
export const FIELDS = {
  features: z.array(z.string({ error: 'a feature name' }), { error: 'a list of feature names' }).min(1, { error: 'a non-empty list of feature names' }),
  train_start: isoDate,
  train_end: isoDate,
  val_end: isoDate,
  test_end: isoDate,
  max_lookback_period: posInt(),
  max_prediction_length: posInt(),
  batch_size: posInt().default(2048),
  hidden_size: posInt().default(16),
  attention_head_size: posInt().default(1),
  dropout: z.number({ error: 'a number between 0 and 1' }).min(0, { error: 'a number between 0 and 1' }).lt(1, { error: 'a number between 0 and 1' }).default(0.1),
  hidden_continuous_size: posInt().default(8),
  lstm_layers: posInt().default(1),
  learning_rate: positive().default(0.001),
  max_epochs: posInt().default(50),
  time_frame_unit: z.string({ error: 'Minute, Hour, Day, Week or Month' }).default('Day'),
  time_frame_amount: posInt().default(1),
  reduce_on_plateau_patience: nonNegInt().default(5),
  accelerator: optionalText,
  local_accelerator: optionalText,
  devices: z.union([nonNegInt(), z.string(), z.array(nonNegInt())], { error: 'a device count, a list of device ids or "auto"' }).optional(),
  num_workers: nonNegInt().optional(),
  notes: optionalText,
  fine_tuning_model_id: z.string({ error: 'a config id' }).min(1, { error: 'a config id' }).optional(),
  preferred_trading_strategy: z.string({ error: 'the name of a _performance_test_N block' }).optional(),
  target: z.enum(TARGETS, { error: `one of ${TARGETS.join(', ')}` }).default('open'),
  quantiles: z
    .array(z.number({ error: QUANTILES }).gt(0, { error: QUANTILES }).lt(1, { error: QUANTILES }), { error: QUANTILES })
    .refine((q) => q.length >= 3 && q.includes(0.5) && q.every((v, i) => i === 0 || v > q[i - 1]!), { error: QUANTILES })
    .default(() => [0.3, 0.5, 0.7]),
  seed: nonNegInt().default(42),
  gradient_clip_val: z.number({ error: 'a number >= 0' }).min(0, { error: 'a number >= 0' }).default(0.1),
  early_stopping_patience: posInt().default(15),
  starting_money: positive('a positive amount of money').default(STRATEGY_DEFAULTS.startingMoney),
  live_trading: z.boolean({ error: 'true or false' }).default(false),
  max_order_notional: positive().optional(),
  max_run_notional: positive().optional(),
  strategy_grid: z
    .strictObject(
      {
        interval_days: z.array(posInt(), { error: 'a list of positive integers' }).min(1, { error: 'a non-empty list' }).optional(),
        num_stocks_purchased: z.array(posInt(), { error: 'a list of positive integers' }).min(1, { error: 'a non-empty list' }).optional(),
        uncertainty_multiplier: z.array(z.number({ error: 'a number' }), { error: 'a list of numbers' }).min(1, { error: 'a non-empty list' }).optional(),
        volatility_importance: z.array(z.number({ error: 'a number in [0, 1]' }).min(0, { error: 'a number in [0, 1]' }).max(1, { error: 'a number in [0, 1]' }), { error: 'a list of numbers in [0, 1]' }).min(1, { error: 'a non-empty list' }).optional(),
      },
      { error: GRID },
    )
    .optional(),
};

const D = STRATEGY_DEFAULTS;
const TAX = 'a rate in [0, 1)';
const TEST_RANGE = 'a date range "YYYY-MM-DD - YYYY-MM-DD" (start inclusive, end exclusive, start before end)';
const WEEKDAYS = `a non-empty list of weekdays: 0 (Monday) … 4 (Friday) or their names (${WEEKDAY_NAMES.join(', ')})`;
const strategyName = z.string({ error: `one of ${STRATEGY_NAMES.join(', ')}` }).refine((v) => (STRATEGY_NAMES as readonly string[]).includes(v), {
  error: (issue) => {
    const close = typeof issue.input === 'string' ? didYouMean(issue.input, STRATEGY_NAMES) : undefined;
    return `one of ${STRATEGY_NAMES.join(', ')}${close ? ` (did you mean ${close}?)` : ''}`;
  },
}).transform((v) => v as StrategyName);
const weekday = z.union([z.number().int().min(0).max(4), z.string().transform((v, ctx) => {
  const i = WEEKDAY_NAMES.findIndex((n) => n.toLowerCase() === v.toLowerCase() || n.slice(0, 3).toLowerCase() === v.toLowerCase());
  if (i < 0) ctx.addIssue({ code: 'custom', message: WEEKDAYS });
  return i;
})], { error: WEEKDAYS });

/** `_test_range` as the seed writes it (`'2025-01-01 - 2026-01-01'`), or undefined when it is not one. */
export function parseTestRange(text: string): { start: string; end: string } | undefined {
  const m = /^\s*(\d{4}-\d{2}-\d{2})\s+-\s+(\d{4}-\d{2}-\d{2})\s*$/.exec(text);
  if (!m || !isRealDate(m[1]!) || !isRealDate(m[2]!) || !(m[1]! < m[2]!)) return undefined;
  return { start: m[1]!, end: m[2]! };
}

/** Schema of a `_performance_test_N` block (unknown keys are refused before it runs: see `PERFORMANCE_TEST_KEYS`). */
export const PERFORMANCE_TEST = z.object({
  _test_strategy: strategyName.default(D.strategy),
  _test_range: z.string({ error: TEST_RANGE }).refine((v) => parseTestRange(v) !== undefined, { error: TEST_RANGE }).optional(),
  _interval_days: posInt().default(D.intervalDays),
  _num_stocks_purchased: posInt().default(D.numStocksPurchased),
  _capital_gains_tax: z.number({ error: TAX }).min(0, { error: TAX }).lt(1, { error: TAX }).default(D.capitalGainsTax),
  _uncertainty_multiplier: z.number({ error: 'a number >= 0' }).min(0, { error: 'a number >= 0' }).default(D.uncertaintyMultiplier),
  _volatility_importance: z.number({ error: 'a number in [0, 1]' }).min(0, { error: 'a number in [0, 1]' }).max(1, { error: 'a number in [0, 1]' }).default(D.volatilityImportance),
  _compound_money: z.boolean({ error: 'true or false' }).default(D.compoundMoney),
  _dont_buy_negative_stocks: z.boolean({ error: 'true or false' }).default(D.dontBuyNegativeStocks),
  _buy_weekdays: z.array(weekday, { error: WEEKDAYS }).min(1, { error: WEEKDAYS }).transform((days) => [...new Set(days)].sort()).optional(),
  _money_made: z.number({ error: 'a number' }).optional(),
  _annual_sharpe: z.number({ error: 'a number' }).optional(),
}, { error: 'a map of a recorded strategy test (_test_strategy, _interval_days, _num_stocks_purchased, …)' });
/** Every key a `_performance_test_N` block may hold. */
export const PERFORMANCE_TEST_KEYS: readonly string[] = Object.keys(PERFORMANCE_TEST.shape);

/** Schema of one config (known keys only; the rest is sorted out before). */
export const CONFIG = z.object(FIELDS);
/** The seed's informational keys: kept in metadata, never interpreted. */
export const INFORMATIONAL = new Set(['best_val_loss', 'train_loss', 'trainable_params', 'total_params', 'feature_importance_notes', 'notes']);
/** Every non-underscore key a config may hold. */
export const KNOWN = new Set([...Object.keys(FIELDS), ...INFORMATIONAL]);
/** Keys of the seed's recorded strategy tests. */
export const PERFORMANCE_KEY = /^_performance_test_\d+$/;

/** Turns a zod issue into (key, expected, got), the key dotted from the issue's path under `prefix`. */
export function zodIssue(issue: z.core.$ZodIssue, input: unknown, prefix?: string): [string, string, unknown] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const key = [prefix, ...path].filter((p) => p !== undefined).map((p, i) => (typeof p === 'number' ? `[${p}]` : i > 0 ? `.${p}` : p)).join('');
  let got: unknown = input;
  for (const p of path) got = isRecord(got) || Array.isArray(got) ? (got as Record<string | number, unknown>)[p] : undefined;
  if (issue.code === 'unrecognized_keys') return [key || (prefix ?? ''), `${issue.message} (unknown: ${issue.keys.join(', ')})`, undefined];
  return [key, got === undefined ? `${issue.message} (the key is missing)` : issue.message, got];
}

/** A plain map (not null, not a list). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
