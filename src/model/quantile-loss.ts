import * as tf from '@tensorflow/tfjs';

/**
 * Quantile loss as pytorch-forecasting defines it: for each quantile q and error e = y − ŷ_q,
 * 2·max(q·e, (q − 1)·e), averaged over quantiles, horizon steps and samples (a point forecast's loss is its MAE).
 * `y` and `pred` are parallel arrays: y[i] and pred[i·nQ + k].
 */
export function quantileLoss(y: ArrayLike<number>, pred: ArrayLike<number>, quantiles: number[]): number {
  const nQ = quantiles.length;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!;
    if (!Number.isFinite(yi)) continue;
    for (let k = 0; k < nQ; k++) {
      const q = quantiles[k]!;
      const e = yi - pred[i * nQ + k]!;
      sum += 2 * Math.max(q * e, (q - 1) * e);
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/** The same loss on tensors: y [rows, 1], pred [rows, nQ]. */
export function quantileLossTensor(y: tf.Tensor2D, pred: tf.Tensor2D, quantiles: number[]): tf.Scalar {
  const q = tf.tensor1d(quantiles);
  const e = tf.sub(y, pred);
  return tf.mul(2, tf.mean(tf.maximum(tf.mul(q, e), tf.mul(tf.sub(q, 1), e)))) as tf.Scalar;
}

/** Maps normalized predictions back to target units. */
export function denormalize(pred: tf.Tensor2D, center: tf.Tensor2D, scale: tf.Tensor2D, transform: 'log' | 'identity'): tf.Tensor2D {
  const lin = tf.add(tf.mul(pred, scale), center) as tf.Tensor2D;
  return transform === 'log' ? (tf.exp(lin) as tf.Tensor2D) : lin;
}

/**
 * A batch's normalized predictions (time-major rows h·B + b, as the model emits them) in target units,
 * batch-major: out[(b·Td + h)·nQ + q]. The steps of `denormalize` in float32 (x·scale + center, then exp for a
 * log target), with each window's center and scale from `targetScale` [b·2], [b·2 + 1]. Every engine maps its
 * forward pass back through this one function, so they differ only by their forward passes.
 */
export function denormalizeBatch(pred: ArrayLike<number>, targetScale: ArrayLike<number>, decoderLength: number, nQuantiles: number, transform: 'log' | 'identity'): Float32Array {
  const B = targetScale.length / 2;
  const out = new Float32Array(B * decoderLength * nQuantiles);
  for (let b = 0; b < B; b++) {
    const center = targetScale[b * 2]!;
    const scale = targetScale[b * 2 + 1]!;
    for (let h = 0; h < decoderLength; h++) {
      for (let q = 0; q < nQuantiles; q++) {
        const lin = Math.fround(Math.fround(pred[(h * B + b) * nQuantiles + q]! * scale) + center);
        out[(b * decoderLength + h) * nQuantiles + q] = transform === 'log' ? Math.exp(lin) : lin;
      }
    }
  }
  return out;
}
