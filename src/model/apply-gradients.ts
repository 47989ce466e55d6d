import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './params.js';
import { Adam, clipByGlobalNorm } from './optimizer.js';

/** Applies a flat gradient vector (e.g. averaged over workers) with optional norm clipping; returns the norm. */
export function applyFlatGradients(params: ParamStore, optimizer: Adam, flat: Float32Array, clipNorm: number): number {
  return tf.tidy(() => {
    const grads = new Map<string, tf.Tensor>();
    let off = 0;
    for (const [name, v] of params.vars) {
      grads.set(name, tf.tensor(flat.subarray(off, off + v.size), v.shape));
      off += v.size;
    }
    const clipped = clipByGlobalNorm(grads, clipNorm);
    optimizer.apply(params.vars, clipped.grads);
    return clipped.norm;
  });
}
