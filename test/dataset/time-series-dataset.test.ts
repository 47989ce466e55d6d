import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WideFrame } from '../../src/core/wide-frame.js';
import { nyMidnightUtc } from '../../src/core/ny-time.js';
import { tradingDaysBetween } from '../../src/core/nyse-calendar.js';
import { TimeSeriesDataset, type DatasetConfig } from '../../src/dataset/time-series-dataset.js';
import { encoderNormalization, fitStandard } from '../../src/dataset/preprocessing.js';

/** A hand-made frame: two symbols on consecutive trading days; B misses one day (a gap). */
function frame(days: string[], opts: { gapDay?: string; openOf?: (s: number, i: number) => number } = {}): WideFrame {
  const symbols = ['A', 'B'];
  const rows: Array<[number, number, number, number]> = [];
  symbols.forEach((_, s) =>
    days.forEach((d, i) => {
      if (s === 1 && d === opts.gapDay) return;
      const t = nyMidnightUtc(d).getTime();
      const wd = (new Date(`${d}T12:00:00Z`).getUTCDay() + 6) % 7;
      rows.push([s, t, opts.openOf ? opts.openOf(s, i) : 10 + s * 10 + i, wd]);
    }),
  );
  return {
    symbols,
    symbolIndex: Int32Array.from(rows.map((r) => r[0])),
    timestamps: Float64Array.from(rows.map((r) => r[1])),
    columns: new Map([
      ['open', Float64Array.from(rows.map((r) => r[2]))],
      ['day_of_week', Float64Array.from(rows.map((r) => r[3]))],
    ]),
    length: rows.length,
  };
}

const DAYS = tradingDaysBetween('2020-01-02', '2020-02-28');
const CFG: DatasetConfig = {
  features: ['open', 'day_of_week'],
  target: 'open',
  encoderLength: 5,
  decoderLength: 2,
  quantiles: [0.3, 0.5, 0.7],
  trainStart: '2020-01-01',
  trainEnd: '2020-02-01',
  valEnd: '2020-02-15',
  testEnd: '2020-03-01',
};

test('window counts follow time_idx; a gap is forward-filled but never used as a target', () => {
  const days = DAYS;
  const gapDay = '2020-01-15';
  const ds = TimeSeriesDataset.fit(frame(days, { gapDay }), CFG);
  const data = ds.prepare(frame(days, { gapDay }));
  const train = ds.windows(data, 'train');
  const trainDays = days.filter((d) => d < '2020-02-01').length; // 21 trading days in January 2020
  assert.equal(trainDays, 21);
  // A: every 7-day span in January; B: the same, minus the 2 windows whose decoder would be the filled gap
  assert.equal(train.length, 2 * (trainDays - 7 + 1) - 2);
  assert.equal(data.seriesLength[1], days.length, 'the gap is filled: B has a row for every time_idx');
  const gapRow = data.seriesOffset[1]! + days.indexOf(gapDay);
  assert.equal(data.present[gapRow], 0);
  assert.equal(data.target[gapRow], data.target[gapRow - 1], 'forward-filled from the day before');
});

test('validation decoders start after the last training time_idx; encoders reach back into training', () => {
  const ds = TimeSeriesDataset.fit(frame(DAYS), CFG);
  const data = ds.prepare(frame(DAYS));
  const val = ds.windows(data, 'val');
  const order = Array.from({ length: val.length }, (_, i) => i);
  const batch = ds.buildBatch(data, val, order, 0, val.length);
  const firstValIdx = DAYS.indexOf(DAYS.find((d) => d >= '2020-02-01')!);
  const starts = [...batch.decoderStartIdx];
  assert.equal(Math.min(...starts), firstValIdx);
  assert.ok(starts.every((s) => s >= firstValIdx && s + 1 < DAYS.indexOf(DAYS.find((d) => d >= '2020-02-15')!)));
  assert.ok(starts.some((s) => s - 5 < firstValIdx), 'some encoders reach into January');
});

test('scalers and encoders are fitted on training rows only', () => {
  const base = TimeSeriesDataset.fit(frame(DAYS), { ...CFG, features: ['open', 'day_of_week'] });
  const changedLater = TimeSeriesDataset.fit(frame(DAYS, { openOf: (s, i) => (DAYS[i]! >= '2020-02-01' ? 999 : 10 + s * 10 + i) }), CFG);
  assert.deepEqual(changedLater.state, base.state);
  // day_of_week of January only has weekdays 0..4: all known; a value never seen in training maps to class 0
  const cats = base.state.categoricals.find((c) => c.name === 'day_of_week')!;
  assert.deepEqual(cats.encoder.classes, [0, 1, 2, 3, 4]);
  const f = frame(DAYS);
  f.columns.get('day_of_week')![0] = 6;
  const data = base.prepare(f);
  assert.equal(data.categorical[0], 0);
});

test('the per-window encoder normalizer matches hand-computed values', () => {
  // log(e), log(e^2), log(e^3) = 1, 2, 3: mean 2, sample std 1
  const { center, scale } = encoderNormalization([Math.E, Math.E ** 2, Math.E ** 3], 0, 3, true);
  assert.ok(Math.abs(center - 2) < 1e-12);
  assert.ok(Math.abs(scale - 1) < 1e-6);
  const ds = TimeSeriesDataset.fit(frame(DAYS), CFG);
  const data = ds.prepare(frame(DAYS));
  const train = ds.windows(data, 'train');
  const b = ds.buildBatch(data, train, [0], 0, 1);
  // window 0 of A: opens 10..14 in the encoder, 15 and 16 in the decoder
  const logs = [10, 11, 12, 13, 14].map(Math.log);
  const mean = logs.reduce((a, c) => a + c, 0) / 5;
  const std = Math.sqrt(logs.reduce((a, c) => a + (c - mean) ** 2, 0) / 4);
  assert.ok(Math.abs(b.targetScale[0]! - mean) < 1e-5);
  assert.ok(Math.abs(b.targetScale[1]! - std) < 1e-5);
  assert.deepEqual([...b.targetRaw], [15, 16]);
  assert.ok(Math.abs(b.target[0]! - (Math.log(15) - mean) / std) < 1e-4);
  assert.deepEqual(fitStandard([1, 2, 3, NaN]), { mean: 2, std: 1 });
});

test('state round-trips through JSON to identical batches', () => {
  const ds = TimeSeriesDataset.fit(frame(DAYS), CFG);
  const again = TimeSeriesDataset.fromState(JSON.parse(JSON.stringify(ds.state)));
  const d1 = ds.prepare(frame(DAYS));
  const d2 = again.prepare(frame(DAYS));
  const w1 = ds.windows(d1, 'test');
  const w2 = again.windows(d2, 'test');
  assert.equal(w1.length, w2.length);
  assert.ok(w1.length > 0);
  const order = Array.from({ length: w1.length }, (_, i) => i);
  assert.deepEqual(ds.buildBatch(d1, w1, order, 0, w1.length), again.buildBatch(d2, w2, order, 0, w2.length));
  assert.deepEqual(ds.spec().categoricals.map((c) => [c.name, c.cardinality, c.embeddingSize]), [['day_of_week', 6, 4]]);
});

test('bad inputs: missing feature column, empty training range', () => {
  assert.throws(() => TimeSeriesDataset.fit(frame(DAYS), { ...CFG, features: ['open', 'month'] }), /no column for feature\(s\) month: backfill them first/);
  assert.throws(() => TimeSeriesDataset.fit(frame(DAYS), { ...CFG, trainStart: '2021-01-01', trainEnd: '2021-02-01' }), /no rows between train_start 2021-01-01 and train_end 2021-02-01/);
});
