import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './params.js';
import { Linear, type Mode } from './layers.js';
import { dropout } from './ops.js';

/** One attention call's inputs, time-major (row = t·B + b). */
export interface AttentionInputs {
  /** [T·B, H] keys and values over every step. */
  all: tf.Tensor2D;
  /** [Tdec·B, H] queries of the decoder steps. */
  queries: tf.Tensor2D;
  /** T and Tdec. */
  steps: number;
  decoderSteps: number;
  /** Per decoder step, an additive [B, T] mask (−1e9 where it may not look). */
  masks: tf.Tensor2D[];
}

/**
 * Interpretable multi-head attention (pytorch-forecasting): per-head query and key projections, one value
 * projection shared by all heads, heads averaged, then an output projection. Only decoder steps query.
 * Inputs are time-major; scores are computed as elementwise products over [T, B, d] (no batched transposed matMul).
 */
export class InterpretableMultiHeadAttention {
  private readonly q: Linear[];
  private readonly k: Linear[];
  private readonly v: Linear;
  private readonly wh: Linear;
  private readonly dk: number;

  readonly heads: number;
  private readonly rate: number;

  constructor(p: ParamStore, name: string, o: { hidden: number; heads: number; dropout: number }) {
    const { hidden, heads } = o;
    this.heads = heads;
    this.rate = o.dropout;
    this.dk = Math.max(1, Math.floor(hidden / heads));
    this.v = new Linear(p, `${name}.v_layer`, hidden, this.dk);
    this.q = Array.from({ length: heads }, (_, h) => new Linear(p, `${name}.q_layers.${h}`, hidden, this.dk));
    this.k = Array.from({ length: heads }, (_, h) => new Linear(p, `${name}.k_layers.${h}`, hidden, this.dk));
    this.wh = new Linear(p, `${name}.w_h`, this.dk, hidden, false);
  }

  /** Returns the output [Tdec·B, H] and the head-averaged attention of each decoder step [B, T]. */
  apply(x: AttentionInputs, mode: Mode): { output: tf.Tensor2D; attention: tf.Tensor2D[] } {
    const { all, queries, steps, decoderSteps: decSteps, masks } = x;
    const b = all.shape[0] / steps;
    const v3 = tf.reshape(this.v.apply(all), [steps, b, this.dk]);
    const scale = Math.sqrt(this.dk);
    const perStep: tf.Tensor2D[][] = Array.from({ length: decSteps }, () => []);
    for (let h = 0; h < this.heads; h++) {
      const k3 = tf.reshape(this.k[h]!.apply(all), [steps, b, this.dk]);
      const q3 = tf.reshape(this.q[h]!.apply(queries), [decSteps, b, this.dk]);
      for (let j = 0; j < decSteps; j++) {
        const qj = tf.slice(q3, [j, 0, 0], [1, b, this.dk]);
        const scores = tf.add(tf.transpose(tf.div(tf.sum(tf.mul(k3, qj), -1), scale)), masks[j]!) as tf.Tensor2D;
        perStep[j]!.push(dropout(tf.softmax(scores) as tf.Tensor2D, this.rate, mode.training, mode.nextSeed?.()));
      }
    }
    const attention = perStep.map((heads) => (heads.length === 1 ? heads[0]! : (tf.div(tf.addN(heads), heads.length) as tf.Tensor2D)));
    const outputs = attention.map((a) => tf.sum(tf.mul(v3, tf.expandDims(tf.transpose(a), 2)), 0) as tf.Tensor2D);
    const merged = outputs.length === 1 ? outputs[0]! : (tf.concat(outputs, 0) as tf.Tensor2D);
    return { output: dropout(this.wh.apply(dropout(merged, this.rate, mode.training, mode.nextSeed?.())), this.rate, mode.training, mode.nextSeed?.()), attention };
  }
}
