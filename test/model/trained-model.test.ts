import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/model/backend.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { barsToWideFrame } from '../../src/dataset/frame-from-bars.js';
import { TimeSeriesDataset } from '../../src/dataset/time-series-dataset.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { loadArtifact, saveArtifact, type ArtifactMeta } from '../../src/model/artifact.js';
import { TrainedModel, type WindowForecasts } from '../../src/model/trained-model.js';
import { TfjsEngine } from '../../src/model/tfjs-engine.js';
import { TftTraining } from '../../src/model/tft-training.js';
import { TemporalFusionTransformer } from '../../src/model/tft.js';
import { targetColumns, toModelInputs } from '../../src/model/model-inputs.js';
import { denormalize } from '../../src/model/quantile-loss.js';
import { ConfigError } from '../../src/config/config-error.js';
import { getConfig, parseConfigText } from '../../src/config/seed-config.js';

before(async () => {
  await initBackend('wasm');
});

const DAY = parseTimeFrame('1Day');
const FIXTURE = fileURLToPath(new URL('./fixtures/stockcast-tft-1/', import.meta.url));
const FEATURES = ['open', 'volume', 'day_of_week', 'month'];

/** The synthetic data the fixture's expected outputs were computed on (SyntheticMarket seed 42, 2020). */
async function syntheticFrame(symbols = ['SYN00', 'SYN01', 'SYN02']) {
  const market = new SyntheticMarket({ seed: 42, symbols });
  const { bars } = await market.fetchBars({ symbols, start: new Date('2020-01-01T05:00:00Z'), end: new Date('2020-12-31T05:00:00Z'), timeFrame: DAY });
  return barsToWideFrame(bars, FEATURES, DAY);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = 1e-5): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= rel * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

interface Expected {
  test: { windows: number; pred: number[]; actual: number[]; current: number[]; decisionIdx: number[]; series: number[] };
  latest: { asOfIdx: number; future: number[]; series: number[]; predTimeMajor: number[] };
  interpretVal: { encoderImportance: Record<string, number>; decoderImportance: Record<string, number>; attention: Array<{ position: number; weight: number }>; windows: number };
}

test('an artifact written by stockcast cf4f1f8 (stockcast-tft/1) loads and forecasts the numbers it forecast then', async () => {
  const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
  const model = await TrainedModel.load(new LocalObjectStore(FIXTURE), 'fixture-tft-1');
  try {
    const cfg = model.config();
    assert.deepEqual([cfg.id, cfg.features, cfg.preferredTradingStrategy, cfg.performanceTests._performance_test_1?.numStocksPurchased], ['fixture-tft-1', FEATURES, '_performance_test_1', 2]);
    assert.deepEqual(model.inputColumns(), FEATURES);
    const data = model.dataset.prepare(await syntheticFrame());
    const windows = model.dataset.windows(data, 'test');
    assert.equal(windows.length, expected.test.windows);
    const f = await model.forecastWindows(data, windows, { chunk: 16 });
    assertClose(f.pred, expected.test.pred, 'test pred');
    assert.deepEqual([...f.decisionIdx], expected.test.decisionIdx);
    assert.deepEqual([...f.series], expected.test.series);
    assertClose(f.actual, expected.test.actual, 'actual', 0);
    assertClose(f.current, expected.test.current, 'current', 0);
    // the latest window as of a day, decoder on given future times; stored time-major (h·B + b)
    const latest = await model.forecastLatest(data, expected.latest.future, { asOfIdx: expected.latest.asOfIdx });
    assert.deepEqual([...latest.series], expected.latest.series);
    assert.deepEqual([...latest.decisionIdx], expected.latest.series.map(() => expected.latest.asOfIdx));
    assert.ok(latest.actual.every(Number.isNaN));
    const B = expected.latest.series.length;
    const batchMajor = Array.from({ length: B * 2 * 3 }, (_, i) => {
      const [b, h, q] = [Math.floor(i / 6), Math.floor(i / 3) % 2, i % 3];
      return expected.latest.predTimeMajor[(h * B + b) * 3 + q]!;
    });
    assertClose(latest.pred, batchMajor, 'latest pred');
    const why = await model.interpret(data, model.dataset.windows(data, 'val'), { chunk: 16 });
    assert.equal(why.windows, expected.interpretVal.windows);
    for (const k of ['encoderImportance', 'decoderImportance'] as const) {
      assert.deepEqual(Object.keys(why[k]), Object.keys(expected.interpretVal[k]));
      assertClose(Object.values(why[k]), Object.values(expected.interpretVal[k]), k);
    }
    assertClose(why.attention.map((a) => a.weight), expected.interpretVal.attention.map((a) => a.weight), 'attention');
  } finally {
    model.dispose();
  }
});

