import * as tf from '@tensorflow/tfjs';
import type { TftBatch } from '../dataset/tft-batch.js';
import { TemporalFusionTransformer } from './tft.js';
import { toModelInputs } from './model-inputs.js';
import { denormalizeBatch } from './quantile-loss.js';
import { sliceBatch } from './train-step.js';
import { addExplanation, disposedError, emptyExplanation, type BatchExplanation, type EngineSource, type InferenceEngine } from './inference-engine.js';

/** Windows per forward pass on TensorFlow.js: wasm memory grows with it and never shrinks. */
export const TFJS_CHUNK = 256;

/** Forward passes with TensorFlow.js on the current backend (wasm by default), on this thread. */
export class TfjsEngine implements InferenceEngine {
  readonly encoderVariables: string[];
  readonly decoderVariables: string[];
  readonly threads = 1;
  private disposed = false;

  private constructor(private readonly model: TemporalFusionTransformer) {
    this.encoderVariables = model.encoderVariables.map((v) => v.name);
    this.decoderVariables = model.decoderVariables.map((v) => v.name);
  }

  /** Builds the TFT from the dataset's spec and loads the weights (checked against the manifest). */
  static create(source: EngineSource): TfjsEngine {
    const model = new TemporalFusionTransformer(source.spec, source.hyperparameters, 0);
    try {
      model.params.load(source.weights, source.manifest);
    } catch (err) {
      model.params.dispose();
      throw err;
    }
    return new TfjsEngine(model);
  }

  /** {@inheritDoc InferenceEngine.predict} */
  async predict(batch: TftBatch): Promise<Float32Array> {
    return this.predictNow(batch);
  }

  /** The same, synchronously (worker threads and the pool's own share call it). */
  predictNow(batch: TftBatch): Float32Array {
    const { decoderLength: Td, quantiles, targetTransform } = this.model.spec;
    const nQ = quantiles.length;
    const out = new Float32Array(batch.size * Td * nQ);
    this.chunks(batch, (part, from) => {
      const normalized = tf.tidy(() => this.model.forward(toModelInputs(part, this.model.spec), { training: false }).prediction.dataSync() as Float32Array);
      out.set(denormalizeBatch(normalized, part.targetScale, Td, nQ, targetTransform), from * Td * nQ);
    });
    return out;
  }

  /** {@inheritDoc InferenceEngine.explain} */
  async explain(batch: TftBatch): Promise<BatchExplanation> {
    return this.explainNow(batch);
  }

  /** The same, synchronously. */
  explainNow(batch: TftBatch): BatchExplanation {
    const sum = emptyExplanation(this.encoderVariables.length, this.decoderVariables.length, this.model.spec.decoderLength, this.model.spec.encoderLength + this.model.spec.decoderLength);
    this.chunks(batch, (part) => {
      const e = tf.tidy(() => {
        const o = this.model.forward(toModelInputs(part, this.model.spec), { training: false });
        return {
          encoder: tf.sum(o.encoderWeights, 0).dataSync() as Float32Array,
          decoder: tf.sum(o.decoderWeights, 0).dataSync() as Float32Array,
          attention: o.attention.map((a) => tf.sum(a, 0).dataSync() as Float32Array),
        };
      });
      addExplanation(sum, e);
    });
    return sum;
  }

  /** {@inheritDoc InferenceEngine.dispose} */
  dispose(): void {
    if (!this.disposed) this.model.params.dispose();
    this.disposed = true;
  }

  /** Runs `f` on memory-sized parts of a batch, each with its first window's index. */
  private chunks(batch: TftBatch, f: (part: TftBatch, from: number) => void): void {
    if (this.disposed) throw disposedError();
    const T = this.model.spec.encoderLength + this.model.spec.decoderLength;
    for (let from = 0; from < batch.size; from += TFJS_CHUNK) f(batch.size <= TFJS_CHUNK ? batch : sliceBatch(batch, from, Math.min(from + TFJS_CHUNK, batch.size), T), from);
  }
}
