/**
 * The TFT on the native engine: the same model as src/model/tft.ts (same parameters in the same flat layout,
 * same maths), run by compiled C++ across cores. Weights cross as the ParamStore's flat vector, so a model
 * trained on one engine predicts on the other.
 */
import { defaultThreads } from '../backend.js';
import type { TftBatch, TftInputSpec } from '../../dataset/tft-batch.js';
import type { ParamEntry } from '../params.js';
import type { TftHyperparameters } from '../tft.js';
import { requireNativeAddon, type NativeAddon, type NativeHandle } from './native-addon.js';

/** What one native forward pass returns, time-major like TftOutput (rows t·B + b). */
export interface NativeForecast {
  /** [Td·B, nQuantiles] in the normalized target space. */
  prediction: Float32Array;
  /** Per decoder step, head-averaged attention [B, T]. */
  attention: Float32Array[];
  /** [Te·B, nEncoderVars] and [Td·B, nDecoderVars] variable-selection weights. */
  encoderWeights: Float32Array;
  decoderWeights: Float32Array;
}

/** Engine options: threads (default: every core up to a cap, see defaultThreads) and samples per chunk of work. */
export interface NativeTftOptions {
  threads?: number;
  chunk?: number;
}

export class NativeTft {
  private readonly addon: NativeAddon;
  private readonly handle: NativeHandle;
  readonly threads: number;

  constructor(readonly spec: TftInputSpec, hp: TftHyperparameters, readonly manifest: ParamEntry[], opts: NativeTftOptions = {}) {
    this.addon = requireNativeAddon();
    this.threads = opts.threads ?? defaultThreads();
    this.handle = this.addon.create(
      {
        encoderLength: spec.encoderLength,
        decoderLength: spec.decoderLength,
        categoricals: spec.categoricals,
        reals: spec.reals,
        quantiles: spec.quantiles,
        logTarget: spec.targetTransform === 'log',
        hiddenSize: hp.hiddenSize,
        attentionHeads: hp.attentionHeadSize,
        hiddenContinuousSize: hp.hiddenContinuousSize,
        lstmLayers: hp.lstmLayers,
        dropout: hp.dropout,
      },
      manifest.map((e) => ({ name: e.name, shape: e.shape, offset: e.offset, size: e.size })),
      this.threads,
      opts.chunk ?? 32,
    );
  }

  /** Mean quantile loss of the batch (target units) and the gradient of every parameter, flat in manifest order. */
  gradients(weights: Float32Array, batch: TftBatch, seed: number, training = true): { loss: number; grads: Float32Array } {
    if (batch.staticCategorical.length > 0 || batch.staticReals.length > 0) throw new Error('the native engine does not support static variables');
    return this.addon.gradients(this.handle, weights, batch, seed, training);
  }

  /** The same in double precision (slow; for gradient checks). */
  gradients64(weights: Float64Array, batch: TftBatch, seed: number, training = true): { loss: number; grads: Float64Array } {
    return this.addon.gradients64(this.handle, weights, batch, seed, training);
  }

  /** Forward pass without dropout: predictions, attention and variable-selection weights. */
  forecast(weights: Float32Array, batch: TftBatch): NativeForecast {
    const out = this.addon.forward(this.handle, weights, batch);
    const B = batch.size;
    const T = this.spec.encoderLength + this.spec.decoderLength;
    const attention = Array.from({ length: this.spec.decoderLength }, (_, j) => out.attention.subarray(j * B * T, (j + 1) * B * T));
    return { prediction: out.prediction, attention, encoderWeights: out.encoderWeights, decoderWeights: out.decoderWeights };
  }
}
