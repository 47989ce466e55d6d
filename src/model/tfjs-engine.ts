import * as tf from '@tensorflow/tfjs';
import type { TftBatch } from '../dataset/tft-batch.js';
import { TemporalFusionTransformer } from './tft.js';
import { targetColumns, toModelInputs } from './model-inputs.js';
import { denormalize } from './quantile-loss.js';
import type { BatchExplanation, EngineSource, InferenceEngine } from './inference-engine.js';

/** Forward passes with TensorFlow.js on the current backend (wasm by default), on this thread. */
export class TfjsEngine implements InferenceEngine {
  readonly encoderVariables: string[];
  readonly decoderVariables: string[];

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
    const { decoderLength: Td, quantiles, targetTransform } = this.model.spec;
    const nQ = quantiles.length;
    const B = batch.size;
    const values = tf.tidy(() => {
      const target = targetColumns(batch, Td);
      const o = this.model.forward(toModelInputs(batch, this.model.spec), { training: false });
      return denormalize(o.prediction, target.center, target.scale, targetTransform).dataSync() as Float32Array;
    });
    // the model's rows are time-major (h·B + b); callers read windows, so batch-major
    const out = new Float32Array(B * Td * nQ);
    for (let b = 0; b < B; b++) for (let h = 0; h < Td; h++) for (let q = 0; q < nQ; q++) out[(b * Td + h) * nQ + q] = values[(h * B + b) * nQ + q]!;
    return out;
  }

  /** {@inheritDoc InferenceEngine.explain} */
  async explain(batch: TftBatch): Promise<BatchExplanation> {
    return tf.tidy(() => {
      const o = this.model.forward(toModelInputs(batch, this.model.spec), { training: false });
      return {
        encoder: tf.sum(o.encoderWeights, 0).dataSync() as Float32Array,
        decoder: tf.sum(o.decoderWeights, 0).dataSync() as Float32Array,
        attention: o.attention.map((a) => tf.sum(a, 0).dataSync() as Float32Array),
      };
    });
  }

  /** {@inheritDoc InferenceEngine.dispose} */
  dispose(): void {
    this.model.params.dispose();
  }
}
