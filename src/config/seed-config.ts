import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { FEATURE_NAMES, isKnownFeature } from '../features/feature-catalog.js';
import { timeFrameFromSeed, type TimeFrame } from '../core/time-frame.js';
import { ConfigError, type ConfigIssue } from './config-error.js';

/** A recorded strategy test of the seed (`_performance_test_N` blocks). */
export interface PerformanceTest {
  name: string;
  strategy: string;
  intervalDays: number;
  numStocksPurchased: number;
  capitalGainsTax: number;
  uncertaintyMultiplier: number;
  compoundMoney: boolean;
  dontBuyNegativeStocks: boolean;
  moneyMade?: number;
  annualSharpe?: number;
}

/** Target variable: the seed's `open`, `close`, or a log return of either. */
export type TargetName = 'open' | 'close' | 'log_return_open' | 'log_return_close';

/** One model config of configs.yaml, typed and validated. */
export interface ModelConfig {
  id: string;
  features: string[];
  trainStart: string;
  trainEnd: string;
  valEnd: string;
  testEnd: string;
  maxLookbackPeriod: number;
  maxPredictionLength: number;
  batchSize: number;
  hiddenSize: number;
  attentionHeadSize: number;
  dropout: number;
  hiddenContinuousSize: number;
  lstmLayers: number;
  learningRate: number;
  maxEpochs: number;
  timeFrame: TimeFrame;
  reduceOnPlateauPatience: number;
  fineTuningModelId?: string;
  notes?: string;
  /** stockcast extension: target variable (default `open`). */
  target: TargetName;
  /** stockcast extension: forecast quantiles (default the seed's [0.3, 0.5, 0.7]). */
  quantiles: number[];
  /** stockcast extension: random seed (default 42). */
  seed: number;
  /** stockcast extension: gradient clipping norm (default 0.1; 0 disables). */
  gradientClipVal: number;
  /** stockcast extension: early-stopping patience in epochs (default 15, as the seed). */
  earlyStoppingPatience: number;
  /** stockcast extension: money a first trading run starts with (default 25000). */
  startingMoney: number;
  /** stockcast extension: allow live trading for this model (default false; also needs --live). */
  liveTrading: boolean;
  /** stockcast extension: notional caps per order and per run. */
  maxOrderNotional?: number;
  maxRunNotional?: number;
  /** stockcast extension: the evaluation grid (defaults to the seed's grid). */
  strategyGrid?: { intervalDays?: number[]; numStocksPurchased?: number[]; uncertaintyMultiplier?: number[] };
  /** Name of the preferred `_performance_test_N` block, when set. */
  preferredTradingStrategy?: string;
  performanceTests: Record<string, PerformanceTest>;
  /** Every underscore key and informational key, verbatim. */
  metadata: Record<string, unknown>;
}

/** A parsed configs.yaml. */
export interface ConfigFile {
  path: string;
  configs: Map<string, ModelConfig>;
  /** Unknown keys kept as metadata, worth a look. */
  warnings: string[];
}

const INFORMATIONAL = new Set(['notes', 'best_val_loss', 'train_loss', 'trainable_params', 'total_params', 'feature_importance_notes']);
const ACCEPTED_UNUSED = new Set(['accelerator', 'local_accelerator', 'devices', 'num_workers']);
const KNOWN = new Set([
  'features', 'train_start', 'train_end', 'val_end', 'test_end', 'max_lookback_period', 'max_prediction_length', 'batch_size',
  'hidden_size', 'attention_head_size', 'dropout', 'hidden_continuous_size', 'lstm_layers', 'learning_rate', 'max_epochs',
  'time_frame_unit', 'time_frame_amount', 'reduce_on_plateau_patience', 'fine_tuning_model_id', 'preferred_trading_strategy',
  'target', 'quantiles', 'seed', 'gradient_clip_val', 'early_stopping_patience', 'starting_money', 'live_trading',
  'max_order_notional', 'max_run_notional', 'strategy_grid', ...INFORMATIONAL, ...ACCEPTED_UNUSED,
]);

