/**
 * Every inference engine is the same model: a trained model forecasts and explains the same numbers on the
 * TensorFlow.js engine, on the native engine and on the pool of wasm worker threads (parity tolerance 1e-4
 * relative, as the native engine's own parity tests). CI builds the native addon, so a missing one fails here.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/model/backend.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { barsToWideFrame } from '../../src/dataset/frame-from-bars.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { loadArtifact, type ModelArtifact } from '../../src/model/artifact.js';
import { TrainedModel, type Interpretation, type WindowForecasts } from '../../src/model/trained-model.js';
import { inferenceEngine } from '../../src/model/inference-engines.js';
import { denormalizeBatch } from '../../src/model/quantile-loss.js';
import type { EngineFactory } from '../../src/model/inference-engine.js';
import type { PreparedData } from '../../src/dataset/time-series-dataset.js';

before(async () => {
  await initBackend('wasm');
});

const DAY = parseTimeFrame('1Day');
const FIXTURE = fileURLToPath(new URL('./fixtures/stockcast-tft-1/', import.meta.url));
const FEATURES = ['open', 'volume', 'day_of_week', 'month'];
const PARITY = 1e-4;

async function fixtureData(model: TrainedModel): Promise<PreparedData> {
  const symbols = ['SYN00', 'SYN01', 'SYN02'];
  const market = new SyntheticMarket({ seed: 42, symbols });
  const { bars } = await market.fetchBars({ symbols, start: new Date('2020-01-01T05:00:00Z'), end: new Date('2020-12-31T05:00:00Z'), timeFrame: DAY });
  return model.dataset.prepare(barsToWideFrame(bars, FEATURES, DAY));
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel: number): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: ${a} vs NaN`);
    else assert.ok(Math.abs(a - e) <= rel * Math.max(1e-3, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

/** What one engine makes of the fixture model: forecasts of the test windows, the latest forecasts, the explanation of the validation windows. */
async function runOn(artifact: ModelArtifact, engine: EngineFactory): Promise<{ threads: number; windows: WindowForecasts; latest: WindowForecasts; why: Interpretation }> {
  const model = TrainedModel.fromArtifact(artifact, { engine });
  try {
    const data = await fixtureData(model);
    // chunks of 50 windows, so batches split unevenly between threads and a last part is short
    const windows = await model.forecastWindows(data, model.dataset.windows(data, 'test'), { chunk: 50 });
    const latest = await model.forecastLatest(data, [Date.UTC(2021, 0, 4, 5), Date.UTC(2021, 0, 5, 5)]);
    const why = await model.interpret(data, model.dataset.windows(data, 'val'), { chunk: 37 });
    return { threads: model.threads, windows, latest, why };
  } finally {
    model.dispose();
  }
}

function assertSameForecasts(a: WindowForecasts, ref: WindowForecasts, what: string, rel: number): void {
  assert.ok(ref.pred.length > 0, `${what}: no forecasts`);
  assertClose(a.pred, ref.pred, `${what} pred`, rel);
  // what is known of each window comes from the data, whatever the engine
  assert.deepEqual([a.actual, a.current, a.decisionIdx, a.series, a.price], [ref.actual, ref.current, ref.decisionIdx, ref.series, ref.price]);
}

function assertSameExplanation(a: Interpretation, ref: Interpretation, what: string, rel: number): void {
  assert.equal(a.windows, ref.windows);
  for (const k of ['encoderImportance', 'decoderImportance'] as const) {
    assert.deepEqual(Object.keys(a[k]), Object.keys(ref[k]), `${what} ${k}: variables`);
    assertClose(Object.values(a[k]), Object.values(ref[k]), `${what} ${k}`, rel);
  }
  assert.deepEqual(a.attention.map((x) => x.position), ref.attention.map((x) => x.position));
  assertClose(a.attention.map((x) => x.weight), ref.attention.map((x) => x.weight), `${what} attention`, rel);
}

test('TrainedModel forecasts and explains the same on the tfjs engine, the native engine and the wasm worker pool', async () => {
  const artifact = await loadArtifact(new LocalObjectStore(FIXTURE), 'fixture-tft-1');
  const ref = await runOn(artifact, inferenceEngine('wasm', 1));
  assert.equal(ref.threads, 1);
  // a forecast is a price near the synthetic market's, not a degenerate constant
  assert.ok(ref.windows.pred.every((v) => Number.isFinite(v) && v > 0));
  assert.ok(new Set(ref.windows.pred).size > ref.windows.pred.length / 2);
  for (const [name, factory, threads, rel] of [
    ['native × 2', inferenceEngine('native', 2), 2, PARITY],
    ['native × 1', inferenceEngine('native', 1), 1, PARITY],
    // the same wasm kernels on parts of each batch: equal up to float32 summation order
    ['wasm pool × 3', inferenceEngine('wasm', 3), 3, 1e-6],
  ] as const) {
    const got = await runOn(artifact, factory);
    assert.equal(got.threads, threads, `${name}: threads`);
    assertSameForecasts(got.windows, ref.windows, `${name} forecastWindows`, rel);
    assertSameForecasts(got.latest, ref.latest, `${name} forecastLatest`, rel);
    assertSameExplanation(got.why, ref.why, `${name} interpret`, rel);
  }
});

test('a disposed model refuses to forecast on every engine, and a bad thread count is refused', async () => {
  const artifact = await loadArtifact(new LocalObjectStore(FIXTURE), 'fixture-tft-1');
  for (const factory of [inferenceEngine('native', 2), inferenceEngine('wasm', 2)]) {
    const model = TrainedModel.fromArtifact(artifact, { engine: factory });
    const data = await fixtureData(model);
    const windows = model.dataset.windows(data, 'test');
    await model.forecastWindows(data, windows);
    model.dispose();
    await assert.rejects(model.forecastWindows(data, windows), /disposed/);
  }
  assert.throws(() => inferenceEngine('wasm', 0), /threads: expected a positive integer, got 0/);
  assert.throws(() => inferenceEngine('native', 1.5), /threads: expected a positive integer, got 1.5/);
});

test('denormalizeBatch: time-major normalized rows to batch-major target units, identity and log', () => {
  // B = 2 windows, Td = 2 steps, nQ = 1; rows h·B + b: (h0,b0) (h0,b1) (h1,b0) (h1,b1)
  const pred = [1, 2, 3, 4];
  const targetScale = [10, 2, 0, 0.5]; // window 0: center 10, scale 2; window 1: center 0, scale 0.5
  assert.deepEqual([...denormalizeBatch(pred, targetScale, 2, 1, 'identity')], [12, 16, 1, 2]);
  const log = denormalizeBatch(pred, targetScale, 2, 1, 'log');
  assertClose(log, [Math.exp(12), Math.exp(16), Math.exp(1), Math.exp(2)], 'log', 1e-6);
});
