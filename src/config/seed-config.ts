import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { FEATURE_NAMES, featureSpec, isKnownFeature } from '../core/feature-catalog.js';
import { isIntraday, timeFrameFromSeed, type TimeFrame } from '../core/time-frame.js';
import { ConfigError, didYouMean, type ConfigIssue } from './config-error.js';
import { CONFIG, FIELDS, INFORMATIONAL, KNOWN, PERFORMANCE_KEY, PERFORMANCE_TEST, PERFORMANCE_TEST_KEYS, isRecord, isoDate, zodIssue } from './seed-config-schema.js';
import type { StrategyName } from './strategy-defaults.js';

/** A recorded strategy test of the seed (`_performance_test_N` blocks); the preferred one is the default strategy. */
export interface PerformanceTest {
  name: string;
  strategy: StrategyName;
  intervalDays: number;
  numStocksPurchased: number;
  capitalGainsTax: number;
  uncertaintyMultiplier: number;
  /** VolatilityRanking's weight of the forecast band's width against the predicted profit (0 … 1). */
  volatilityImportance: number;
  compoundMoney: boolean;
  dontBuyNegativeStocks: boolean;
  /** Buy only on these New-York weekdays (0 = Monday … 4 = Friday); every trading day when absent. */
  buyWeekdays?: number[];
  /** `'YYYY-MM-DD - YYYY-MM-DD'`: `evaluate` restricts its test dates to it (start inclusive, end exclusive). */
  testRange?: string;
  moneyMade?: number;
  annualSharpe?: number;
}

/** Target variable: the seed's `open`, `close`, or a log return of either. */
export type TargetName = 'open' | 'close' | 'log_return_open' | 'log_return_close';

/** One model config of configs.yaml, typed and validated. Seed keys missing from a config take the defaults noted. */
export interface ModelConfig {
  id: string;
  features: string[];
  trainStart: string;
  trainEnd: string;
  valEnd: string;
  testEnd: string;
  maxLookbackPeriod: number;
  maxPredictionLength: number;
  /** Default 2048. */
  batchSize: number;
  /** Default 16. */
  hiddenSize: number;
  /** Default 1 (need not divide hidden_size, as in pytorch-forecasting). */
  attentionHeadSize: number;
  /** Default 0.1. */
  dropout: number;
  /** Default 8. */
  hiddenContinuousSize: number;
  /** Default 1. */
  lstmLayers: number;
  /** Default 0.001. */
  learningRate: number;
  /** Default 50. */
  maxEpochs: number;
  /** From `time_frame_unit` / `time_frame_amount` (default 1 Day). */
  timeFrame: TimeFrame;
  /** Default 5. */
  reduceOnPlateauPatience: number;
  /** Seed runtime hints (`accelerator`, `local_accelerator`, `devices`, `num_workers`): kept, not used by stockcast. */
  accelerator?: string;
  localAccelerator?: string;
  devices?: number | string | number[];
  numWorkers?: number;
  fineTuningModelId?: string;
  notes?: string;
  /** stockcast extension `target`: the variable forecast (default `open`, as the seed). */
  target: TargetName;
  /** stockcast extension `quantiles`: ascending, in (0, 1), at least three and including 0.5, which strategies read (default [0.3, 0.5, 0.7]). */
  quantiles: number[];
  /** stockcast extension `seed`: random seed of weights and shuffling (default 42). */
  seed: number;
  /** stockcast extension `gradient_clip_val`: gradient clipping norm (default 0.1, the seed's trainer value; 0 disables). */
  gradientClipVal: number;
  /** stockcast extension `early_stopping_patience`: epochs without validation improvement before stopping (default 15). */
  earlyStoppingPatience: number;
  /** stockcast extension `starting_money`: money a first trading run starts with (default 25000). */
  startingMoney: number;
  /** stockcast extension `live_trading`: allow live trading for this model (default false; trading also needs --live). */
  liveTrading: boolean;
  /** stockcast extension `max_order_notional`: cap on the money of one order. */
  maxOrderNotional?: number;
  /** stockcast extension `max_run_notional`: cap on the money one trade run may invest. */
  maxRunNotional?: number;
  /** stockcast extension `strategy_grid`: the evaluation grid; lists left out take the seed's grid. */
  strategyGrid?: { intervalDays?: number[]; numStocksPurchased?: number[]; uncertaintyMultiplier?: number[]; volatilityImportance?: number[] };
  /** Name of the preferred `_performance_test_N` block, when set. */
  preferredTradingStrategy?: string;
  /** Every `_performance_test_N` block, typed. */
  performanceTests: Record<string, PerformanceTest>;
  /** Every `_` key, the seed's informational keys and unknown keys, verbatim. */
  metadata: Record<string, unknown>;
}

