/**
 * The seam between a trained model and the compute that runs its forward passes. TrainedModel builds batches
 * (plain typed arrays) and hands them to an engine; an engine returns plain arrays, never tensors. Engines:
 * TensorFlow.js on this thread (tfjs-engine.ts), TensorFlow.js on a pool of worker threads (tfjs-pool-engine.ts),
 * and the native C++ engine on every core (native/native-engine.ts); inference-engines.ts picks one.
 */
import type { TftBatch, TftInputSpec } from '../dataset/tft-batch.js';
import type { ParamEntry } from './params.js';
import type { TftHyperparameters } from './tft.js';

/** Variable-selection weights and attention of one batch, summed over its windows (so sums add across batches). */
export interface BatchExplanation {
  /** [nEncoderVars] Σ over encoder rows (Tenc·B) of each variable's weight. */
  encoder: Float32Array;
  /** [nDecoderVars] Σ over decoder rows (Tdec·B). */
  decoder: Float32Array;
  /** Per decoder step, [T] Σ over windows of the head-averaged attention on each position. */
  attention: Float32Array[];
}

/** Runs forward passes of one set of weights. Methods are async so an engine may run them elsewhere. */
export interface InferenceEngine {
  /** Names of the encoder's and the decoder's variables, in the order of `BatchExplanation`. */
  readonly encoderVariables: string[];
  readonly decoderVariables: string[];
  /** Cores the forward passes run on. */
  readonly threads: number;
  /** Quantile forecasts of a batch in target units, batch-major: out[(b·Tdec + h)·nQ + q]. No dropout. */
  predict(batch: TftBatch): Promise<Float32Array>;
  /** What the model looked at in a batch (no dropout). */
  explain(batch: TftBatch): Promise<BatchExplanation>;
  /** Frees the engine's weights and memory. */
  dispose(): void;
}

/** What an engine is built from: the dataset's sizes, the hyperparameters and the weights in manifest order. */
export interface EngineSource {
  spec: TftInputSpec;
  hyperparameters: TftHyperparameters;
  weights: Float32Array;
  manifest: ParamEntry[];
}

/** Builds an engine (the choice of compute). */
export type EngineFactory = (source: EngineSource) => InferenceEngine;

/** A zero explanation to add batches' explanations into. */
export function emptyExplanation(nEncoderVars: number, nDecoderVars: number, decoderLength: number, steps: number): BatchExplanation {
  return { encoder: new Float32Array(nEncoderVars), decoder: new Float32Array(nDecoderVars), attention: Array.from({ length: decoderLength }, () => new Float32Array(steps)) };
}

/** Adds `e` into `sum` (explanations are sums over windows, so parts of a batch add up to the whole). */
export function addExplanation(sum: BatchExplanation, e: BatchExplanation): void {
  e.encoder.forEach((v, i) => (sum.encoder[i] = sum.encoder[i]! + v));
  e.decoder.forEach((v, i) => (sum.decoder[i] = sum.decoder[i]! + v));
  e.attention.forEach((a, j) => a.forEach((v, i) => (sum.attention[j]![i] = sum.attention[j]![i]! + v)));
}

/** What an engine throws when asked to forecast after `dispose`. */
export function disposedError(): Error {
  return new Error('the model was disposed: it cannot forecast any more');
}