/** Reads and validates a configs.yaml file (the seed's format, unchanged). */
export function loadConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ expected: `a readable YAML file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  return parseConfigText(text, path);
}

/** Parses configs.yaml text; `path` is only used in messages. */
export function parseConfigText(text: string, path: string): ConfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(path, [{ expected: `valid YAML (${(err as Error).message.split('\n')[0]})` }]);
  }
  const configs = (doc as { configs?: unknown } | null)?.configs;
  if (!isRecord(configs)) throw new ConfigError(path, [{ key: 'configs', expected: 'a top-level "configs" map of config id → settings' }]);
  const out = new Map<string, ModelConfig>();
  const warnings: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const [id, raw] of Object.entries(configs)) {
    if (!isRecord(raw)) {
      issues.push({ configId: id, expected: 'a map of settings' });
      continue;
    }
    const cfg = parseOne(id, raw, issues, warnings);
    if (cfg) out.set(id, cfg);
  }
  if (issues.length > 0) throw new ConfigError(path, issues);
  return { path, configs: out, warnings };
}

/** The config with this id, or an error listing the ids the file has. */
export function getConfig(file: ConfigFile, id: string): ModelConfig {
  const cfg = file.configs.get(id);
  if (!cfg) {
    throw new ConfigError(file.path, [{ configId: id, expected: `one of the config ids in the file: ${[...file.configs.keys()].join(', ')}` }]);
  }
  return cfg;
}

function parseOne(id: string, raw: Record<string, unknown>, issues: ConfigIssue[], warnings: string[]): ModelConfig | undefined {
  const before = issues.length;
  const fail = (key: string, expected: string, got?: unknown) => issues.push({ configId: id, key, expected, got });
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('_') || INFORMATIONAL.has(k)) metadata[k] = v;
    else if (!KNOWN.has(k)) {
      const close = [...KNOWN].find((known) => editDistance(k, known) <= 2);
      if (close) fail(k, `a known key (did you mean ${close}?)`);
      else {
        metadata[k] = v;
        warnings.push(`config "${id}": unknown key "${k}" kept as metadata`);
      }
    }
  }
  const int = (key: string, def?: number, min = 1): number => {
    const v = raw[key] ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(key, `an integer >= ${min}`, v);
    return v as number;
  };
  const num = (key: string, def: number | undefined, ok: (n: number) => boolean, what: string): number => {
    const v = raw[key] ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(key, what, v);
    return v as number;
  };
  const date = (key: string): string => {
    const v = raw[key];
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
      fail(key, 'a date "YYYY-MM-DD"', v);
    }
    return v as string;
  };
  const features = raw.features;
  if (!Array.isArray(features) || features.length === 0 || features.some((f) => typeof f !== 'string')) {
    fail('features', 'a non-empty list of feature names', features);
  } else {
    const unknown = features.filter((f) => !isKnownFeature(f as string));
    if (unknown.length > 0) fail('features', `known features (${FEATURE_NAMES.join(', ')})`, unknown);
  }
  const trainStart = date('train_start');
  const trainEnd = date('train_end');
  const valEnd = date('val_end');
  const testEnd = date('test_end');
  if (trainStart && trainEnd && valEnd && testEnd && issues.length === before) {
    if (!(trainStart < trainEnd)) fail('train_end', `a date after train_start ${trainStart}`, trainEnd);
    if (!(trainEnd <= valEnd)) fail('val_end', `a date on or after train_end ${trainEnd}`, valEnd);
    if (!(valEnd <= testEnd)) fail('test_end', `a date on or after val_end ${valEnd}`, testEnd);
  }
  let timeFrame: TimeFrame | undefined;
  try {
    timeFrame = timeFrameFromSeed(String(raw.time_frame_unit ?? 'Day'), Number(raw.time_frame_amount ?? 1));
  } catch (err) {
    fail('time_frame_unit', (err as Error).message.replace(/^invalid [^:]*: expected /, ''), raw.time_frame_unit);
  }
  const target = (raw.target ?? 'open') as TargetName;
  if (!['open', 'close', 'log_return_open', 'log_return_close'].includes(target)) fail('target', 'open, close, log_return_open or log_return_close', target);
  const quantiles = (raw.quantiles ?? [0.3, 0.5, 0.7]) as number[];
  if (!Array.isArray(quantiles) || quantiles.length === 0 || quantiles.some((q, i) => typeof q !== 'number' || q <= 0 || q >= 1 || (i > 0 && q <= quantiles[i - 1]!))) {
    fail('quantiles', 'an ascending list of numbers between 0 and 1', raw.quantiles);
  }
  const performanceTests: Record<string, PerformanceTest> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!/^_performance_test_\d+$/.test(k) || !isRecord(v)) continue;
    performanceTests[k] = {
      name: k,
      strategy: String(v._test_strategy ?? 'SimpleXDaysAheadBuying'),
      intervalDays: Number(v._interval_days ?? 1),
      numStocksPurchased: Number(v._num_stocks_purchased ?? 10),
      capitalGainsTax: Number(v._capital_gains_tax ?? 0),
      uncertaintyMultiplier: Number(v._uncertainty_multiplier ?? 0),
      compoundMoney: Boolean(v._compound_money ?? true),
      dontBuyNegativeStocks: Boolean(v._dont_buy_negative_stocks ?? true),
      moneyMade: typeof v._money_made === 'number' ? v._money_made : undefined,
      annualSharpe: typeof v._annual_sharpe === 'number' ? v._annual_sharpe : undefined,
    };
  }
  const preferred = raw.preferred_trading_strategy;
  if (preferred !== undefined && (typeof preferred !== 'string' || !performanceTests[preferred])) {
    fail('preferred_trading_strategy', `the name of a _performance_test_N block of this config (${Object.keys(performanceTests).join(', ') || 'none defined'})`, preferred);
  }
  const grid = raw.strategy_grid;
  if (grid !== undefined && !isRecord(grid)) fail('strategy_grid', 'a map with interval_days, num_stocks_purchased, uncertainty_multiplier lists');
  const cfg: ModelConfig = {
    id,
    features: features as string[],
    trainStart,
    trainEnd,
    valEnd,
    testEnd,
    maxLookbackPeriod: int('max_lookback_period'),
    maxPredictionLength: int('max_prediction_length'),
    batchSize: int('batch_size', 2048),
    hiddenSize: int('hidden_size', 16),
    attentionHeadSize: int('attention_head_size', 1),
    dropout: num('dropout', 0.1, (n) => n >= 0 && n < 1, 'a number between 0 and 1'),
    hiddenContinuousSize: int('hidden_continuous_size', 8),
    lstmLayers: int('lstm_layers', 1),
    learningRate: num('learning_rate', 0.001, (n) => n > 0, 'a positive number'),
    maxEpochs: int('max_epochs', 50),
    timeFrame: timeFrame ?? { amount: 1, unit: 'Day' },
    reduceOnPlateauPatience: int('reduce_on_plateau_patience', 5),
    fineTuningModelId: typeof raw.fine_tuning_model_id === 'string' ? raw.fine_tuning_model_id : undefined,
    notes: typeof raw.notes === 'string' ? raw.notes : undefined,
    target,
    quantiles,
    seed: int('seed', 42, 0),
    gradientClipVal: num('gradient_clip_val', 0.1, (n) => n >= 0, 'a number >= 0'),
    earlyStoppingPatience: int('early_stopping_patience', 15),
    startingMoney: num('starting_money', 25_000, (n) => n > 0, 'a positive amount of money'),
    liveTrading: raw.live_trading === true,
    maxOrderNotional: raw.max_order_notional === undefined ? undefined : num('max_order_notional', undefined, (n) => n > 0, 'a positive number'),
    maxRunNotional: raw.max_run_notional === undefined ? undefined : num('max_run_notional', undefined, (n) => n > 0, 'a positive number'),
    strategyGrid: isRecord(grid)
      ? {
          intervalDays: grid.interval_days as number[] | undefined,
          numStocksPurchased: grid.num_stocks_purchased as number[] | undefined,
          uncertaintyMultiplier: grid.uncertainty_multiplier as number[] | undefined,
        }
      : undefined,
    preferredTradingStrategy: typeof preferred === 'string' ? preferred : undefined,
    performanceTests,
    metadata,
  };
  return issues.length === before ? cfg : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
