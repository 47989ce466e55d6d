import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { getConfig, loadConfigFile, optionalConfig, parseConfigText } from '../../src/config/seed-config.js';

const SEED = fileURLToPath(new URL('../fixtures/configs.yaml', import.meta.url));
const FAVOURITE = 'm1-medium-high-with-less-features-and-earnings-calendar-features';

/** Writes `text` as a YAML file in a fresh temp dir, runs `fn` on its path, and removes the dir. */
function withYaml<T>(text: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'sc-cfg-'));
  try {
    const path = join(dir, 'configs.yaml');
    writeFileSync(path, text);
    return fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BASE = `features: [open, day_of_week]
train_start: "2020-01-01"
train_end: "2024-01-01"
val_end: "2025-01-01"
test_end: "2026-01-01"
max_lookback_period: 60
max_prediction_length: 2`;

/** A configs.yaml with one config `bad-one` whose body is `body`. */
const one = (body: string) => `configs:\n  bad-one:\n${body
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}\n`;

/** The message of the error `getConfig` throws for `bad-one` of a temp file with this body. */
function errorOf(body: string): { message: string; file: string } {
  return withYaml(one(body), (path) => {
    const file = loadConfigFile(path);
    try {
      getConfig(file, 'bad-one');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return { message: e.message, file: path };
    }
    assert.fail('expected a ConfigError');
  });
}

test('every config of the seed configs.yaml parses unchanged', () => {
  const ids = Object.keys((parse(readFileSync(SEED, 'utf8')) as { configs: object }).configs);
  const file = loadConfigFile(SEED, { strict: true });
  assert.ok(ids.length >= 10);
  assert.deepEqual(file.ids, ids);
  assert.deepEqual([...file.configs.keys()], ids);
  assert.equal(file.errors.size, 0);
  assert.deepEqual(file.warnings, []);
  for (const id of ids) {
    const cfg = getConfig(file, id);
    assert.equal(cfg.id, id);
    assert.equal(cfg.maxPredictionLength, 2);
    assert.deepEqual(cfg.timeFrame, { amount: 1, unit: 'Day' });
    assert.deepEqual(cfg.quantiles, [0.3, 0.5, 0.7]);
    assert.equal(cfg.target, 'open');
    assert.ok(cfg.features.includes('open'));
  }
});

test('typed values, metadata and the preferred strategy of the favourite config', () => {
  const cfg = getConfig(loadConfigFile(SEED), FAVOURITE);
  assert.equal(cfg.hiddenSize, 32);
  assert.equal(cfg.attentionHeadSize, 4);
  assert.equal(cfg.hiddenContinuousSize, 16);
  assert.equal(cfg.batchSize, 2048);
  assert.equal(cfg.learningRate, 0.001);
  assert.equal(cfg.maxLookbackPeriod, 60);
  assert.equal(cfg.reduceOnPlateauPatience, 5);
  assert.deepEqual(cfg.features, ['open', 'day_of_week', 'day_of_month', 'month', 'year', 'surprise', 'is_earnings_day']);
  assert.equal(cfg.trainStart, '2020-01-01');
  assert.equal(cfg.trainEnd, '2024-01-01');
  assert.equal(cfg.valEnd, '2025-01-01');
  assert.equal(cfg.testEnd, '2026-01-01');
  assert.equal(cfg.accelerator, 'mps');
  assert.equal(cfg.numWorkers, 4);
  assert.equal(cfg.metadata._best_val_loss, 3.830369);
  assert.equal(cfg.metadata._favorite, true);
  assert.equal(cfg.metadata.total_params, '59.3 K');
  assert.equal((cfg.metadata._performance_test_1 as Record<string, unknown>)._test_range, '2025-01-01 - 2026-01-01');
  assert.equal(cfg.preferredTradingStrategy, '_performance_test_1');
  assert.deepEqual(cfg.performanceTests._performance_test_1, {
    name: '_performance_test_1',
    strategy: 'SimpleXDaysAheadBuying',
    intervalDays: 2,
    numStocksPurchased: 50,
    capitalGainsTax: 0.35,
    uncertaintyMultiplier: 0.3,
    volatilityImportance: 0.5,
    compoundMoney: true,
    dontBuyNegativeStocks: true,
    testRange: '2025-01-01 - 2026-01-01',
    moneyMade: 32534.86328125,
    annualSharpe: 2.2221535285706975,
  });
});

test('seed configs keep informational keys, runtime hints and fine-tuning parents', () => {
  const file = loadConfigFile(SEED);
  const sagemaker = getConfig(file, 'sagemaker-simple-daily-1-with-time-features');
  assert.equal(sagemaker.localAccelerator, 'mps');
  assert.equal(sagemaker.devices, 1);
  assert.equal(sagemaker.batchSize, 16384);
  assert.equal(sagemaker.notes, 'todo - run in progress');
  assert.equal(sagemaker.metadata._instance_type, 'ml.g4dn.xlarge');
  const medium = getConfig(file, 'm1-medium-daily-1-with-time-features-and-faster-learning-rate');
  assert.equal(medium.metadata.best_val_loss, 2.89);
  assert.equal(medium.metadata.train_loss, 2.580746);
  assert.match(String(medium.metadata.feature_importance_notes), /^encoder variable importance/);
  assert.deepEqual(medium.performanceTests, {});
  assert.equal(medium.preferredTradingStrategy, undefined);
  const tuned = getConfig(file, 'm1-simple-daily-1-with-time-features-fine-tuned');
  assert.equal(tuned.fineTuningModelId, 'm1-simple-daily-1-with-time-features');
  assert.equal(tuned.learningRate, 0.0001);
});

test('stockcast extensions are typed and defaulted', () => {
  const defaults = getConfig(parseConfigText(one(BASE), 'x.yaml'), 'bad-one');
  assert.equal(defaults.seed, 42);
  assert.equal(defaults.gradientClipVal, 0.1);
  assert.equal(defaults.earlyStoppingPatience, 15);
  assert.equal(defaults.startingMoney, 25000);
  assert.equal(defaults.liveTrading, false);
  assert.equal(defaults.maxOrderNotional, undefined);
  assert.equal(defaults.strategyGrid, undefined);
  const ext = `${BASE}
target: log_return_close
quantiles: [0.1, 0.5, 0.9]
seed: 7
starting_money: 1000.5
live_trading: true
max_order_notional: 100
max_run_notional: 500
strategy_grid:
  interval_days: [1, 3]
  uncertainty_multiplier: [0, 0.25]`;
  const cfg = getConfig(parseConfigText(one(ext), 'x.yaml'), 'bad-one');
  assert.equal(cfg.target, 'log_return_close');
  assert.deepEqual(cfg.quantiles, [0.1, 0.5, 0.9]);
  assert.equal(cfg.seed, 7);
  assert.equal(cfg.startingMoney, 1000.5);
  assert.equal(cfg.liveTrading, true);
  assert.equal(cfg.maxOrderNotional, 100);
  assert.equal(cfg.maxRunNotional, 500);
  assert.deepEqual(cfg.strategyGrid, { intervalDays: [1, 3], numStocksPurchased: undefined, uncertaintyMultiplier: [0, 0.25], volatilityImportance: undefined });
});

test('an unknown feature lists the valid ones', () => {
  const { message, file } = errorOf(BASE.replace('[open, day_of_week]', '[open, opne]'));
  assert.equal(message, `${file}: config "bad-one": key "features": expected known features (valid features are open, close, high, low, trade_count, volume, vwap, surprise, year, month, day_of_month, day_of_week, hour_of_day, minute_of_day, is_earnings_day, vix_open, vix_close, market_open_return, market_close_return), got ["opne"]`);
});

test('dates must be real and ordered', () => {
  assert.match(errorOf(BASE.replace('train_end: "2024-01-01"', 'train_end: "2019-01-01"')).message, /config "bad-one": key "train_end": expected a date after train_start 2020-01-01, got "2019-01-01"$/);
  assert.match(errorOf(BASE.replace('test_end: "2026-01-01"', 'test_end: "2024-06-01"')).message, /key "test_end": expected a date on or after val_end 2025-01-01, got "2024-06-01"$/);
  assert.match(errorOf(BASE.replace('"2025-01-01"', '"2025-02-30"')).message, /key "val_end": expected a date "YYYY-MM-DD", got "2025-02-30"$/);
  assert.match(errorOf(BASE.replace('train_start: "2020-01-01"\n', '')).message, /key "train_start": expected a date "YYYY-MM-DD" \(the key is missing\)$/);
});

test('numbers out of range name the key, the expectation and the value', () => {
  assert.match(errorOf(`${BASE}\ndropout: abc`).message, /config "bad-one": key "dropout": expected a number between 0 and 1, got "abc"$/);
  assert.match(errorOf(`${BASE}\ndropout: 1.5`).message, /key "dropout": expected a number between 0 and 1, got 1.5$/);
  assert.match(errorOf(`${BASE}\nhidden_size: 0`).message, /key "hidden_size": expected a positive integer, got 0$/);
  assert.match(errorOf(`${BASE}\ntime_frame_unit: Fortnight`).message, /key "time_frame_unit": expected Minute, Hour, Day, Week or Month, got "Fortnight"$/);
  assert.match(errorOf(`${BASE}\nquantiles: [0.7, 0.5, 0.3]`).message, /key "quantiles": expected an ascending list/);
  assert.match(errorOf(`${BASE}\nstrategy_grid: {interval_days: [1, -2]}`).message, /key "strategy_grid.interval_days\[1\]": expected a positive integer, got -2$/);
});

test('all problems of a config are reported at once', () => {
  const { message } = errorOf(`${BASE.replace('60', '-1')}\ndropout: -1\nlearning_rate: 0\nhiden_size: 8`);
  const lines = message.split('\n');
  assert.equal(lines.length, 4);
  assert.ok(lines.some((l) => l.includes('key "max_lookback_period": expected a positive integer, got -1')));
  assert.ok(lines.some((l) => l.includes('key "dropout"')));
  assert.ok(lines.some((l) => l.includes('key "learning_rate": expected a positive number, got 0')));
  assert.ok(lines.some((l) => l.endsWith('key "hiden_size": expected a known key (did you mean hidden_size?)')));
});

test('unknown keys that are no typo are kept as metadata with a warning', () => {
  const file = parseConfigText(one(`${BASE}\nmy_custom_note: hello`), 'my.yaml');
  assert.deepEqual(file.warnings, ['config "bad-one": unknown key "my_custom_note" kept as metadata']);
  assert.equal(getConfig(file, 'bad-one').metadata.my_custom_note, 'hello');
});

test('the preferred strategy must name a performance test block of the same config', () => {
  assert.match(
    errorOf(`${BASE}\npreferred_trading_strategy: _performance_test_9\n_performance_test_1:\n  _interval_days: 2`).message,
    /key "preferred_trading_strategy": expected the name of a _performance_test_N block of this config \(_performance_test_1\), got "_performance_test_9"$/,
  );
  assert.match(errorOf(`${BASE}\n_performance_test_1:\n  _interval_days: soon`).message, /key "_performance_test_1._interval_days": expected a positive integer, got "soon"$/);
});

test('a _performance_test_N block is strict: a typo is an error with a did-you-mean, never a silent default', () => {
  const block = (body: string) => errorOf(`${BASE}\n_performance_test_1:\n${body}`).message;
  assert.match(block('  _num_stock_purchased: 50'), /key "_performance_test_1\._num_stock_purchased": expected a key of a _performance_test_N block \(did you mean _num_stocks_purchased\?\)$/);
  assert.match(block('  _my_note: hi'), /key "_performance_test_1\._my_note": expected a key of a _performance_test_N block \(known keys: _test_strategy, _test_range, _interval_days/);
  assert.match(block('  _test_strategy: VolatilityRankin'), /key "_performance_test_1\._test_strategy": expected one of SimpleXDaysAheadBuying, VolatilityRanking \(did you mean VolatilityRanking\?\), got "VolatilityRankin"$/);
  assert.match(block("  _test_range: '2025-01-01 to 2026'"), /key "_performance_test_1\._test_range": expected a date range "YYYY-MM-DD - YYYY-MM-DD"/);
  assert.match(block('  _buy_weekdays: [Saturday]'), /key "_performance_test_1\._buy_weekdays\[0\]": expected a non-empty list of weekdays/);
  assert.match(block('  _capital_gains_tax: 1'), /key "_performance_test_1\._capital_gains_tax": expected a rate in \[0, 1\), got 1$/);
  assert.match(block('  _volatility_importance: 2'), /key "_performance_test_1\._volatility_importance": expected a number in \[0, 1\], got 2$/);
  const ok = getConfig(parseConfigText(one(`${BASE}\n_performance_test_1:\n  _buy_weekdays: [Fri, 0, monday]\n  _test_strategy: VolatilityRanking`), 'my.yaml'), 'bad-one');
  assert.deepEqual(ok.performanceTests._performance_test_1!.buyWeekdays, [0, 4]);
  assert.equal(ok.performanceTests._performance_test_1!.strategy, 'VolatilityRanking');
  assert.equal(ok.performanceTests._performance_test_1!.capitalGainsTax, 0.35, 'the one default everywhere');
});

test('an invalid config fails only when it is used; strict loading fails at once', () => {
  const text = `${one(BASE.replace('[open, day_of_week]', '[opne]'))}  good-one:\n${BASE.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
  const file = parseConfigText(text, 'two.yaml');
  assert.equal(getConfig(file, 'good-one').id, 'good-one');
  assert.throws(() => getConfig(file, 'bad-one'), /two\.yaml: config "bad-one": key "features"/);
  assert.deepEqual(file.warnings, ['config "bad-one" is invalid (1 problem(s)); it fails when used']);
  assert.throws(() => parseConfigText(text, 'two.yaml', { strict: true }), /two\.yaml: config "bad-one": key "features"/);
});

test('file-level problems name the file', () => {
  withYaml('nothing: here\n', (path) => assert.throws(() => loadConfigFile(path), (e: Error) => e.message === `${path}: key "configs": expected a top-level "configs" map of config id → settings`));
  withYaml('configs: [unclosed\n', (path) => assert.throws(() => loadConfigFile(path), (e: Error) => e.message.startsWith(`${path}: expected valid YAML (`)));
  const missing = join(tmpdir(), 'sc-no-such-dir', 'configs.yaml');
  assert.throws(() => loadConfigFile(missing), (e: Error) => e.message === `${missing}: expected a readable YAML file (ENOENT)`);
});

test('an unknown id lists the ids of the file', () => {
  const file = loadConfigFile(SEED);
  assert.throws(
    () => getConfig(file, 'nope'),
    (e: Error) => e.message.startsWith(`${SEED}: config "nope": expected one of the config ids in the file: sagemaker-simple-daily-1-with-time-features, m1-simple-daily-1-with-time-features,`) && e.message.includes(FAVOURITE),
  );
});

test('optionalConfig: no file or no such id gives undefined (the trained model\'s config is used); an invalid file is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-optcfg-'));
  try {
    const path = join(dir, 'configs.yaml');
    assert.equal(optionalConfig(path, 'any'), undefined);
    writeFileSync(path, readFileSync(SEED, 'utf8'));
    const id = loadConfigFile(SEED).ids[0]!;
    assert.equal(optionalConfig(path, id)?.id, id);
    assert.equal(optionalConfig(path, 'not-in-the-file'), undefined);
    writeFileSync(path, 'configs:\n  m1:\n    dropout: 1.5\n');
    assert.throws(() => optionalConfig(path, 'm1'), (e: Error) => e.message.includes(path) && e.message.includes('dropout'));
    writeFileSync(path, 'configs: {bad');
    assert.throws(() => optionalConfig(path, 'm1'), /expected valid YAML/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
