import { z } from 'zod';
import { parseTimeFrame, type TimeFrameUnit } from '../core/time-frame.js';
import { ConfigError } from './config-error.js';
import { FIELDS, PERFORMANCE_TEST, isRecord, zodIssue } from './seed-config-schema.js';
import type { ModelConfig } from './seed-config.js';

// A trained model stores the ModelConfig it was trained with (camelCase, without metadata; artifact format
// stockcast-tft/1). Reading it back reuses the configs.yaml rule of each key, defaults included, so a stored
// config is held to what a config file is, and one stored before a key existed reads with that key's default.

const UNITS: [TimeFrameUnit, ...TimeFrameUnit[]] = ['Min', 'Hour', 'Day', 'Week', 'Month'];
const TIME_FRAME = 'a time frame {amount, unit} such as {"amount": 1, "unit": "Day"}';

const timeFrame = z
  .object({ amount: z.number({ error: TIME_FRAME }).int({ error: TIME_FRAME }), unit: z.enum(UNITS, { error: TIME_FRAME }) }, { error: TIME_FRAME })
  .refine((tf) => isTimeFrame(`${tf.amount}${tf.unit}`), { error: TIME_FRAME })
  .default({ amount: 1, unit: 'Day' });

const T = PERFORMANCE_TEST.shape;
const performanceTest = z.object({
  name: z.string({ error: 'the name of the _performance_test_N block' }),
  strategy: T._test_strategy,
  intervalDays: T._interval_days,
  numStocksPurchased: T._num_stocks_purchased,
  capitalGainsTax: T._capital_gains_tax,
  uncertaintyMultiplier: T._uncertainty_multiplier,
  volatilityImportance: T._volatility_importance,
  compoundMoney: T._compound_money,
  dontBuyNegativeStocks: T._dont_buy_negative_stocks,
  buyWeekdays: T._buy_weekdays,
  testRange: T._test_range,
  moneyMade: T._money_made,
  annualSharpe: T._annual_sharpe,
});

const G = FIELDS.strategy_grid.unwrap().shape;
const strategyGrid = z
  .object({ intervalDays: G.interval_days, numStocksPurchased: G.num_stocks_purchased, uncertaintyMultiplier: G.uncertainty_multiplier, volatilityImportance: G.volatility_importance }, { error: 'a map with optional lists intervalDays, numStocksPurchased, uncertaintyMultiplier, volatilityImportance' })
  .optional();

/** Schema of a stored config: each key held to the rule of its configs.yaml key (defaults included). */
const STORED_CONFIG = z.object({
  id: z.string({ error: 'the config id' }),
  features: FIELDS.features,
  trainStart: FIELDS.train_start,
  trainEnd: FIELDS.train_end,
  valEnd: FIELDS.val_end,
  testEnd: FIELDS.test_end,
  maxLookbackPeriod: FIELDS.max_lookback_period,
  maxPredictionLength: FIELDS.max_prediction_length,
  batchSize: FIELDS.batch_size,
  hiddenSize: FIELDS.hidden_size,
  attentionHeadSize: FIELDS.attention_head_size,
  dropout: FIELDS.dropout,
  hiddenContinuousSize: FIELDS.hidden_continuous_size,
  lstmLayers: FIELDS.lstm_layers,
  learningRate: FIELDS.learning_rate,
  maxEpochs: FIELDS.max_epochs,
  timeFrame,
  reduceOnPlateauPatience: FIELDS.reduce_on_plateau_patience,
  accelerator: FIELDS.accelerator,
  localAccelerator: FIELDS.local_accelerator,
  devices: FIELDS.devices,
  numWorkers: FIELDS.num_workers,
  fineTuningModelId: FIELDS.fine_tuning_model_id,
  notes: FIELDS.notes,
  target: FIELDS.target,
  quantiles: FIELDS.quantiles,
  seed: FIELDS.seed,
  gradientClipVal: FIELDS.gradient_clip_val,
  earlyStoppingPatience: FIELDS.early_stopping_patience,
  startingMoney: FIELDS.starting_money,
  liveTrading: FIELDS.live_trading,
  maxOrderNotional: FIELDS.max_order_notional,
  maxRunNotional: FIELDS.max_run_notional,
  strategyGrid,
  preferredTradingStrategy: FIELDS.preferred_trading_strategy,
  performanceTests: z.record(z.string(), performanceTest, { error: 'a map of recorded strategy tests by name' }).default({}),
});

/**
 * Validates the config stored with a trained model (`source` names the artifact in messages; `prefix` is where
 * the config sits in it). An invalid one is a ConfigError naming the artifact, the key and what was expected.
 */
export function parseStoredConfig(raw: unknown, source: string, prefix: string): ModelConfig {
  const parsed = STORED_CONFIG.safeParse(raw);
  if (!parsed.success) {
    const configId = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    throw new ConfigError(source, parsed.error.issues.map((issue) => {
      const [key, expected, got] = zodIssue(issue, raw, prefix);
      return { configId, key, expected, got };
    }));
  }
  return { ...parsed.data, metadata: {} };
}

function isTimeFrame(text: string): boolean {
  try {
    parseTimeFrame(text);
    return true;
  } catch {
    return false;
  }
}
