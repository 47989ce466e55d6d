import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/model/backend.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import { NasdaqEarningsSource } from '../../src/sources/nasdaq-earnings.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { runBackfill } from '../../src/features/backfill.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { nyMidnightUtc } from '../../src/core/ny-time.js';
import { nextTradingDay, previousTradingDay } from '../../src/core/nyse-calendar.js';
import { getConfig, parseConfigText } from '../../src/config/seed-config.js';
import { trainModel } from '../../src/pipeline/train-model.js';
import { predictModel } from '../../src/pipeline/predict-model.js';
import { forecastLatest, latestInputs } from '../../src/pipeline/forecast-latest.js';
import { scheduledValues } from '../../src/pipeline/earnings-schedule.js';
import { TrainedModel } from '../../src/model/trained-model.js';
import { categoricalLookup } from '../../src/dataset/preprocessing.js';
import type { PredictionTable } from '../../src/core/prediction-table.js';
import { startNasdaqFake, upcomingRow } from '../fakes/nasdaq-earnings-fake.js';
import { tinyConfigEntry } from '../helpers/tiny-model.js';

// No train/serve skew on earnings: a live forecast as of day D (data up to D, is_earnings_day of the next days
// from the earnings calendar) must see exactly the inputs, and give exactly the forecasts, of the backtest
// window whose decision day is D (built from the full store, where training read the real report days).

const SYMBOLS = ['SYN00', 'SYN01', 'SYN02', 'SYN03'];
const FEATURES = ['open', 'day_of_week', 'is_earnings_day'];
const YAML = `configs:\n${tinyConfigEntry('earn', { features: FEATURES })}`;

