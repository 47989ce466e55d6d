import type { TimeSeriesDataset, PreparedData, WindowIndex } from '../dataset/time-series-dataset.js';
import type { BackendName } from './backend.js';
import type { ParamEntry } from './params.js';
import { TemporalFusionTransformer, type TftHyperparameters } from './tft.js';
import { GradientPool } from './worker-pool.js';
import { train, type TrainOptions, type TrainResult } from './trainer.js';
import { NativeTft } from './native/native-tft.js';
import { nativeEvaluateLoss, nativeGradients } from './native/native-training.js';

export type { TftHyperparameters } from './tft.js';

/** What a training run is built from. */
export interface TftTrainingOptions {
  dataset: TimeSeriesDataset;
  hyperparameters: TftHyperparameters;
  /** Seed of the initial weights. */
  seed: number;
  /** Weights to start from instead (fine-tuning a parent with the same architecture). */
  initialWeights?: Float32Array;
  backend: BackendName;
  /** Cores to spread each batch over (native threads, or worker threads with one wasm instance each); default 1. */
  threads?: number;
  chunkSize?: number;
}

/**
 * A TFT being trained: the model sized by the dataset, and what computes its gradients on every core — the
 * native engine's threads, or a pool of wasm workers. The pipeline drives it through this object and never holds
 * the model itself. Adam, clipping and checkpoints stay in the trainer whatever computes the gradients.
 */
export class TftTraining {
  private constructor(
    private readonly model: TemporalFusionTransformer,
    private readonly dataset: TimeSeriesDataset,
    private readonly pool?: GradientPool,
    private readonly native?: NativeTft,
  ) {}

  /** Builds the model (and the native engine, or the workers when `threads` > 1). */
  static async start(o: TftTrainingOptions): Promise<TftTraining> {
    const model = new TemporalFusionTransformer(o.dataset.spec(), o.hyperparameters, o.seed);
    if (o.initialWeights) model.params.load(o.initialWeights);
    if (o.backend === 'native') {
      return new TftTraining(model, o.dataset, undefined, new NativeTft(o.dataset.spec(), o.hyperparameters, model.params.manifest(), { threads: o.threads }));
    }
    const pool = (o.threads ?? 1) > 1 ? await GradientPool.start(model, o.hyperparameters, o.backend, o.threads, o.chunkSize) : undefined;
    return new TftTraining(model, o.dataset, pool);
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.model.params.count();
  }

  /** Threads each batch is spread over. */
  get threads(): number {
    return this.native?.threads ?? this.pool?.threads ?? 1;
  }

  /** Names, shapes and offsets of the weights (stored in the artifact beside them). */
  manifest(): ParamEntry[] {
    return this.model.params.manifest();
  }

  /** Trains on the training windows, validating on the validation windows (see `train`). */
  run(data: PreparedData, windows: { train: WindowIndex; val: WindowIndex }, opts: Omit<TrainOptions, 'gradients' | 'validationLoss'>): Promise<TrainResult> {
    const { pool, native, model, dataset } = this;
    if (native) {
      return train(model, dataset, data, windows, {
        ...opts,
        gradients: nativeGradients(model, native),
        validationLoss: () => nativeEvaluateLoss(native, model.params.flatten(), dataset, data, windows.val),
      });
    }
    return train(model, dataset, data, windows, { ...opts, gradients: pool ? (batch, rng) => pool.gradients(batch, rng) : undefined });
  }

  /** Stops the workers and frees the model. */
  async close(): Promise<void> {
    await this.pool?.close();
    this.model.params.dispose();
  }
}
