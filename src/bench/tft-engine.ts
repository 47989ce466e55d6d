import * as tf from '@tensorflow/tfjs';
import type { Random } from '../core/random.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import type { PreparedData, TimeSeriesDataset, WindowIndex } from '../dataset/time-series-dataset.js';
import type { TemporalFusionTransformer, TftHyperparameters } from '../model/tft.js';
import type { BackendName } from '../model/backend.js';
import { GradientPool } from '../model/worker-pool.js';
import { accumulateGradients, sliceBatch } from '../model/train-step.js';
import { evaluateLoss } from '../model/trainer.js';
import { forecastWindows } from '../model/predict.js';
import { targetColumns, toModelInputs } from '../model/model-inputs.js';
import { denormalize } from '../model/quantile-loss.js';

/** Windows per forward/backward pass of the tfjs engine: wasm memory per thread grows with it and never shrinks. */
export const CHUNK = 256;

/** Trains one model: gradients for its current weights, and its validation loss (the budget's per-epoch score). */
export interface TrainingEngine {
  readonly threads: number;
  gradients(batch: TftBatch, rng: Random): Promise<{ loss: number; grads: Float32Array }>;
  validationLoss(dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex): number;
  close(): Promise<void>;
}

/** Runs one (loaded) model forward: `predict` over windows with batch building, or one prebuilt batch. */
export interface InferenceEngine {
  readonly threads: number;
  predictWindows(dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex): void;
  forwardBatch(batch: TftBatch): void;
  close(): Promise<void>;
}

/** How a backend computes: the seam through which another compute engine joins the benchmark. */
export interface BenchEngines {
  training(model: TemporalFusionTransformer, hp: TftHyperparameters, threads: number): Promise<TrainingEngine>;
  inference(model: TemporalFusionTransformer, hp: TftHyperparameters, threads: number): Promise<InferenceEngine>;
}

/** The engines of a backend (the tfjs backends share one implementation). */
export function enginesFor(backend: BackendName): BenchEngines {
  return tfjsEngines(backend);
}

/** TensorFlow.js: training split over a worker pool (one wasm instance per core); inference on this thread, as `predict` runs today. */
function tfjsEngines(backend: BackendName): BenchEngines {
  return {
    async training(model, hp, threads) {
      const pool = threads > 1 ? await GradientPool.start(model, hp, backend, threads, CHUNK) : undefined;
      return {
        threads: pool?.threads ?? 1,
        gradients: async (b, r) => (pool ? pool.gradients(b, r) : accumulateGradients(model, b, CHUNK, String(r.int(2 ** 31)))),
        validationLoss: (dataset, data, windows) => evaluateLoss(model, dataset, data, windows, CHUNK),
        close: async () => pool?.close(),
      };
    },
    async inference(model) {
      return {
        threads: 1,
        predictWindows: (dataset, data, windows) => void forecastWindows(model, dataset, data, windows, CHUNK),
        forwardBatch: (batch) => forwardInChunks(model, batch),
        close: async () => undefined,
      };
    },
  };
}

/** One no-dropout forward pass over a batch in memory-sized chunks, predictions mapped back to target units. */
function forwardInChunks(model: TemporalFusionTransformer, batch: TftBatch): void {
  const spec = model.spec;
  const T = spec.encoderLength + spec.decoderLength;
  for (let from = 0; from < batch.size; from += CHUNK) {
    const part = sliceBatch(batch, from, Math.min(from + CHUNK, batch.size), T);
    tf.tidy(() => {
      const target = targetColumns(part, spec.decoderLength);
      const out = model.forward(toModelInputs(part, spec), { training: false });
      denormalize(out.prediction, target.center, target.scale, spec.targetTransform).dataSync();
    });
  }
}