describe('the earnings calendar at serve time', () => {
  const market = new SyntheticMarket({ seed: 42, symbols: SYMBOLS });
  let dir = '';
  let full: ParquetFeatureStore;
  let live: ParquetFeatureStore;
  let models: LocalObjectStore;
  /** The decision day: the trading day before a report of one of the symbols in the test range. */
  let day = '';
  let reporter = '';

  const store = (name: string) => ParquetFeatureStore.open({ objects: new LocalObjectStore(join(dir, name)), prefix: 'f' });
  const backfill = (into: ParquetFeatureStore, endDate: string) =>
    runBackfill({ features: FEATURES, symbols: SYMBOLS, startDate: '2020-01-01', endDate, timeFrame: parseTimeFrame('1Day') }, { bars: market, earnings: market, store: into });

  before(async () => {
    await initBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'sc-earnings-cal-'));
    const { events } = await market.fetchEarnings(SYMBOLS, nyMidnightUtc('2020-10-20'), nyMidnightUtc('2020-12-15'));
    reporter = events[0]!.symbol;
    day = previousTradingDay(events[0]!.date);
    full = await store('full');
    live = await store('live');
    await backfill(full, '2020-12-31');
    await backfill(live, day);
    models = new LocalObjectStore(join(dir, 'models'));
    const config = getConfig(parseConfigText(YAML, 'configs.yaml'), 'earn');
    await trainModel({ config, modelId: 'earn', features: full, models, home: dir, backend: 'wasm', threads: 1 });
  });
  after(async () => {
    await full?.close();
    await live?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the live batch as of D equals the backtest batch whose decision day is D, a report day in its decoder', async () => {
    const model = await TrainedModel.load(models, 'earn');
    try {
      const ds = model.dataset;
      const { encoderLength: Te, decoderLength: Td } = ds.state;
      const T = Te + Td;
      const nCat = ds.state.categoricals.length;
      const nReal = ds.state.reals.length;
      const frame = await full.queryWide({ features: model.inputColumns(), timeFrame: '1Day', startDate: '2020-01-01', endDate: '2020-12-31' });
      const data = ds.prepare(frame);
      const windows = ds.windows(data, 'test');
      const decisionIdx = data.dates.indexOf(day);
      const picked = Array.from({ length: windows.length }, (_, w) => w).filter((w) => data.seriesFirstIdx[windows.series[w]!]! + windows.start[w]! + Te - 1 === decisionIdx);
      const backtest = ds.buildBatch(data, windows, picked, 0, picked.length);
      const inputs = await latestInputs(ds, model.inputColumns(), { modelId: 'earn', features: live, earnings: async () => market });
      assert.equal(inputs.asOf, day);
      const { batch: current, series } = ds.latestBatch(inputs.data, inputs.futureTimes, { scheduled: inputs.scheduled });
      assert.deepEqual(series.map((s) => inputs.data.symbols[s]), SYMBOLS);
      assert.deepEqual(picked.map((w) => data.symbols[windows.series[w]!]), SYMBOLS);
      for (let i = 0; i < SYMBOLS.length; i++) {
        const same = (a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number, what: string) =>
          assert.deepEqual(Array.from(a).slice(from, to), Array.from(b).slice(from, to), `${SYMBOLS[i]}: ${what}`);
        same(current.categorical, backtest.categorical, i * T * nCat, (i + 1) * T * nCat, 'known categoricals, encoder and decoder');
        same(current.reals, backtest.reals, i * T * nReal, (i * T + Te) * nReal, 'encoder reals');
        same(current.targetScale, backtest.targetScale, i * 2, i * 2 + 2, 'target normalizer');
      }
      // not vacuous: the reporter's first decoder step is a report day, which the old live batch set to 0
      const k = ds.state.categoricals.findIndex((c) => c.name === 'is_earnings_day');
      const code = categoricalLookup(ds.state.categoricals[k]!.encoder);
      const at = SYMBOLS.indexOf(reporter);
      assert.equal(current.categorical[(at * T + Te) * nCat + k], code(1));
      assert.notEqual(code(1), code(0));
    } finally {
      model.dispose();
    }
  });

  test('the live forecast as of D equals the backtest forecast for D; the store alone serves a back-dated one', async () => {
    const { table: backtest } = await predictModel({ modelId: 'earn', features: full, models });
    const { table: fromCalendar, asOf } = await forecastLatest({ modelId: 'earn', features: live, models, earnings: async () => market });
    assert.equal(asOf, day);
    const { table: fromStore } = await forecastLatest({ modelId: 'earn', features: full, models, until: day });
    const rowsOn = (t: PredictionTable) => SYMBOLS.map((s) => t.symbols.findIndex((x, r) => x === s && t.timestamps[r] === nyMidnightUtc(day).getTime()));
    const expected = rowsOn(backtest);
    assert.ok(expected.every((r) => r >= 0));
    for (const t of [fromCalendar, fromStore]) {
      const rows = rowsOn(t);
      SYMBOLS.forEach((s, i) => {
        assert.equal(t.currentY[rows[i]!], backtest.currentY[expected[i]!], `${s}: current`);
        const a = Array.from(t.pred.subarray(rows[i]! * 6, rows[i]! * 6 + 6));
        const b = Array.from(backtest.pred.subarray(expected[i]! * 6, expected[i]! * 6 + 6));
        a.forEach((v, j) => assert.ok(Math.abs(v - b[j]!) <= 1e-6 * Math.abs(b[j]!), `${s}: forecast ${a} vs ${b}`));
      });
    }
  });

  test('without a calendar for the days the store lacks, the forecast is refused with a clear error', async () => {
    await assert.rejects(
      forecastLatest({ modelId: 'earn', features: live, models }),
      new RegExp(`model earn uses is_earnings_day, and the feature store has no rows for ${nextTradingDay(day)}, ${nextTradingDay(nextTradingDay(day))} .*earnings-source`),
    );
  });

  test("the Nasdaq calendar's upcoming reports give the future earnings days; a failing date refuses the forecast", async () => {
    const d1 = nextTradingDay(day);
    const d2 = nextTradingDay(d1);
    const fake = await startNasdaqFake({ [d2]: [upcomingRow('SYN01', '$1.10'), upcomingRow('OTHER', '$0.50')] });
    try {
      const nasdaq = new NasdaqEarningsSource({ baseUrl: fake.url, maxAttempts: 1 });
      const got = await scheduledValues({ names: ['is_earnings_day'], symbols: SYMBOLS, dates: [d1, d2], features: live, earnings: async () => nasdaq, modelId: 'earn' });
      const byName = got.get('is_earnings_day')!;
      assert.deepEqual(SYMBOLS.map((s) => Array.from(byName.get(s)!)), [[0, 0], [0, 1], [0, 0], [0, 0]]);
      // the days already in the store are read from it, the calendar is not asked for them
      const before = fake.requests.length;
      const stored = await scheduledValues({ names: ['is_earnings_day'], symbols: SYMBOLS, dates: [day, d1], features: live, earnings: async () => nasdaq, modelId: 'earn' });
      assert.deepEqual(fake.requests.slice(before).map((r) => r.query.get('date')), [d1]);
      assert.equal(stored.get('is_earnings_day')!.get(reporter)![0], 0, 'D itself is stored (no report on D)');
    } finally {
      await fake.close();
    }
    const failing = await startNasdaqFake({ [d1]: { alwaysStatus: 500 } });
    try {
      const nasdaq = new NasdaqEarningsSource({ baseUrl: failing.url, maxAttempts: 1 });
      await assert.rejects(
        scheduledValues({ names: ['is_earnings_day'], symbols: SYMBOLS, dates: [d1, d2], features: live, earnings: async () => nasdaq, modelId: 'earn' }),
        new RegExp(`the nasdaq earnings calendar failed for date:${d1} .*not forecasting earn with unknown earnings days`),
      );
    } finally {
      await failing.close();
    }
  });
});
