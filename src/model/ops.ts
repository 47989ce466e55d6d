/**
 * Tensor ops with hand-written gradients that avoid the wasm backend's slow kernels (bench/TFJS-WASM-NOTES.md
 * and our own measurements on [30720, 32]): matMul with transposeA/B is ~10× slower than transposing first, and
 * a sum over axis 0 (every bias or per-feature gradient) is ~20× slower than a matMul with a row of ones.
 */
import * as tf from '@tensorflow/tfjs';
import { Random } from '../core/random.js';

type Grad = Parameters<typeof tf.customGrad>[0];

const onesCache = new Map<number, tf.Tensor2D>();

/** Σ over rows of a [rows, F] tensor as [1, F], via ones·x (fast) instead of tf.sum(x, 0) (slow in wasm). */
export function sumRows(x: tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  let ones = onesCache.get(n);
  if (!ones) {
    ones = tf.keep(tf.ones([1, n]) as tf.Tensor2D);
    onesCache.set(n, ones);
  }
  return tf.matMul(ones, x);
}

/** Frees the cached ones-rows (between runs with different batch sizes). */
export function clearOpCaches(): void {
  for (const t of onesCache.values()) t.dispose();
  onesCache.clear();
}

/** Matrix product whose gradient transposes explicitly. */
export const matMul = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Grad) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x·W + b in one op: the bias gradient is ones·dy. */
const denseBias = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    // the fused kernel adds the bias inside the matMul (one pass over the output instead of two)
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g), tf.reshape(sumRows(g), [sw.shape[1]])];
    },
  };
}) as unknown as Grad) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** x·W + b on a 2-D input [rows, in]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor): tf.Tensor2D {
  return b ? denseBias(x, w, b as tf.Tensor1D) : matMul(x, w);
}

/** x ⊙ v for a per-feature vector v [F] broadcast over rows; the gradient of v is ones·(dy ⊙ x). */
export const scaleColumns = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, v, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, v]);
  return {
    value: tf.mul(x, v),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sv] = saved as [tf.Tensor2D, tf.Tensor1D];
      return [tf.mul(dy, sv), tf.reshape(sumRows(tf.mul(dy, sx) as tf.Tensor2D), [sv.shape[0]])];
    },
  };
}) as unknown as Grad) as (x: tf.Tensor2D, v: tf.Tensor) => tf.Tensor2D;

/**
 * Layer normalisation over the last axis with gain and bias (PyTorch's LayerNorm, eps 1e-5), with the standard
 * closed-form backward: dx = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) / σ with ĝ = dy·γ; dγ = Σ dy·x̂; dβ = Σ dy.
 */
export const layerNorm = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, gain, bias, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
  const { mean, variance } = tf.moments(x, -1, true);
  const invStd = tf.rsqrt(tf.add(variance, 1e-5));
  const xHat = tf.mul(tf.sub(x, mean), invStd) as tf.Tensor2D;
  save([xHat, invStd, gain]);
  return {
    value: tf.add(tf.mul(xHat, gain), bias),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [h, inv, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const d = dy as tf.Tensor2D;
      const gh = tf.mul(d, g);
      const dx = tf.mul(tf.sub(tf.sub(gh, tf.mean(gh, -1, true)), tf.mul(h, tf.mean(tf.mul(gh, h), -1, true))), inv);
      const size = g.shape[0];
      return [dx, tf.reshape(sumRows(tf.mul(d, h) as tf.Tensor2D), [size]), tf.reshape(sumRows(d), [size])];
    },
  };
}) as unknown as Grad) as (x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor) => tf.Tensor2D;

/**
 * Inverted dropout with a mask drawn from our seeded PRNG in JS memory: tf.dropout's random kernel is ~4× slower
 * here, and a seed makes a training run reproducible. Identity outside training or at rate 0.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, seed?: number): T {
  if (!training || rate <= 0) return x;
  const rng = new Random(seed ?? Math.floor(Math.random() * 2 ** 31));
  const n = x.size;
  const mask = new Float32Array(n);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) mask[i] = rng.uniform() >= rate ? keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
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
