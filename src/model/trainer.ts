/**
 * The training loop: shuffled windows each epoch, gradient accumulation over memory-sized chunks, Adam with
 * global-norm clipping, validation loss in target units, ReduceLROnPlateau, early stopping, a checkpoint after
 * every epoch (last and best, atomic), resume, and a time budget that stops cleanly.
 */
import * as tf from '@tensorflow/tfjs';
import { Random } from '../core/random.js';
import type { TimeSeriesDataset, PreparedData, WindowIndex } from '../dataset/time-series-dataset.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import type { TemporalFusionTransformer } from './tft.js';
import { Adam } from './optimizer.js';
import { applyFlatGradients } from './apply-gradients.js';
import { accumulateGradients, batchLoss } from './train-step.js';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint.js';

/** Training settings (from the model config). */
export interface TrainOptions {
  maxEpochs: number;
  batchSize: number;
  learningRate: number;
  gradientClipVal: number;
  reduceOnPlateauPatience: number;
  earlyStoppingPatience: number;
  seed: number;
  /** Largest chunk one forward/backward handles (wasm memory); batches are accumulated over chunks. */
  chunkSize?: number;
  /** Stop cleanly (with a resumable checkpoint) after this many minutes. */
  maxMinutes?: number;
  /** Cap on batches per epoch (benchmarks, smoke runs); all windows when absent. */
  maxBatchesPerEpoch?: number;
  checkpointDir: string;
  resume?: boolean;
  /** Computes gradients of a batch; the default runs here, a worker pool can replace it. */
  gradients?: (batch: TftBatch, rng: Random) => Promise<{ loss: number; grads: Float32Array }>;
  /** Validation loss of the current weights; the default runs the tfjs model here (another engine can replace it). */
  validationLoss?: () => number;
  onBatch?: (done: number, total: number, loss: number) => void;
  onEpoch?: (record: TrainingState['history'][number], state: TrainingState) => void;
  shouldStop?: () => boolean;
}

/** How training ended. */
export interface TrainResult {
  state: TrainingState;
  stoppedBy: 'max_epochs' | 'early_stopping' | 'time_budget' | 'interrupted';
  bestWeights: Float32Array;
}

/** Trains `model` on the dataset's training windows, validating on its validation windows. */
export async function train(
  model: TemporalFusionTransformer,
  dataset: TimeSeriesDataset,
  data: PreparedData,
  windows: { train: WindowIndex; val: WindowIndex },
  opts: TrainOptions,
): Promise<TrainResult> {
  if (windows.train.length === 0) throw new Error('no training windows: check train_start/train_end against the data range');
  if (windows.val.length === 0) throw new Error('no validation windows: check train_end/val_end against the data range');
  const params = model.params;
  const names = [...params.vars.keys()];
  const sizes = [...params.vars.values()].map((v) => v.size);
  const optimizer = new Adam(opts.learningRate);
  let state: TrainingState = {
    epoch: 0,
    batchInEpoch: 0,
    learningRate: opts.learningRate,
    bestValLoss: Infinity,
    bestEpoch: -1,
    epochsWithoutImprovement: 0,
    plateauEpochs: 0,
    history: [],
    adamStep: 0,
    seed: opts.seed,
  };
  let bestWeights = params.flatten();
  const lastPath = `${opts.checkpointDir}/last.ckpt`;
  const bestPath = `${opts.checkpointDir}/best.ckpt`;
  if (opts.resume) {
    const last = await loadCheckpoint(lastPath);
    if (last) {
      try {
        params.load(last.weights, last.manifest);
        optimizer.importState({ step: last.state.adamStep, m: last.adamM, v: last.adamV }, params.vars);
      } catch (err) {
        throw new Error(`checkpoint ${lastPath} does not fit this model (${(err as Error).message}): train without --resume to start over`, { cause: err });
      }
      state = last.state;
      optimizer.learningRate = state.learningRate;
      const best = await loadCheckpoint(bestPath);
      if (best) bestWeights = best.weights;
    }
  }
  const save = async (path: string) => {
    const adam = optimizer.exportState(names, sizes);
    await saveCheckpoint(path, { manifest: params.manifest(), weights: params.flatten(), adamM: adam.m, adamV: adam.v, state: { ...state, adamStep: adam.step } });
  };
  const chunk = opts.chunkSize ?? 256;
  const gradients = opts.gradients ?? (async (b: TftBatch, rng: Random) => accumulateGradients(model, b, chunk, String(rng.int(2 ** 31))));
  const started = Date.now();
  const outOfTime = () => opts.maxMinutes !== undefined && Date.now() - started > opts.maxMinutes * 60_000;
  const nBatches = Math.min(Math.floor(windows.train.length / opts.batchSize) || 1, opts.maxBatchesPerEpoch ?? Infinity);

  while (state.epoch < opts.maxEpochs) {
    const epochStart = Date.now();
    const order = epochOrder(windows.train.length, state.seed, state.epoch);
    let lossSum = 0;
    let lossCount = 0;
    for (let b = state.batchInEpoch; b < nBatches; b++) {
      const from = b * opts.batchSize;
      const to = Math.min(from + opts.batchSize, windows.train.length);
      const batch = dataset.buildBatch(data, windows.train, order, from, to);
      const rng = new Random(`${state.seed}:${state.epoch}:${b}`);
      const g = await gradients(batch, rng);
      assertFiniteStep(g, state.epoch, b, lastPath);
      applyFlatGradients(params, optimizer, g.grads, opts.gradientClipVal);
      lossSum += g.loss * (to - from);
      lossCount += to - from;
      state.batchInEpoch = b + 1;
      opts.onBatch?.(b + 1, nBatches, g.loss);
      const interrupted = opts.shouldStop?.() ?? false;
      if (interrupted || outOfTime()) {
        state.adamStep = optimizer.step;
        await save(lastPath);
        return { state, stoppedBy: interrupted ? 'interrupted' : 'time_budget', bestWeights };
      }
    }
    const valLoss = opts.validationLoss ? opts.validationLoss() : evaluateLoss(model, dataset, data, windows.val, chunk);
    if (!Number.isFinite(valLoss)) throw diverged(`the validation loss after epoch ${state.epoch + 1} is ${valLoss}`, lastPath);
    const record = { epoch: state.epoch, trainLoss: lossSum / Math.max(1, lossCount), valLoss, learningRate: optimizer.learningRate, seconds: (Date.now() - epochStart) / 1000 };
    state.history.push(record);
    if (valLoss < state.bestValLoss - 1e-4) {
      state.bestValLoss = valLoss;
      state.bestEpoch = state.epoch;
      state.epochsWithoutImprovement = 0;
      state.plateauEpochs = 0;
      bestWeights = params.flatten();
    } else {
      state.epochsWithoutImprovement++;
      state.plateauEpochs++;
      if (state.plateauEpochs > opts.reduceOnPlateauPatience) {
        // pytorch-forecasting's TFT halves the learning rate on a plateau, down to 1e-5
        optimizer.learningRate = Math.max(optimizer.learningRate / 2, 1e-5);
        state.plateauEpochs = 0;
      }
    }
    state.epoch++;
    state.batchInEpoch = 0;
    state.learningRate = optimizer.learningRate;
    state.adamStep = optimizer.step;
    if (state.bestEpoch === record.epoch) await save(bestPath);
    await save(lastPath);
    opts.onEpoch?.(record, state);
    if (state.epochsWithoutImprovement >= opts.earlyStoppingPatience) return { state, stoppedBy: 'early_stopping', bestWeights };
    if (outOfTime()) return { state, stoppedBy: 'time_budget', bestWeights };
  }
  return { state, stoppedBy: 'max_epochs', bestWeights };
}

