/**
 * The seam between a trained model and the compute that runs its forward passes. TrainedModel builds batches
 * (plain typed arrays) and hands them to an engine; an engine returns plain arrays, never tensors. Today's
 * engine is TensorFlow.js on the current backend (tfjs-engine.ts); a worker pool or a native engine can take its
 * place without touching batch building or anything above the model.
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
