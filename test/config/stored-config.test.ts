import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.js';
import { getConfig, parseConfigText, type ModelConfig } from '../../src/config/seed-config.js';
import { parseStoredConfig } from '../../src/config/stored-config.js';

const YAML = `configs:
  m:
    features: [open, day_of_week, is_earnings_day]
    train_start: "2020-01-01"
    train_end: "2024-01-01"
    val_end: "2025-01-01"
    test_end: "2026-01-01"
    max_lookback_period: 60
    max_prediction_length: 2
    time_frame_unit: Hour
    time_frame_amount: 4
    max_run_notional: 5000
    strategy_grid: { interval_days: [1, 2] }
    preferred_trading_strategy: _performance_test_1
    _performance_test_1:
      _interval_days: 2
      _num_stocks_purchased: 3
    _notes_for_me: kept as metadata
`;

/** What training stores under meta.training.config (stockcast-tft/1): the config without metadata, as JSON. */
function stored(cfg: ModelConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ id: cfg.id, ...Object.fromEntries(Object.entries(cfg).filter(([k]) => k !== 'metadata')) })) as Record<string, unknown>;
}

const SOURCE = 'model artifact m/output/model.tar.gz';
const config = () => getConfig(parseConfigText(YAML, 'configs.yaml'), 'm');

test('a config stored by training reads back as the config it was trained with (metadata left out)', () => {
  const cfg = config();
  assert.equal(cfg.metadata._notes_for_me, 'kept as metadata');
  // JSON drops keys that are undefined; compare the way they are stored
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  assert.deepEqual(json(parseStoredConfig(stored(cfg), SOURCE, 'training.config')), json({ ...cfg, metadata: {} }));
});

test('a config stored before a key existed reads with that key\'s default', () => {
  const old = stored(config());
  for (const k of ['earlyStoppingPatience', 'quantiles', 'liveTrading', 'performanceTests', 'timeFrame']) delete old[k];
  const cfg = parseStoredConfig(old, SOURCE, 'training.config');
  assert.equal(cfg.earlyStoppingPatience, 15);
  assert.deepEqual(cfg.quantiles, [0.3, 0.5, 0.7]);
  assert.equal(cfg.liveTrading, false);
  assert.deepEqual(cfg.performanceTests, {});
  assert.deepEqual(cfg.timeFrame, { amount: 1, unit: 'Day' });
});

test('an invalid stored config is a ConfigError naming the artifact, the config, the key and what was expected', () => {
  const bad = { ...stored(config()), hiddenSize: -1, timeFrame: { amount: 2, unit: 'Day' } };
  delete (bad as Record<string, unknown>).trainEnd;
  assert.throws(
    () => parseStoredConfig(bad, SOURCE, 'training.config'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const lines = e.message.split('\n');
      assert.deepEqual(lines, [
        `${SOURCE}: config "m": key "training.config.trainEnd": expected a date "YYYY-MM-DD" (the key is missing)`,
        `${SOURCE}: config "m": key "training.config.hiddenSize": expected a positive integer, got -1`,
        `${SOURCE}: config "m": key "training.config.timeFrame": expected a time frame {amount, unit} such as {"amount": 1, "unit": "Day"}, got {"amount":2,"unit":"Day"}`,
      ]);
      return true;
    },
  );
  assert.throws(() => parseStoredConfig('nope', SOURCE, 'training.config'), /model artifact m\/output\/model.tar.gz: key "training.config": expected/);
});
