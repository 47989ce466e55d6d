/**
 * Inference on the native engine: the InferenceEngine seam over NativeTft's forward pass, on every core. The
 * predictions go back to target units through the same `denormalizeBatch` as the TensorFlow.js engine's.
 */
import type { TftBatch } from '../../dataset/tft-batch.js';
import { denormalizeBatch } from '../quantile-loss.js';
import { selectedVariables } from '../tft.js';
import { disposedError, emptyExplanation, type BatchExplanation, type EngineSource, type InferenceEngine } from '../inference-engine.js';
import { NativeTft, type NativeTftOptions } from './native-tft.js';

/** Predictions of a batch in target units, batch-major: pred[(b·Td + h)·nQ + q] (no dropout). */
export function nativePredict(engine: NativeTft, weights: Float32Array, batch: TftBatch): Float32Array {
  const { decoderLength, quantiles, targetTransform } = engine.spec;
  return denormalizeBatch(engine.forecast(weights, batch).prediction, batch.targetScale, decoderLength, quantiles.length, targetTransform);
}

/** Forward passes of one set of weights on the native engine. */
export class NativeInferenceEngine implements InferenceEngine {
  readonly encoderVariables: string[];
  readonly decoderVariables: string[];

  private constructor(private readonly native: NativeTft, private weights: Float32Array | undefined, hp: EngineSource['hyperparameters']) {
    const vars = selectedVariables(native.spec, hp);
    this.encoderVariables = vars.encoder.map((v) => v.name);
    this.decoderVariables = vars.decoder.map((v) => v.name);
  }

  /** Builds the engine (the addon checks the manifest against the model, and the weights on each pass). */
  static create(source: EngineSource, options: NativeTftOptions = {}): NativeInferenceEngine {
    return new NativeInferenceEngine(new NativeTft(source.spec, source.hyperparameters, source.manifest, options), source.weights, source.hyperparameters);
  }

  /** {@inheritDoc InferenceEngine.threads} */
  get threads(): number {
    return this.native.threads;
  }

  /** {@inheritDoc InferenceEngine.predict} */
  async predict(batch: TftBatch): Promise<Float32Array> {
    return nativePredict(this.native, this.loaded(), batch);
  }

  /** {@inheritDoc InferenceEngine.explain} */
  async explain(batch: TftBatch): Promise<BatchExplanation> {
    const { encoderLength: Te, decoderLength: Td } = this.native.spec;
    const o = this.native.forecast(this.loaded(), batch);
    const T = Te + Td;
    const e = emptyExplanation(this.encoderVariables.length, this.decoderVariables.length, Td, T);
    // the same sums as the tfjs engine's: over the rows of the weights, over the windows of each attention map
    sumRows(o.encoderWeights, this.encoderVariables.length, e.encoder);
    sumRows(o.decoderWeights, this.decoderVariables.length, e.decoder);
    o.attention.forEach((a, j) => sumRows(a, T, e.attention[j]!));
    return e;
  }

  /** {@inheritDoc InferenceEngine.dispose} */
  dispose(): void {
    // the addon's handle is freed with the object; drop the weights so a disposed engine cannot forecast
    this.weights = undefined;
  }

  private loaded(): Float32Array {
    if (!this.weights) throw disposedError();
    return this.weights;
  }
}

/** Adds the rows of a row-major [rows, width] matrix into `out` (in double precision, then rounded once). */
function sumRows(m: Float32Array, width: number, out: Float32Array): void {
  const acc = new Float64Array(width);
  for (let row = 0; row < m.length; row += width) for (let k = 0; k < width; k++) acc[k] = acc[k]! + m[row + k]!;
  for (let k = 0; k < width; k++) out[k] = out[k]! + acc[k]!;
}
