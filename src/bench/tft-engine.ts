/**
 * The benchmark's seam for compute engines: how a backend trains (gradients, the optimiser step, validation
 * loss) and which engine a loaded model infers on. Both come from the model's own selectors, so the benchmark
 * times exactly what `train` and `predict` run: on `native`, NativeTft's gradients and validation loss and the
 * native forward pass; on the TensorFlow.js backends, a pool of wasm workers (one instance per core) for both.
 */
import type { TimeSeriesDataset } from '../dataset/time-series-dataset.js';
import type { TftHyperparameters } from '../model/tft.js';
import type { BackendName } from '../model/backend.js';
import type { EngineFactory } from '../model/inference-engine.js';
import { inferenceEngine } from '../model/inference-engines.js';
import { TftTraining } from '../model/tft-training.js';
import { PROTOCOL } from './tft-protocol.js';

/** How one backend computes. */
export interface BenchEngines {
  readonly backend: BackendName;
  /** A fresh model (the protocol's seed) being trained on `threads` cores: gradients, optimiser steps, validation loss. */
  training(dataset: TimeSeriesDataset, hp: TftHyperparameters, threads: number): Promise<TftTraining>;
  /** The engine a loaded model forecasts with, as `predict --backend <backend> --threads <threads>` picks it. */
  inference(threads: number): EngineFactory;
}

/** The engines of a backend: `native`, or a TensorFlow.js backend (wasm, cpu, tensorflow). */
export function enginesFor(backend: BackendName): BenchEngines {
  return {
    backend,
    training: (dataset, hp, threads) => TftTraining.start({ dataset, hyperparameters: hp, seed: PROTOCOL.seed, backend, threads }),
    inference: (threads) => inferenceEngine(backend, threads),
  };
}
