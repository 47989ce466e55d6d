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