/** A parsed configs.yaml. An invalid config does not block the others: it fails when requested with `getConfig`. */
export interface ConfigFile {
  path: string;
  /** Every config id of the file, in file order. */
  ids: string[];
  configs: Map<string, ModelConfig>;
  /** The problems of each invalid config, all of them. */
  errors: Map<string, ConfigError>;
  /** Unknown keys kept as metadata and other things worth a look. */
  warnings: string[];
}

/** Reads and validates a configs.yaml file (the seed's format, unchanged); `strict` throws for any invalid config. */
export function loadConfigFile(path: string, options: { strict?: boolean } = {}): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ expected: `a readable YAML file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  return parseConfigText(text, path, options);
}

/** Parses configs.yaml text; `path` is only used in messages. */
export function parseConfigText(text: string, path: string, options: { strict?: boolean } = {}): ConfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(path, [{ expected: `valid YAML (${(err as Error).message.split('\n')[0]})` }]);
  }
  const configs = isRecord(doc) ? doc.configs : undefined;
  if (!isRecord(configs)) throw new ConfigError(path, [{ key: 'configs', expected: 'a top-level "configs" map of config id → settings' }]);
  const file: ConfigFile = { path, ids: Object.keys(configs), configs: new Map(), errors: new Map(), warnings: [] };
  for (const [id, raw] of Object.entries(configs)) {
    const issues: ConfigIssue[] = [];
    const cfg = isRecord(raw) ? parseOne(id, raw, issues, file.warnings) : undefined;
    if (!isRecord(raw)) issues.push({ configId: id, expected: 'a map of settings', got: raw });
    if (cfg && issues.length === 0) file.configs.set(id, cfg);
    else file.errors.set(id, new ConfigError(path, issues));
  }
  for (const [id, cfg] of file.configs) {
    if (cfg.fineTuningModelId !== undefined && !file.ids.includes(cfg.fineTuningModelId)) {
      file.warnings.push(`config "${id}": fine_tuning_model_id "${cfg.fineTuningModelId}" is not a config of this file`);
    }
  }
  for (const [id, err] of file.errors) file.warnings.push(`config "${id}" is invalid (${err.issues.length} problem(s)); it fails when used`);
  if (options.strict && file.errors.size > 0) throw new ConfigError(path, [...file.errors.values()].flatMap((e) => e.issues));
  return file;
}

/** The config with this id: its validation error when it is invalid, or an error listing the ids the file has. */
export function getConfig(file: ConfigFile, id: string): ModelConfig {
  const error = file.errors.get(id);
  if (error) throw error;
  const cfg = file.configs.get(id);
  if (!cfg) throw new ConfigError(file.path, [{ configId: id, expected: `one of the config ids in the file: ${file.ids.join(', ') || '(none)'}` }]);
  return cfg;
}

function parseOne(id: string, input: Record<string, unknown>, issues: ConfigIssue[], warnings: string[]): ModelConfig | undefined {
  const fail = (key: string, expected: string, got?: unknown) => issues.push({ configId: id, key, expected, got });
  // an empty YAML value (`notes:`) means "not set", as it would for the seed's dict.get
  const raw = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k.startsWith('_') || INFORMATIONAL.has(k)) metadata[k] = v;
    else if (!KNOWN.has(k)) {
      const close = didYouMean(k, KNOWN);
      if (close) fail(k, `a known key (did you mean ${close}?)`);
      else {
        metadata[k] = v;
        warnings.push(`config "${id}": unknown key "${k}" kept as metadata`);
      }
    }
  }
  const parsed = CONFIG.safeParse(raw);
  if (!parsed.success) for (const issue of parsed.error.issues) fail(...zodIssue(issue, raw));
  checkFeatures(raw, fail);
  const timeFrame = checkTimeFrame(raw, fail);
  checkDateOrder(raw, fail);
  if (timeFrame && !isIntraday(timeFrame) && Array.isArray(raw.features)) {
    const intraday = raw.features.filter((f) => typeof f === 'string' && isKnownFeature(f) && featureSpec(f).intradayOnly);
    if (intraday.length > 0) fail('features', `features that exist for a ${timeFrame.amount}${timeFrame.unit} time frame (${intraday.join(', ')} need an intraday one)`, intraday);
  }
  const performanceTests = parsePerformanceTests(raw, fail);
  const preferred = raw.preferred_trading_strategy;
  if (typeof preferred === 'string' && !performanceTests[preferred]) {
    const names = Object.keys(performanceTests);
    fail('preferred_trading_strategy', `the name of a _performance_test_N block of this config (${names.join(', ') || 'none defined'})`, preferred);
  }
  const order = raw.max_order_notional;
  const run = raw.max_run_notional;
  if (typeof order === 'number' && typeof run === 'number' && order > run) fail('max_order_notional', `at most max_run_notional (${run})`, order);
  if (!parsed.success || !timeFrame || issues.length > 0) return undefined;
  return toModelConfig(id, parsed.data, timeFrame, performanceTests, metadata);
}

function toModelConfig(id: string, c: z.output<typeof CONFIG>, timeFrame: TimeFrame, performanceTests: Record<string, PerformanceTest>, metadata: Record<string, unknown>): ModelConfig {
  const grid = c.strategy_grid;
  return {
    id,
    features: c.features,
    trainStart: c.train_start,
    trainEnd: c.train_end,
    valEnd: c.val_end,
    testEnd: c.test_end,
    maxLookbackPeriod: c.max_lookback_period,
    maxPredictionLength: c.max_prediction_length,
    batchSize: c.batch_size,
    hiddenSize: c.hidden_size,
    attentionHeadSize: c.attention_head_size,
    dropout: c.dropout,
    hiddenContinuousSize: c.hidden_continuous_size,
    lstmLayers: c.lstm_layers,
    learningRate: c.learning_rate,
    maxEpochs: c.max_epochs,
    timeFrame,
    reduceOnPlateauPatience: c.reduce_on_plateau_patience,
    accelerator: c.accelerator,
    localAccelerator: c.local_accelerator,
    devices: c.devices,
    numWorkers: c.num_workers,
    fineTuningModelId: c.fine_tuning_model_id,
    notes: c.notes,
    target: c.target,
    quantiles: c.quantiles,
    seed: c.seed,
    gradientClipVal: c.gradient_clip_val,
    earlyStoppingPatience: c.early_stopping_patience,
    startingMoney: c.starting_money,
    liveTrading: c.live_trading,
    maxOrderNotional: c.max_order_notional,
    maxRunNotional: c.max_run_notional,
    strategyGrid: grid && { intervalDays: grid.interval_days, numStocksPurchased: grid.num_stocks_purchased, uncertaintyMultiplier: grid.uncertainty_multiplier, volatilityImportance: grid.volatility_importance },
    preferredTradingStrategy: c.preferred_trading_strategy,
    performanceTests,
    metadata,
  };
}

type Fail = (key: string, expected: string, got?: unknown) => void;

function checkFeatures(raw: Record<string, unknown>, fail: Fail): void {
  if (!Array.isArray(raw.features)) return;
  const names = raw.features.filter((f): f is string => typeof f === 'string');
  const unknown = names.filter((f) => !isKnownFeature(f));
  if (unknown.length > 0) fail('features', `known features (valid features are ${FEATURE_NAMES.join(', ')})`, unknown);
  const repeated = names.filter((f, i) => names.indexOf(f) !== i);
  if (repeated.length > 0) fail('features', 'each feature listed once', repeated);
}

function checkTimeFrame(raw: Record<string, unknown>, fail: Fail): TimeFrame | undefined {
  const unit = FIELDS.time_frame_unit.safeParse(raw.time_frame_unit);
  const amount = FIELDS.time_frame_amount.safeParse(raw.time_frame_amount);
  if (!unit.success || !amount.success) return undefined; // already reported by the schema
  try {
    return timeFrameFromSeed(unit.data, amount.data);
  } catch (err) {
    const message = (err as Error).message.replace(/^invalid [^:]*: expected /, '');
    if (/time_frame_unit/.test((err as Error).message)) fail('time_frame_unit', message, raw.time_frame_unit);
    else fail('time_frame_amount', `an amount valid for the unit: ${message}`, raw.time_frame_amount);
    return undefined;
  }
}

function checkDateOrder(raw: Record<string, unknown>, fail: Fail): void {
  const valid = (key: string): string | undefined => {
    const r = isoDate.safeParse(raw[key]);
    return r.success ? r.data : undefined;
  };
  const [trainStart, trainEnd, valEnd, testEnd] = ['train_start', 'train_end', 'val_end', 'test_end'].map(valid);
  if (trainStart && trainEnd && !(trainStart < trainEnd)) fail('train_end', `a date after train_start ${trainStart}`, trainEnd);
  if (trainEnd && valEnd && !(trainEnd <= valEnd)) fail('val_end', `a date on or after train_end ${trainEnd}`, valEnd);
  if (valEnd && testEnd && !(valEnd <= testEnd)) fail('test_end', `a date on or after val_end ${valEnd}`, testEnd);
}

function parsePerformanceTests(raw: Record<string, unknown>, fail: Fail): Record<string, PerformanceTest> {
  const out: Record<string, PerformanceTest> = {};
  for (const [name, block] of Object.entries(raw)) {
    if (!PERFORMANCE_KEY.test(name)) continue;
    // strict, unlike the config's own `_` keys: a typo here would silently trade with a default
    const unknown = isRecord(block) ? Object.keys(block).filter((k) => !PERFORMANCE_TEST_KEYS.includes(k)) : [];
    for (const k of unknown) {
      const close = didYouMean(k, PERFORMANCE_TEST_KEYS);
      fail(`${name}.${k}`, `a key of a _performance_test_N block (${close ? `did you mean ${close}?` : `known keys: ${PERFORMANCE_TEST_KEYS.join(', ')}`})`);
    }
    const r = PERFORMANCE_TEST.safeParse(block);
    if (!r.success) {
      for (const issue of r.error.issues) fail(...zodIssue(issue, block, name));
      continue;
    }
    if (unknown.length > 0) continue;
    const t = r.data;
    out[name] = {
      name,
      strategy: t._test_strategy,
      intervalDays: t._interval_days,
      numStocksPurchased: t._num_stocks_purchased,
      capitalGainsTax: t._capital_gains_tax,
      uncertaintyMultiplier: t._uncertainty_multiplier,
      volatilityImportance: t._volatility_importance,
      compoundMoney: t._compound_money,
      dontBuyNegativeStocks: t._dont_buy_negative_stocks,
      ...(t._buy_weekdays ? { buyWeekdays: t._buy_weekdays } : {}),
      testRange: t._test_range,
      moneyMade: t._money_made,
      annualSharpe: t._annual_sharpe,
    };
  }
  return out;
}

/**
 * The config of `modelId` in the file at `path`, or undefined when there is no such file or the file has no such
 * id (callers then fall back to the config stored with the trained model). An invalid file or config is an error.
 */
export function optionalConfig(path: string, modelId: string): ModelConfig | undefined {
  if (!existsSync(path)) return undefined;
  const file = loadConfigFile(path);
  return file.ids.includes(modelId) ? getConfig(file, modelId) : undefined;
}
