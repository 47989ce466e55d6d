import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getConfig, parseConfigText } from '../../src/config/seed-config.js';
import { foldConfig, foldFingerprint, planFolds } from '../../src/pipeline/walk-forward-folds.js';

const config = getConfig(
  parseConfigText(
    `configs:
  m:
    features: [open]
    train_start: "2015-01-01"
    train_end: "2017-01-01"
    val_end: "2018-01-01"
    test_end: "2019-01-01"
    max_lookback_period: 10
    max_prediction_length: 2
`,
    'configs.yaml',
  ),
  'm',
);

test('folds by year: each test year follows a validation period as long as the config\'s, on an expanding window', () => {
  const folds = planFolds(config, { testYears: [2018, 2017] });
  // validation train_end … val_end is 365 days
  assert.deepEqual(
    folds.map((f) => [f.modelId, f.trainStart, f.trainEnd, f.valEnd, f.testEnd]),
    [
      ['m--wf-2017-01-01-2018-01-01', '2015-01-01', '2016-01-02', '2017-01-01', '2018-01-01'],
      ['m--wf-2018-01-01-2019-01-01', '2015-01-01', '2017-01-01', '2018-01-01', '2019-01-01'],
    ],
  );
  assert.throws(() => planFolds(config, { testYears: [2015] }), /fold 1 \(test 2015-01-01 … 2016-01-01\) would train on nothing/);
});

test('n folds cut the config\'s test range into equal consecutive periods', () => {
  const folds = planFolds(config, { folds: 4 });
  // 365 days: boundaries at 0, 91, 183, 274, 365 days after 2018-01-01
  assert.deepEqual(folds.map((f) => [f.valEnd, f.testEnd]), [['2018-01-01', '2018-04-02'], ['2018-04-02', '2018-07-03'], ['2018-07-03', '2018-10-02'], ['2018-10-02', '2019-01-01']]);
  assert.deepEqual(folds.map((f) => f.trainEnd), ['2017-01-01', '2017-04-02', '2017-07-03', '2017-10-02']);
  assert.throws(() => planFolds(config, { folds: 0 }), /--folds: expected an integer >= 1, got 0/);
});

test('a fold trains the same model on its own dates; a changed config changes its fingerprint', () => {
  const [fold] = planFolds(config, { folds: 1 });
  const fc = foldConfig(config, fold!);
  assert.deepEqual([fc.id, fc.trainEnd, fc.valEnd, fc.testEnd, fc.hiddenSize], ['m--wf-2018-01-01-2019-01-01', '2017-01-01', '2018-01-01', '2019-01-01', config.hiddenSize]);
  assert.notEqual(foldFingerprint(fc), foldFingerprint({ ...fc, hiddenSize: fc.hiddenSize + 1 }));
  assert.equal(foldFingerprint(fc), foldFingerprint({ ...fc, metadata: { note: 'metadata does not count' } }));
});
