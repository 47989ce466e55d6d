import type { TimeSeriesDataset, PreparedData, WindowIndex } from '../dataset/time-series-dataset.js';
import type { BackendName } from './backend.js';
import type { ParamEntry } from './params.js';
import { TemporalFusionTransformer, type TftHyperparameters } from './tft.js';
import { GradientPool } from './worker-pool.js';
import { evaluateLoss, train, type TrainOptions, type TrainResult } from './trainer.js';
import { accumulateGradients } from './train-step.js';
import { applyFlatGradients } from './apply-gradients.js';
import type { Adam } from './optimizer.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import type { Random } from '../core/random.js';
import { NativeTft } from './native/native-tft.js';
import { nativeEvaluateLoss, nativeGradients } from './native/native-training.js';

export type { TftHyperparameters } from './tft.js';

/** Windows per forward/backward pass on TensorFlow.js: wasm memory per thread grows with it and never shrinks. */
const CHUNK = 256;

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
  private closed = false;

  private constructor(
    private readonly model: TemporalFusionTransformer,
    private readonly dataset: TimeSeriesDataset,
    private readonly chunk: number,
    private readonly pool?: GradientPool,
    private readonly native?: NativeTft,
  ) {}

  /** Builds the model (and the native engine, or the workers when `threads` > 1). */
  static async start(o: TftTrainingOptions): Promise<TftTraining> {
    const model = new TemporalFusionTransformer(o.dataset.spec(), o.hyperparameters, o.seed);
    if (o.initialWeights) model.params.load(o.initialWeights);
    const chunk = o.chunkSize ?? CHUNK;
    if (o.backend === 'native') {
      return new TftTraining(model, o.dataset, chunk, undefined, new NativeTft(o.dataset.spec(), o.hyperparameters, model.params.manifest(), { threads: o.threads }));
    }
    const pool = (o.threads ?? 1) > 1 ? await GradientPool.start(model, o.hyperparameters, o.backend, o.threads, chunk) : undefined;
    return new TftTraining(model, o.dataset, chunk, pool);
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

  /** The current weights, flat in manifest order. */
  weights(): Float32Array {
    return this.model.params.flatten();
  }

  /** Loss and gradient of a batch at the current weights: on the native engine's threads, split over the workers, or here. */
  gradients(batch: TftBatch, rng: Random): Promise<{ loss: number; grads: Float32Array }> {
    if (this.native) return nativeGradients(this.model, this.native)(batch, rng);
    if (this.pool) return this.pool.gradients(batch, rng);
    return Promise.resolve(accumulateGradients(this.model, batch, this.chunk, String(rng.int(2 ** 31))));
  }

  /** One optimiser step with gradients from `gradients`: global-norm clipping at `clip`, then the optimiser's update. */
  applyGradients(optimizer: Adam, grads: Float32Array, clip: number): void {
    applyFlatGradients(this.model.params, optimizer, grads, clip);
  }

  /** Mean quantile loss of the current weights over windows, in target units, without dropout (on the engine that trains). */
  validationLoss(data: PreparedData, windows: WindowIndex): number {
    const { native, model, dataset } = this;
    return native ? nativeEvaluateLoss(native, model.params.flatten(), dataset, data, windows) : evaluateLoss(model, dataset, data, windows, this.chunk);
  }

  /** Trains on the training windows, validating on the validation windows (see `train`), with this object's gradients and validation loss. */
  run(data: PreparedData, windows: { train: WindowIndex; val: WindowIndex }, opts: Omit<TrainOptions, 'gradients' | 'validationLoss'>): Promise<TrainResult> {
    return train(this.model, this.dataset, data, windows, {
      ...opts,
      chunkSize: this.chunk,
      gradients: (batch, rng) => this.gradients(batch, rng),
      validationLoss: () => this.validationLoss(data, windows.val),
    });
  }

  /** Stops the workers and frees the model. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool?.close();
    this.model.params.dispose();
  }
}
