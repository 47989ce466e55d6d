import * as tf from '@tensorflow/tfjs';
import type { TftBatch } from '../dataset/tft-batch.js';
import type { TemporalFusionTransformer } from './tft.js';
import { targetColumns, toModelInputs } from './model-inputs.js';
import { denormalize, quantileLossTensor } from './quantile-loss.js';
import { Random } from '../core/random.js';

/** Loss of one batch in target units (dollars for an `open` target), as the reference reports it. */
export function batchLoss(model: TemporalFusionTransformer, batch: TftBatch, training: boolean, rng?: Random): tf.Scalar {
  const spec = model.spec;
  const inputs = toModelInputs(batch, spec);
  const target = targetColumns(batch, spec.decoderLength);
  const out = model.forward(inputs, { training, nextSeed: rng ? () => rng.int(2 ** 31) : undefined });
  const pred = denormalize(out.prediction, target.center, target.scale, spec.targetTransform);
  return quantileLossTensor(target.raw, pred, spec.quantiles);
}

/** Forward + backward of one batch: the loss and the gradient of every parameter, as one flat vector. */
export function computeGradients(model: TemporalFusionTransformer, batch: TftBatch, rng: Random): { loss: number; grads: Float32Array } {
  const vars = model.params.vars;
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => batchLoss(model, batch, true, rng), [...vars.values()]);
    const flat = new Float32Array(model.params.count());
    let off = 0;
    for (const v of vars.values()) {
      const g = grads[v.name];
      if (g) flat.set(g.dataSync() as Float32Array, off);
      off += v.size;
    }
    return { loss: value.dataSync()[0]!, grads: flat };
  });
}

/**
 * Gradients of a batch as the size-weighted mean over memory-sized chunks (the same maths as one large batch;
 * wasm memory caps one pass at a few hundred windows). Each chunk's dropout stream derives from `seed`.
 */
export function accumulateGradients(model: TemporalFusionTransformer, batch: TftBatch, chunk: number, seed: string): { loss: number; grads: Float32Array } {
  if (batch.size <= chunk) return computeGradients(model, batch, new Random(seed));
  const T = model.spec.encoderLength + model.spec.decoderLength;
  const total = new Float32Array(model.params.count());
  let loss = 0;
  for (let from = 0; from < batch.size; from += chunk) {
    const part = sliceBatch(batch, from, Math.min(from + chunk, batch.size), T);
    const g = computeGradients(model, part, new Random(`${seed}:${from}`));
    const w = part.size / batch.size;
    loss += g.loss * w;
    for (let i = 0; i < total.length; i++) total[i] = total[i]! + g.grads[i]! * w;
  }
  return { loss, grads: total };
}

/** Samples [from, to) of a batch, as views (no copies). */
export function sliceBatch(b: TftBatch, from: number, to: number, T: number): TftBatch {
  const per = <A extends Int32Array | Float32Array>(arr: A, width: number) => arr.subarray(from * width, to * width) as A;
  const nCat = b.categorical.length / b.size / T;
  const nReal = b.reals.length / b.size / T;
  const Td = b.target.length / b.size;
  return {
    size: to - from,
    categorical: per(b.categorical, T * nCat),
    reals: per(b.reals, T * nReal),
    staticCategorical: b.staticCategorical,
    staticReals: b.staticReals,
    encoderLengths: per(b.encoderLengths, 1),
    target: per(b.target, Td),
    targetScale: per(b.targetScale, 2),
    targetRaw: per(b.targetRaw, Td),
    seriesIndex: per(b.seriesIndex, 1),
    decoderStartIdx: per(b.decoderStartIdx, 1),
  };
}
