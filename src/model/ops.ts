import * as tf from '@tensorflow/tfjs';

/**
 * Matrix product whose gradient uses explicit transposes: the wasm backend's matMul with transposeA/B (what
 * tfjs's own gradient uses) is ~10× slower than transposing first (see bench/TFJS-WASM-NOTES.md).
 */
export const matMul = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x·W + b on a 2-D input [rows, in]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor): tf.Tensor2D {
  const y = matMul(x, w);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** Layer normalisation over the last axis with gain and bias (PyTorch's LayerNorm, eps 1e-5). */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gain), bias) as tf.Tensor2D;
}

/** Inverted dropout; identity outside training or at rate 0. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, seed?: number): T {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, seed) as T;
}

/**
 * The fixed matrix [in, out] of 1-D linear interpolation with aligned corners (PyTorch's
 * F.interpolate(mode='linear', align_corners=True)), which pytorch-forecasting uses to resize a vector.
 */
export function interpolationMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(inSize * outSize);
  for (let j = 0; j < outSize; j++) {
    const pos = outSize === 1 ? 0 : (j * (inSize - 1)) / (outSize - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, inSize - 1);
    const frac = pos - lo;
    m[lo * outSize + j] = m[lo * outSize + j]! + (1 - frac);
    if (hi !== lo) m[hi * outSize + j] = m[hi * outSize + j]! + frac;
  }
  return m;
}
