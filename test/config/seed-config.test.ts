import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { getConfig, loadConfigFile, parseConfigText } from '../../src/config/seed-config.js';

const SEED = fileURLToPath(new URL('../../../shared/seed/configs.yaml', import.meta.url));

test('every config of the seed configs.yaml parses unchanged', () => {
  const ids = Object.keys((parse(readFileSync(SEED, 'utf8')) as { configs: object }).configs);
  const file = loadConfigFile(SEED);
  assert.equal(ids.length, 10);
  assert.deepEqual([...file.configs.keys()], ids);
  for (const id of ids) {
    const cfg = getConfig(file, id);
    assert.equal(cfg.maxLookbackPeriod > 0, true);
    assert.deepEqual(cfg.timeFrame, { amount: 1, unit: 'Day' });
    assert.deepEqual(cfg.quantiles, [0.3, 0.5, 0.7]);
  }
});

test('typed values, metadata and the preferred strategy of the favourite config', () => {
  const cfg = getConfig(loadConfigFile(SEED), 'm1-medium-high-with-less-features-and-earnings-calendar-features');
  assert.equal(cfg.hiddenSize, 32);
  assert.equal(cfg.attentionHeadSize, 4);
  assert.equal(cfg.hiddenContinuousSize, 16);
  assert.equal(cfg.learningRate, 0.001);
  assert.deepEqual(cfg.features, ['open', 'day_of_week', 'day_of_month', 'month', 'year', 'surprise', 'is_earnings_day']);
  assert.equal(cfg.trainStart, '2020-01-01');
  assert.equal(cfg.testEnd, '2026-01-01');
  assert.equal(cfg.metadata._best_val_loss, 3.830369);
  assert.equal(cfg.metadata._favorite, true);
  assert.equal(cfg.metadata.total_params, '59.3 K');
  assert.equal(cfg.preferredTradingStrategy, '_performance_test_1');
  const p = cfg.performanceTests._performance_test_1!;
  assert.equal(p.strategy, 'SimpleXDaysAheadBuying');
  assert.equal(p.intervalDays, 2);
  assert.equal(p.numStocksPurchased, 50);
  assert.equal(p.uncertaintyMultiplier, 0.3);
  assert.equal(p.capitalGainsTax, 0.35);
  assert.equal(p.moneyMade, 32534.86328125);
});

test('fine-tuning config keeps its parent id', () => {
  const cfg = getConfig(loadConfigFile(SEED), 'm1-simple-daily-1-with-time-features-fine-tuned');
  assert.equal(cfg.fineTuningModelId, 'm1-simple-daily-1-with-time-features');
});

const one = (body: string) => `configs:\n  bad-one:\n${body
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}\n`;
const BASE = `features: [open, day_of_week]
train_start: "2020-01-01"
train_end: "2024-01-01"
val_end: "2025-01-01"
test_end: "2026-01-01"
max_lookback_period: 60
max_prediction_length: 2`;

test('bad inputs name the file, the config, the key and what was expected', () => {
  assert.throws(
    () => parseConfigText(one(BASE.replace('[open, day_of_week]', '[open, opne]')), 'my.yaml'),
    /my\.yaml: config "bad-one": key "features": expected known features \(open, close, .*\), got \["opne"\]/,
  );
  assert.throws(
    () => parseConfigText(one(BASE.replace('train_end: "2024-01-01"', 'train_end: "2019-01-01"')), 'my.yaml'),
    /key "train_end": expected a date after train_start 2020-01-01, got "2019-01-01"/,
  );
  assert.throws(() => parseConfigText(one(`${BASE}\ndropout: 1.5`), 'my.yaml'), /key "dropout": expected a number between 0 and 1, got 1.5/);
  assert.throws(() => parseConfigText(one(`${BASE}\nhiden_size: 8`), 'my.yaml'), /key "hiden_size": expected a known key \(did you mean hidden_size\?\)/);
  assert.throws(() => parseConfigText(one(`${BASE}\npreferred_trading_strategy: _performance_test_9`), 'my.yaml'), /key "preferred_trading_strategy"/);
  assert.throws(() => parseConfigText(one(BASE.replace('"2025-01-01"', '"2025-02-30"')), 'my.yaml'), /key "val_end": expected a date "YYYY-MM-DD", got "2025-02-30"/);
  assert.throws(() => parseConfigText('nothing: here\n', 'my.yaml'), /my\.yaml: key "configs": expected a top-level "configs" map/);
  assert.throws(() => parseConfigText('configs: [unclosed\n', 'my.yaml'), /my\.yaml: expected valid YAML/);
  assert.throws(() => loadConfigFile('/no/such/configs.yaml'), /\/no\/such\/configs\.yaml: expected a readable YAML file \(ENOENT\)/);
  assert.throws(() => getConfig(parseConfigText(one(BASE), 'my.yaml'), 'nope'), /config "nope": expected one of the config ids in the file: bad-one/);
});

test('several problems are all reported at once; unknown keys become warnings', () => {
  const err = (() => {
    try {
      parseConfigText(one(`${BASE}\ndropout: -1\nlearning_rate: 0`), 'my.yaml');
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  assert.ok(err);
  assert.match(err.message, /dropout/);
  assert.match(err.message, /learning_rate/);
  const file = parseConfigText(one(`${BASE}\nmy_custom_note: hello`), 'my.yaml');
  assert.deepEqual(file.warnings, ['config "bad-one": unknown key "my_custom_note" kept as metadata']);
  assert.equal(file.configs.get('bad-one')!.metadata.my_custom_note, 'hello');
});