const YAML = `configs:
  tiny:
    features: [open, volume, day_of_week, month]
    train_start: "2020-01-01"
    train_end: "2020-09-01"
    val_end: "2020-11-01"
    test_end: "2021-01-01"
    max_lookback_period: 10
    max_prediction_length: 2
    hidden_size: 8
    hidden_continuous_size: 4
`;

test('train → save artifact → load → forecast gives the numbers of the model in memory and of its raw forward pass', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-trained-'));
  try {
    const cfg = getConfig(parseConfigText(YAML, 'configs.yaml'), 'tiny');
    const frame = await syntheticFrame();
    const dataset = TimeSeriesDataset.fit(frame, { features: cfg.features, target: 'open', encoderLength: 10, decoderLength: 2, quantiles: cfg.quantiles, trainStart: cfg.trainStart, trainEnd: cfg.trainEnd, valEnd: cfg.valEnd, testEnd: cfg.testEnd });
    const data = dataset.prepare(frame);
    const hp = { hiddenSize: 8, attentionHeadSize: 1, dropout: 0.1, hiddenContinuousSize: 4, lstmLayers: 1 };
    const training = await TftTraining.start({ dataset, hyperparameters: hp, seed: 3, backend: 'wasm' });
    const manifest = training.manifest();
    const result = await training
      .run(data, { train: dataset.windows(data, 'train'), val: dataset.windows(data, 'val') }, { maxEpochs: 1, batchSize: 32, learningRate: 0.01, gradientClipVal: 0.1, reduceOnPlateauPatience: 5, earlyStoppingPatience: 5, seed: 3, maxBatchesPerEpoch: 4, checkpointDir: join(dir, 'ckpt') })
      .finally(() => training.close());
    const config = { id: cfg.id, ...Object.fromEntries(Object.entries(cfg).filter(([k]) => k !== 'metadata')) };
    const meta = { format: 'stockcast-tft/1', modelId: 'tiny', hyperparameters: hp, dataset: dataset.state, manifest, training: { config } } as unknown as ArtifactMeta;
    const store = new LocalObjectStore(join(dir, 'models'));
    await saveArtifact(store, meta, result.bestWeights);

    const windows = dataset.windows(data, 'test');
    const inMemory = TrainedModel.fromArtifact({ meta, weights: result.bestWeights });
    const loaded = await TrainedModel.load(store, 'tiny');
    let a: WindowForecasts;
    let b: WindowForecasts;
    try {
      a = await inMemory.forecastWindows(data, windows);
      b = await loaded.forecastWindows(loaded.dataset.prepare(frame), loaded.dataset.windows(loaded.dataset.prepare(frame), 'test'));
      // JSON drops the keys an in-memory config holds as undefined
      assert.deepEqual(JSON.parse(JSON.stringify(loaded.config())), JSON.parse(JSON.stringify(inMemory.config())));
    } finally {
      inMemory.dispose();
      loaded.dispose();
    }
    assert.deepEqual(b, a);
    assert.ok(a.pred.every((v) => Number.isFinite(v) && v > 0));
    // the raw model: forward, denormalize, read window w's step h quantile q at row h·B + w
    const raw = new TemporalFusionTransformer(dataset.spec(), hp, 0);
    raw.params.load(result.bestWeights, manifest);
    const all = Int32Array.from({ length: windows.length }, (_, i) => i);
    const batch = dataset.buildBatch(data, windows, all, 0, windows.length);
    const values = tf.tidy(() => {
      const t = targetColumns(batch, 2);
      return denormalize(raw.forward(toModelInputs(batch, raw.spec), { training: false }).prediction, t.center, t.scale, 'log').dataSync();
    });
    raw.params.dispose();
    const W = windows.length;
    assertClose(a.pred, Array.from(a.pred, (_, i) => values[((Math.floor(i / 3) % 2) * W + Math.floor(i / 6)) * 3 + (i % 3)]!), 'raw forward', 1e-6);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the engine is a seam: forecasts go through the factory given, in chunks, with the same numbers at any chunk size', async () => {
  const artifact = await loadArtifact(new LocalObjectStore(FIXTURE), 'fixture-tft-1');
  const sizes: number[] = [];
  const model = TrainedModel.fromArtifact(artifact, {
    engine: (source) => {
      const inner = TfjsEngine.create(source);
      return {
        encoderVariables: inner.encoderVariables,
        decoderVariables: inner.decoderVariables,
        threads: 1,
        predict: (batch) => (sizes.push(batch.size), inner.predict(batch)),
        explain: (batch) => inner.explain(batch),
        dispose: () => inner.dispose(),
      };
    },
  });
  try {
    const data = model.dataset.prepare(await syntheticFrame());
    const windows = model.dataset.windows(data, 'test');
    const progress: number[] = [];
    const small = await model.forecastWindows(data, windows, { chunk: 50, onProgress: (done) => progress.push(done) });
    assert.deepEqual(sizes, [50, 50, windows.length - 100]);
    assert.deepEqual(progress, [50, 100, windows.length]);
    const whole = await model.forecastWindows(data, windows, { chunk: 1000 });
    assertClose(small.pred, whole.pred, 'chunked vs whole', 1e-6);
  } finally {
    model.dispose();
  }
});

