import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WideFrame } from '../../src/core/wide-frame.js';
import { nyMidnightUtc } from '../../src/core/ny-time.js';
import { tradingDaysBetween } from '../../src/core/nyse-calendar.js';
import { TimeSeriesDataset, type DatasetConfig } from '../../src/dataset/time-series-dataset.js';
import { categoricalLookup, encoderNormalization, fitStandard } from '../../src/dataset/preprocessing.js';

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

/** The frame of `frame()` plus earnings columns: B reports earnings (surprise 5) on the day before its gap. */
function withEarnings(days: string[], gapDay: string): WideFrame {
  const f = frame(days, { gapDay });
  const isEarnings = new Float64Array(f.length);
  const surprise = new Float64Array(f.length);
  const reportRow = days.length + days.indexOf(gapDay) - 1; // B's rows follow A's; the gap is after this one
  isEarnings[reportRow] = 1;
  surprise[reportRow] = 5;
  f.columns.set('is_earnings_day', isEarnings);
  f.columns.set('surprise', surprise);
  return f;
}

test('a missing step gets its own calendar values and no earnings event; bar values are carried forward', () => {
  const gapDay = '2020-01-15';
  const f = withEarnings(DAYS, gapDay);
  const ds = TimeSeriesDataset.fit(f, { ...CFG, features: ['open', 'surprise', 'day_of_week', 'is_earnings_day'] });
  // the catalog's roles and order: known categoricals, then unknown reals
  assert.deepEqual(ds.state.categoricals.map((c) => c.name), ['day_of_week', 'is_earnings_day']);
  assert.deepEqual(ds.state.reals.map((r) => r.name), ['open', 'surprise']);
  const data = ds.prepare(f);
  const gapRow = data.seriesOffset[1]! + DAYS.indexOf(gapDay);
  const code = (k: number, v: number) => categoricalLookup(ds.state.categoricals[k]!.encoder)(v);
  assert.equal(data.present[gapRow], 0);
  assert.equal(data.categorical[gapRow * 2], code(0, 2), 'Wednesday 2020-01-15, not the copied Tuesday');
  assert.equal(data.categorical[(gapRow - 1) * 2 + 1], code(1, 1), 'the report day before the gap');
  assert.equal(data.categorical[gapRow * 2 + 1], code(1, 0), 'no earnings on the missing day');
  const sc = ds.state.reals[1]!.scaler!;
  assert.ok(Math.abs(data.reals[(gapRow - 1) * 2 + 1]! - (5 - sc.mean) / sc.std) < 1e-6);
  assert.ok(Math.abs(data.reals[gapRow * 2 + 1]! - (0 - sc.mean) / sc.std) < 1e-6, 'surprise 0, not the copied 5');
  assert.equal(data.target[gapRow], data.target[gapRow - 1], 'open is carried forward');
});

test('the latest batch: encoder up to the as-of day, decoder calendar from the future times, earnings days from the schedule', () => {
  const ds = TimeSeriesDataset.fit(withEarnings(DAYS, '2020-01-15'), { ...CFG, features: ['open', 'day_of_week', 'is_earnings_day'] });
  assert.deepEqual(ds.scheduledInputs(), ['is_earnings_day']);
  const data = ds.prepare(withEarnings(DAYS, '2020-01-15'));
  const last = DAYS.length - 1;
  // the next two trading days after Friday 2020-02-28: Monday and Tuesday; B reports on Tuesday
  const future = ['2020-03-02', '2020-03-03'].map((d) => nyMidnightUtc(d).getTime());
  const scheduled = new Map([['is_earnings_day', new Map([['A', [0, 0]], ['B', [0, 1]]])]]);
  const { batch, series } = ds.latestBatch(data, future, { scheduled });
  assert.deepEqual(series, [0, 1]);
  assert.deepEqual([...batch.decoderStartIdx], [last + 1, last + 1]);
  assert.ok(batch.targetRaw.every(Number.isNaN));
  const T = CFG.encoderLength + CFG.decoderLength;
  const code = (k: number, v: number) => categoricalLookup(ds.state.categoricals[k]!.encoder)(v);
  const dec = (i: number, h: number, k: number) => batch.categorical[(i * T + CFG.encoderLength + h) * 2 + k];
  assert.deepEqual([dec(0, 0, 0), dec(0, 1, 0), dec(0, 0, 1), dec(0, 1, 1)], [code(0, 0), code(0, 1), code(1, 0), code(1, 0)]);
  assert.deepEqual([dec(1, 0, 0), dec(1, 1, 0), dec(1, 0, 1), dec(1, 1, 1)], [code(0, 0), code(0, 1), code(1, 0), code(1, 1)]);
  assert.notEqual(code(1, 1), code(1, 0), 'a report day and a quiet day are different classes');
  // encoder of A: the last five opens, normalized on themselves
  const opens = [5, 4, 3, 2, 1].map((k) => 10 + DAYS.length - k);
  const logs = opens.map(Math.log);
  const mean = logs.reduce((a, c) => a + c, 0) / 5;
  assert.ok(Math.abs(batch.targetScale[0]! - mean) < 1e-5);
  // as of an earlier day, the windows end there
  const earlier = ds.latestBatch(data, future, { asOfIdx: last - 3, scheduled });
  assert.deepEqual([...earlier.batch.decoderStartIdx], [last - 2, last - 2]);
  assert.throws(() => ds.latestBatch(data, future.slice(0, 1), { scheduled }), /expected 2 future times, got 1/);
  // without a schedule (or with a hole in it) the batch is refused: never a silent "no earnings"
  assert.throws(() => ds.latestBatch(data, future), /the value of is_earnings_day for A on decoder step 1 is unknown: .*earnings calendar/);
  const holey = new Map([['is_earnings_day', new Map([['A', [0, 0]], ['B', [0, NaN]]])]]);
  assert.throws(() => ds.latestBatch(data, future, { scheduled: holey }), /is_earnings_day for B on decoder step 2 is unknown/);
  // a model without scheduled inputs needs no schedule
  const plain = TimeSeriesDataset.fit(withEarnings(DAYS, '2020-01-15'), { ...CFG, features: ['open', 'day_of_week'] });
  assert.deepEqual(plain.scheduledInputs(), []);
  assert.equal(plain.latestBatch(plain.prepare(withEarnings(DAYS, '2020-01-15')), future).batch.size, 2);
});

test('bad inputs: missing feature column, empty training range', () => {
  assert.throws(() => TimeSeriesDataset.fit(frame(DAYS), { ...CFG, features: ['open', 'month'] }), /no column for feature\(s\) month: backfill them first/);
  assert.throws(() => TimeSeriesDataset.fit(frame(DAYS), { ...CFG, trainStart: '2021-01-01', trainEnd: '2021-02-01' }), /no rows between train_start 2021-01-01 and train_end 2021-02-01/);
  assert.throws(() => TimeSeriesDataset.fit(frame(DAYS), { ...CFG, features: ['open', 'opne'] }), /unknown feature "opne": valid features are open/);
});
