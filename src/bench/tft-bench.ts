import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseTimeFrame } from '../core/time-frame.js';
import { CsvBarsSource } from '../sources/csv-bars.js';
import { barsToWideFrame } from '../dataset/frame-from-bars.js';
import { TimeSeriesDataset } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer, type TftHyperparameters } from '../model/tft.js';
import { initBackend, type BackendName } from '../model/backend.js';
import { GradientPool } from '../model/worker-pool.js';
import { applyFlatGradients } from '../model/apply-gradients.js';
import { Adam } from '../model/optimizer.js';
import { accumulateGradients } from '../model/train-step.js';
import { epochOrder, evaluateLoss, naiveLastValueLoss, train } from '../model/trainer.js';
import { Random } from '../core/random.js';
import { benchNativeConfig, protocolTrainOptions } from './tft-native-bench.js';

/** The two configs of bench/REFERENCE.md. */
export const BENCH_CONFIGS: Record<string, TftHyperparameters> = {
  small: { hiddenSize: 8, attentionHeadSize: 1, dropout: 0.1, hiddenContinuousSize: 4, lstmLayers: 1 },
  favourite: { hiddenSize: 32, attentionHeadSize: 4, dropout: 0.1, hiddenContinuousSize: 16, lstmLayers: 1 },
};
/** Windows per forward/backward pass: wasm memory per thread grows with it and never shrinks. */
const CHUNK = 256;
const FEATURES = ['open', 'close', 'high', 'low', 'volume', 'day_of_week', 'day_of_month', 'month', 'year'];

/** Options of the TFT benchmark. */
export interface TftBenchOptions {
  data: string;
  config?: string;
  budgetMinutes?: number;
  threads?: number;
  backend?: string;
  steps?: number;
}

/**
 * The REFERENCE.md protocol on the S&P 500 daily data: samples per epoch, parameters, batch preparation,
 * training and inference throughput, validation loss after a time budget beside the naive baseline, peak RSS.
 */
export async function benchTft(opts: TftBenchOptions): Promise<Record<string, unknown>> {
  const backend = await initBackend((opts.backend ?? 'wasm') as BackendName, { native: true });
  const threads = opts.threads ?? 2;
  const B = 2048;
  // REFERENCE.md's protocol trains on the raw (unadjusted) prices of the file: keep them, so the figures compare
  const src = new CsvBarsSource(opts.data, { adjust: 'none' });
  const { bars } = await src.fetchBars({ symbols: await src.listSymbols(), start: new Date('2015-01-01T05:00:00Z'), end: new Date('2018-12-31T05:00:00Z'), timeFrame: parseTimeFrame('1Day') });
  const frame = barsToWideFrame(bars, FEATURES, parseTimeFrame('1Day'));
  // REFERENCE.md: train 2015-01-12..2017-06-30, validation decoders to 2017-12-31 (our ends are exclusive)
  const dataset = TimeSeriesDataset.fit(frame, { features: FEATURES, target: 'open', encoderLength: 60, decoderLength: 2, quantiles: [0.3, 0.5, 0.7], trainStart: '2015-01-12', trainEnd: '2017-07-01', valEnd: '2018-01-01', testEnd: '2019-01-01' });
  const data = dataset.prepare(frame);
  const windows = { train: dataset.windows(data, 'train'), val: dataset.windows(data, 'val') };
  const order = epochOrder(windows.train.length, 42, 0);
  const prepT0 = performance.now();
  for (let i = 0; i < 20; i++) dataset.buildBatch(data, windows.train, order, i * B, (i + 1) * B);
  const prepRate = (20 * B) / ((performance.now() - prepT0) / 1000);
  const naive = naiveLastValueLoss(dataset, data, windows.val);
  const out: Record<string, unknown> = {
    backend,
    threads,
    batchSize: B,
    samplesPerEpoch: windows.train.length,
    validationSamples: windows.val.length,
    reference: { samplesPerEpoch: 263_106, validationSamples: 58_808 },
    batchPreparationSamplesPerSecond: Math.round(prepRate),
    naiveValidationLoss: round(naive),
  };
  const names = opts.config ? [opts.config] : Object.keys(BENCH_CONFIGS);
  for (const name of names) {
    const hp = BENCH_CONFIGS[name];
    if (!hp) throw new Error(`unknown bench config ${name}: expected ${Object.keys(BENCH_CONFIGS).join(', ')}`);
    out[name] =
      backend === 'native'
        ? await benchNativeConfig(name, hp, dataset, data, windows, order, { threads, budgetMinutes: opts.budgetMinutes ?? 0 })
        : await benchConfig(name, hp, dataset, data, windows, order, { threads, backend, steps: opts.steps ?? 6, budgetMinutes: opts.budgetMinutes ?? 0 });
  }
  out.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  return out;
}

