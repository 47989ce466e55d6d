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
