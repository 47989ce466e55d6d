/**
 * The TFT benchmark protocol (bench/REFERENCE.md) on the native engine: 3 warm-up and 30 timed training batches of
 * 2,048 (batch building + step, and the step alone), inference over the whole validation set on a freshly loaded
 * artifact (batch building included, and the forward pass alone), repeated for medians; optionally a training
 * budget scored on the validation set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TimeSeriesDataset, PreparedData, WindowIndex } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer, type TftHyperparameters } from '../model/tft.js';
import { NativeTft } from '../model/native/native-tft.js';
import { nativeEvaluateLoss, nativeGradients, nativePredict } from '../model/native/native-training.js';
import { Adam } from '../model/optimizer.js';
import { applyFlatGradients } from '../model/apply-gradients.js';
import { train, type TrainOptions } from '../model/trainer.js';
import { loadArtifact, saveArtifact, type ArtifactMeta } from '../model/artifact.js';
import { LocalObjectStore } from '../store/local-object-store.js';
import { Random } from '../core/random.js';

const B = 2048;

/** The reference's training settings (REFERENCE.md) for a budget run, with progress lines on stderr. */
export function protocolTrainOptions(name: string, budgetMinutes: number, checkpointDir: string): TrainOptions {
  const t0 = Date.now();
  return {
    maxEpochs: 1000,
    batchSize: B,
    learningRate: 1e-3,
    gradientClipVal: 0.1,
    reduceOnPlateauPatience: 5,
    earlyStoppingPatience: 15,
    seed: 42,
    maxMinutes: budgetMinutes,
    checkpointDir,
    onBatch: (done, total, loss) => {
      if (done % 20 === 0) process.stderr.write(`${name}: batch ${done}/${total} loss ${loss.toFixed(4)} (${((Date.now() - t0) / 60000).toFixed(1)} min)\n`);
    },
    onEpoch: (r) => process.stderr.write(`${name}: epoch ${r.epoch + 1} train ${r.trainLoss.toFixed(4)} val ${r.valLoss.toFixed(4)} (${r.seconds.toFixed(0)} s)\n`),
  };
}