async function benchConfig(
  name: string,
  hp: TftHyperparameters,
  dataset: TimeSeriesDataset,
  data: ReturnType<TimeSeriesDataset['prepare']>,
  windows: { train: ReturnType<TimeSeriesDataset['windows']>; val: ReturnType<TimeSeriesDataset['windows']> },
  order: Int32Array,
  o: { threads: number; backend: BackendName; steps: number; budgetMinutes: number },
): Promise<Record<string, unknown>> {
  const B = 2048;
  const model = new TemporalFusionTransformer(dataset.spec(), hp, 42);
  const pool = o.threads > 1 ? await GradientPool.start(model, hp, o.backend, o.threads, CHUNK) : undefined;
  const grads = (batch: ReturnType<TimeSeriesDataset['buildBatch']>, rng: Random) => (pool ? pool.gradients(batch, rng) : Promise.resolve(accumulateGradients(model, batch, CHUNK, String(rng.int(2 ** 31)))));
  const optimizer = new Adam(1e-3);
  let prepMs = 0;
  let stepMs = 0;
  for (let i = 0; i <= o.steps; i++) {
    const t0 = performance.now();
    const batch = dataset.buildBatch(data, windows.train, order, i * B, (i + 1) * B);
    const t1 = performance.now();
    const g = await grads(batch, new Random(i));
    applyFlatGradients(model.params, optimizer, g.grads, 0.1);
    const t2 = performance.now();
    if (i === 0) continue; // warm-up
    prepMs += t1 - t0;
    stepMs += t2 - t1;
  }
  const trainRate = (o.steps * B) / ((prepMs + stepMs) / 1000);
  const inferN = Math.min(windows.val.length, 8192);
  const inferT0 = performance.now();
  evaluateLoss(model, dataset, data, { series: windows.val.series.subarray(0, inferN), start: windows.val.start.subarray(0, inferN), length: inferN }, CHUNK);
  const inferRate = inferN / ((performance.now() - inferT0) / 1000);
  const result: Record<string, unknown> = {
    parameters: model.params.count(),
    trainingSamplesPerSecond: Math.round(trainRate),
    batchPreparationShare: round(prepMs / (prepMs + stepMs)),
    inferenceSamplesPerSecond: Math.round(inferRate),
  };
  await pool?.close(); // the budget run starts its own workers
  if (o.budgetMinutes > 0) {
    const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-'));
    try {
      const fresh = new TemporalFusionTransformer(dataset.spec(), hp, 42);
      const freshPool = o.threads > 1 ? await GradientPool.start(fresh, hp, o.backend, o.threads, CHUNK) : undefined;
      const res = await train(fresh, dataset, data, windows, {
        ...protocolTrainOptions(name, o.budgetMinutes, dir),
        chunkSize: CHUNK,
        gradients: freshPool ? (b, r) => freshPool.gradients(b, r) : undefined,
      });
      await freshPool?.close();
      // the budget may end mid-epoch: score the weights as they are then, like the reference
      result.budgetMinutes = o.budgetMinutes;
      result.epochsCompleted = res.state.epoch;
      result.batchesInPartialEpoch = res.state.batchInEpoch;
      result.validationLossAfterBudget = round(evaluateLoss(fresh, dataset, data, windows.val, CHUNK));
      result.bestValidationLossAtEpochEnd = Number.isFinite(res.state.bestValLoss) ? round(res.state.bestValLoss) : null;
      fresh.params.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  model.params.dispose();
  tf.disposeVariables();
  return result;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
