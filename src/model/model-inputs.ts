import * as tf from '@tensorflow/tfjs';
import type { TftBatch, TftInputSpec } from '../dataset/tft-batch.js';
import type { TftInputs } from './tft.js';

const MASKED = -1e9;

/**
 * Turns a batch-major TftBatch into the model's time-major tensors (row = t·B + b), one tensor per variable,
 * so the model never slices columns or timesteps out of a large tensor.
 */
export function toModelInputs(batch: TftBatch, spec: TftInputSpec): TftInputs {
  const B = batch.size;
  const Te = spec.encoderLength;
  const Td = spec.decoderLength;
  const T = Te + Td;
  const nCat = spec.categoricals.length;
  const nReal = spec.reals.length;
  const encoderCategoricals = new Map<string, tf.Tensor1D>();
  const decoderCategoricals = new Map<string, tf.Tensor1D>();
  spec.categoricals.forEach((c, k) => {
    const enc = new Int32Array(Te * B);
    const dec = new Int32Array(Td * B);
    for (let b = 0; b < B; b++) {
      const base = b * T * nCat + k;
      for (let t = 0; t < Te; t++) enc[t * B + b] = batch.categorical[base + t * nCat]!;
      for (let t = 0; t < Td; t++) dec[t * B + b] = batch.categorical[base + (Te + t) * nCat]!;
    }
    encoderCategoricals.set(c.name, tf.tensor1d(enc, 'int32'));
    if (c.known) decoderCategoricals.set(c.name, tf.tensor1d(dec, 'int32'));
  });
  const encoderReals = new Map<string, tf.Tensor2D>();
  const decoderReals = new Map<string, tf.Tensor2D>();
  spec.reals.forEach((r, k) => {
    const enc = new Float32Array(Te * B);
    const dec = new Float32Array(Td * B);
    for (let b = 0; b < B; b++) {
      const base = b * T * nReal + k;
      for (let t = 0; t < Te; t++) enc[t * B + b] = batch.reals[base + t * nReal]!;
      for (let t = 0; t < Td; t++) dec[t * B + b] = batch.reals[base + (Te + t) * nReal]!;
    }
    encoderReals.set(r.name, tf.tensor2d(enc, [Te * B, 1]));
    if (r.known) decoderReals.set(r.name, tf.tensor2d(dec, [Td * B, 1]));
  });
  let short = false;
  for (let b = 0; b < B; b++) if (batch.encoderLengths[b]! < Te) short = true;
  let encoderMasks: Float32Array[] | undefined;
  if (short) {
    encoderMasks = Array.from({ length: Te }, (_, t) => {
      const m = new Float32Array(B);
      for (let b = 0; b < B; b++) m[b] = t >= Te - batch.encoderLengths[b]! ? 1 : 0;
      return m;
    });
  }
  // decoder step j sees the real encoder steps and the decoder steps before it (pytorch-forecasting's mask)
  const attentionMasks = Array.from({ length: Td }, (_, j) => {
    const m = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      const pad = Te - batch.encoderLengths[b]!;
      for (let t = 0; t < pad; t++) m[b * T + t] = MASKED;
      for (let d = j; d < Td; d++) m[b * T + Te + d] = MASKED;
    }
    return tf.tensor2d(m, [B, T]);
  });
  return { batchSize: B, encoderCategoricals, decoderCategoricals, encoderReals, decoderReals, encoderMasks, attentionMasks };
}

/** Time-major [Td·B, 1] columns of the raw target and of the normalizer's center and scale. */
export function targetColumns(batch: TftBatch, decoderLength: number): { raw: tf.Tensor2D; center: tf.Tensor2D; scale: tf.Tensor2D } {
  const B = batch.size;
  const raw = new Float32Array(decoderLength * B);
  const center = new Float32Array(decoderLength * B);
  const scale = new Float32Array(decoderLength * B);
  for (let j = 0; j < decoderLength; j++) {
    for (let b = 0; b < B; b++) {
      raw[j * B + b] = batch.targetRaw[b * decoderLength + j]!;
      center[j * B + b] = batch.targetScale[b * 2]!;
      scale[j * B + b] = batch.targetScale[b * 2 + 1]!;
    }
  }
  const shape: [number, number] = [decoderLength * B, 1];
  return { raw: tf.tensor2d(raw, shape), center: tf.tensor2d(center, shape), scale: tf.tensor2d(scale, shape) };
}