test('a stored config or model.json that is not valid names the artifact and the key', async () => {
  const artifact = await loadArtifact(new LocalObjectStore(FIXTURE), 'fixture-tft-1');
  const config = { ...artifact.meta.training.config, maxLookbackPeriod: 0 };
  const model = TrainedModel.fromArtifact({ meta: { ...artifact.meta, training: { ...artifact.meta.training, config } }, weights: artifact.weights });
  try {
    assert.throws(() => model.config(), (e: unknown) => e instanceof ConfigError && /^model artifact fixture-tft-1\/output\/model\.tar\.gz: config "fixture-tft-1": key "training\.config\.maxLookbackPeriod": expected a positive integer, got 0$/.test(e.message));
  } finally {
    model.dispose();
  }
  const dir = await mkdtemp(join(tmpdir(), 'sc-bad-'));
  try {
    const store = new LocalObjectStore(dir);
    await saveArtifact(store, { ...artifact.meta, hyperparameters: { ...artifact.meta.hyperparameters, hiddenSize: 'eight' as unknown as number } }, artifact.weights);
    await assert.rejects(TrainedModel.load(store, 'fixture-tft-1'), /model "fixture-tft-1" \(file:\/\/.*\/fixture-tft-1\/output\/model\.tar\.gz\) is not a valid stockcast model: key "hyperparameters\.hiddenSize"/);
    await assert.rejects(TrainedModel.load(store, 'nope'), /no trained model "nope" at file:\/\/.*: run `stockcast train --model-id nope` first/);
    const other = { ...artifact.meta, hyperparameters: { ...artifact.meta.hyperparameters, hiddenSize: 16 } };
    assert.throws(() => TrainedModel.fromArtifact({ meta: other, weights: artifact.weights }), /weights do not match this model/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('dispose frees every tensor the model holds, fixed layer matrices included', async () => {
  const artifact = await loadArtifact(new LocalObjectStore(FIXTURE), 'fixture-tft-1');
  const frame = await syntheticFrame(['SYN00']);
  const before = tf.memory().numTensors;
  const model = TrainedModel.fromArtifact(artifact);
  const data = model.dataset.prepare(frame);
  await model.forecastWindows(data, model.dataset.windows(data, 'test'));
  await model.interpret(data, model.dataset.windows(data, 'val'));
  assert.ok(tf.memory().numTensors > before);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});