/** Settings of one native run. */
export interface NativeBenchOptions {
  threads: number;
  budgetMinutes: number;
  warmup?: number;
  timed?: number;
  repeats?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Protocol figures of one config on the native engine. */
export async function benchNativeConfig(
  name: string,
  hp: TftHyperparameters,
  dataset: TimeSeriesDataset,
  data: PreparedData,
  windows: { train: WindowIndex; val: WindowIndex },
  order: Int32Array,
  o: NativeBenchOptions,
): Promise<Record<string, unknown>> {
  const model = new TemporalFusionTransformer(dataset.spec(), hp, 42);
  const engine = new NativeTft(dataset.spec(), hp, model.params.manifest(), { threads: o.threads });
  const training = await timeTraining(model, engine, dataset, data, windows.train, order, o.warmup ?? 3, o.timed ?? 30);
  const inference = await timeInference(name, model, hp, dataset, data, windows.val, o.threads, o.repeats ?? 3);
  const result: Record<string, unknown> = { parameters: model.params.count(), engineThreads: engine.threads, ...training, ...inference };
  if (o.budgetMinutes > 0) Object.assign(result, await budgetRun(name, hp, dataset, data, windows, o));
  model.params.dispose();
  return result;
}

/** Training throughput: batch building + gradients + Adam, per batch; the rate over all timed batches and the median batch. */
async function timeTraining(model: TemporalFusionTransformer, engine: NativeTft, dataset: TimeSeriesDataset, data: PreparedData, win: WindowIndex, order: Int32Array, warmup: number, timed: number) {
  const grads = nativeGradients(model, engine);
  const optimizer = new Adam(1e-3);
  const prep: number[] = [];
  const step: number[] = [];
  const nBatches = Math.floor(win.length / B);
  let cpuMs = 0;
  for (let i = 0; i < warmup + timed; i++) {
    const cpu0 = process.cpuUsage();
    const from = (i % nBatches) * B;
    const t0 = performance.now();
    const batch = dataset.buildBatch(data, win, order, from, from + B);
    const t1 = performance.now();
    const g = await grads(batch, new Random(i));
    applyFlatGradients(model.params, optimizer, g.grads, 0.1);
    const t2 = performance.now();
    if (i < warmup) continue;
    const cpu = process.cpuUsage(cpu0);
    cpuMs += (cpu.user + cpu.system) / 1000;
    prep.push(t1 - t0);
    step.push(t2 - t1);
  }
  const total = prep.reduce((a, b) => a + b, 0) + step.reduce((a, b) => a + b, 0);
  return {
    timedBatches: timed,
    trainingSamplesPerSecond: Math.round((timed * B) / (total / 1000)),
    trainingSamplesPerSecondMedianBatch: Math.round(B / (median(prep.map((p, i) => p + step[i]!)) / 1000)),
    modelStepSamplesPerSecond: Math.round(B / (median(step) / 1000)),
    batchPreparationShare: Math.round((prep.reduce((a, b) => a + b, 0) / total) * 1000) / 1000,
    // CPU time over all threads: on a shared, overloaded machine this shows what the cores would give unshared
    trainingSamplesPerCpuSecond: Math.round((timed * B) / (cpuMs / 1000)),
  };
}

/** Inference over the whole validation set on a model loaded back from an artifact: with batch building, and forward alone. */
async function timeInference(name: string, model: TemporalFusionTransformer, hp: TftHyperparameters, dataset: TimeSeriesDataset, data: PreparedData, val: WindowIndex, threads: number, repeats: number) {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-artifact-'));
  try {
    const store = new LocalObjectStore(dir);
    await saveArtifact(store, benchMeta(name, hp, dataset, model), model.params.flatten());
    const order = Int32Array.from({ length: val.length }, (_, i) => i);
    const withBatches: number[] = [];
    const forwardOnly: number[] = [];
    let loss = NaN;
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const { meta, weights } = await loadArtifact(store, `bench-${name}`);
      const engine = new NativeTft(dataset.spec(), meta.hyperparameters, meta.manifest, { threads });
      loss = nativeEvaluateLoss(engine, weights, dataset, data, val, B);
      withBatches.push(val.length / ((performance.now() - t0) / 1000));
      // the forward pass alone, on batches built beforehand
      const batches = [];
      for (let from = 0; from < val.length; from += B) batches.push(dataset.buildBatch(data, val, order, from, Math.min(from + B, val.length)));
      const t1 = performance.now();
      for (const b of batches) nativePredict(engine, weights, b);
      forwardOnly.push(val.length / ((performance.now() - t1) / 1000));
    }
    return {
      inferenceSamplesPerSecond: Math.round(median(withBatches)),
      forwardSamplesPerSecond: Math.round(median(forwardOnly)),
      inferenceRepeats: repeats,
      inferenceValidationLoss: Math.round(loss * 10000) / 10000,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function benchMeta(name: string, hp: TftHyperparameters, dataset: TimeSeriesDataset, model: TemporalFusionTransformer): ArtifactMeta {
  return {
    format: 'stockcast-tft/1',
    modelId: `bench-${name}`,
    hyperparameters: hp,
    dataset: dataset.state,
    manifest: model.params.manifest(),
    training: { config: {}, dataRange: { first: '', last: '', symbols: 0 }, epochs: 0, bestEpoch: -1, bestValLoss: NaN, naiveValLoss: NaN, stoppedBy: 'bench', history: [], backend: 'native', stockcastVersion: '', createdAt: new Date().toISOString(), seed: 42 },
  };
}

/** Trains a fresh model for the budget on the native engine and scores it on the validation set. */
async function budgetRun(name: string, hp: TftHyperparameters, dataset: TimeSeriesDataset, data: PreparedData, windows: { train: WindowIndex; val: WindowIndex }, o: NativeBenchOptions) {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-'));
  try {
    const fresh = new TemporalFusionTransformer(dataset.spec(), hp, 42);
    const engine = new NativeTft(dataset.spec(), hp, fresh.params.manifest(), { threads: o.threads });
    const res = await train(fresh, dataset, data, windows, {
      ...protocolTrainOptions(name, o.budgetMinutes, dir),
      gradients: nativeGradients(fresh, engine),
      validationLoss: () => nativeEvaluateLoss(engine, fresh.params.flatten(), dataset, data, windows.val),
    });
    const out = {
      budgetMinutes: o.budgetMinutes,
      epochsCompleted: res.state.epoch,
      batchesInPartialEpoch: res.state.batchInEpoch,
      // the budget may end mid-epoch: score the weights as they are then, like the reference
      validationLossAfterBudget: Math.round(nativeEvaluateLoss(engine, fresh.params.flatten(), dataset, data, windows.val) * 10000) / 10000,
      bestValidationLossAtEpochEnd: Number.isFinite(res.state.bestValLoss) ? Math.round(res.state.bestValLoss * 10000) / 10000 : null,
      validationLossHistory: res.state.history.map((h) => Math.round(h.valLoss * 10000) / 10000),
    };
    fresh.params.dispose();
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
