import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFeatures } from '../../src/dataset/feature-checks.js';
import type { WideFrame } from '../../src/core/wide-frame.js';
import { nyMidnightUtc } from '../../src/core/ny-time.js';

const DATES = ['2020-06-01', '2020-06-02', '2021-03-01', '2021-03-02', '2022-03-01'];
const cfg = { features: ['open', 'year', 'day_of_week', 'surprise', 'volume'], target: 'close' as 'open' | 'close', encoderLength: 1, decoderLength: 1, quantiles: [0.3, 0.5, 0.7], trainStart: '2020-01-01', trainEnd: '2021-01-01', valEnd: '2022-01-01', testEnd: '2023-01-01' };

function frame(columns: Record<string, number[]>): WideFrame {
  return {
    symbols: ['A'],
    symbolIndex: new Int32Array(DATES.length),
    timestamps: Float64Array.from(DATES, (d) => nyMidnightUtc(d).getTime()),
    columns: new Map(Object.entries(columns).map(([k, v]) => [k, Float64Array.from(v)])),
    length: DATES.length,
  };
}

test('a categorical whose validation/test values training never saw is named with the values and a fix', () => {
  const problems = checkFeatures(
    frame({ open: [1, 2, 3, 4, 5], year: [2020, 2020, 2021, 2021, 2022], day_of_week: [0, 1, 0, 1, 1], surprise: [0, 0.5, 0, 0, 0], volume: [10, 20, 30, 40, 50] }),
    cfg,
  );
  assert.deepEqual(problems.map((p) => [p.feature, p.kind, p.values]), [['year', 'unseen-categories', [2021, 2022]]]);
  assert.match(problems[0]!.message, /^feature "year": its validation\/test value\(s\) 2021, 2022 never occur in training \(training has 2020\); they are encoded as the "unknown" class/);
  assert.match(problems[0]!.message, /Drop it, or use a relative time index/);
});

test('a real feature constant (or missing) on every training row is reported; later rows do not count', () => {
  const problems = checkFeatures(
    frame({ open: [1, 2, 3, 4, 5], year: [2020, 2020, 2020, 2020, 2020], day_of_week: [0, 1, 2, 3, 4], surprise: [0, 0, 1.5, 0, 0], volume: [NaN, NaN, 30, 40, 50] }),
    { ...cfg, features: ['open', 'day_of_week', 'surprise', 'volume'] },
  );
  assert.deepEqual(problems.map((p) => [p.feature, p.kind, p.values]), [['day_of_week', 'unseen-categories', [2, 3, 4]], ['surprise', 'constant-in-training', [0]], ['volume', 'constant-in-training', []]]);
  assert.match(problems[1]!.message, /^feature "surprise" is constant \(0\) on every training row: the model cannot learn anything from it\. Drop it, or backfill its real values/);
  assert.match(problems[2]!.message, /^feature "volume" has no value on any training row/);
});

test('features that generalise give no problem', () => {
  assert.deepEqual(checkFeatures(frame({ open: [1, 2, 3, 4, 5], day_of_week: [0, 1, 0, 1, 0], volume: [1, 2, 3, 4, 5] }), { ...cfg, features: ['open', 'day_of_week', 'volume'] }), []);
});

test('a model that decides at the open reading a feature known only at the close is a look-ahead', () => {
  const problems = checkFeatures(frame({ open: [1, 2, 3, 4, 5], day_of_week: [0, 1, 0, 1, 0], volume: [1, 2, 3, 4, 5] }), { ...cfg, target: 'open', features: ['open', 'day_of_week', 'volume', 'vix_open'] });
  assert.deepEqual(problems.map((p) => [p.feature, p.kind]), [['volume', 'look-ahead']]);
  assert.match(problems[0]!.message, /^feature "volume" is known only at the close of each day, but a model with target open decides \(and the strategy buys\) at that day's open/);
  assert.deepEqual(checkFeatures(frame({ open: [1, 2, 3, 4, 5], volume: [1, 2, 3, 4, 5] }), { ...cfg, target: 'close', features: ['open', 'volume'] }), [], 'a close-target model may read close features');
});