/** Stops training at the first batch whose loss or gradients are not finite, before they reach the weights. */
function assertFiniteStep(g: { loss: number; grads: Float32Array }, epoch: number, batch: number, lastPath: string): void {
  const at = `epoch ${epoch + 1}, batch ${batch + 1}`;
  if (!Number.isFinite(g.loss)) throw diverged(`the training loss of ${at} is ${g.loss}`, lastPath);
  for (let i = 0; i < g.grads.length; i++) {
    if (!Number.isFinite(g.grads[i]!)) throw diverged(`the gradients of ${at} are not finite (index ${i})`, lastPath);
  }
}

/** The error of a diverged run: nothing non-finite was applied or saved, and what to do next. */
function diverged(what: string, lastPath: string): Error {
  return new Error(
    `training diverged: ${what}. Nothing of it was applied or saved; ${lastPath} (if present) holds the last good state. ` +
      'Lower learning_rate or gradient_clip_val, or check the features for extreme or missing values, then train again',
  );
}

/** The shuffled window order of an epoch: a pure function of seed and epoch, so a resumed run sees the same batches. */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  new Random(`${seed}:shuffle:${epoch}`).shuffle(order);
  return order;
}

/** Mean quantile loss over windows, in target units (dollars for a price target), without dropout. */
export function evaluateLoss(model: TemporalFusionTransformer, dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex, chunk: number): number {
  const order = Int32Array.from({ length: windows.length }, (_, i) => i);
  let sum = 0;
  for (let from = 0; from < windows.length; from += chunk) {
    const to = Math.min(from + chunk, windows.length);
    const batch = dataset.buildBatch(data, windows, order, from, to);
    sum += tf.tidy(() => batchLoss(model, batch, false).dataSync()[0]!) * (to - from);
  }
  return sum / windows.length;
}

/** The naive last-value forecast's loss on the same windows (every quantile = the last encoder value; it is the MAE). */
export function naiveLastValueLoss(dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex): number {
  const Te = dataset.state.encoderLength;
  const Td = dataset.state.decoderLength;
  let sum = 0;
  let n = 0;
  for (let w = 0; w < windows.length; w++) {
    const row0 = data.seriesOffset[windows.series[w]!]! + windows.start[w]!;
    let last = NaN;
    for (let t = Te - 1; t >= 0 && !Number.isFinite(last); t--) last = data.target[row0 + t]!;
    for (let t = 0; t < Td; t++) {
      sum += Math.abs(data.target[row0 + Te + t]! - last);
      n++;
    }
  }
  return sum / n;
}
