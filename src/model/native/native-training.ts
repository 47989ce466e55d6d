/** Training and evaluation on the native engine, through the trainer's hooks (Adam and clipping stay in the trainer). */
import type { TimeSeriesDataset, PreparedData, WindowIndex } from '../../dataset/time-series-dataset.js';
import type { TftBatch } from '../../dataset/tft-batch.js';
import type { Random } from '../../core/random.js';
import type { TemporalFusionTransformer } from '../tft.js';
import { quantileLoss } from '../quantile-loss.js';
import type { NativeTft } from './native-tft.js';
import { nativePredict } from './native-engine.js';

/** The trainer's `gradients` hook: the whole batch on the native engine with the model's current weights. */
export function nativeGradients(model: TemporalFusionTransformer, engine: NativeTft): (batch: TftBatch, rng: Random) => Promise<{ loss: number; grads: Float32Array }> {
  return async (batch, rng) => engine.gradients(model.params.flatten(), batch, rng.int(2 ** 31), true);
}

/** Mean quantile loss over windows in target units (no dropout), batches built here: evaluateLoss on the native engine. */
export function nativeEvaluateLoss(engine: NativeTft, weights: Float32Array, dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex, batchSize = 2048): number {
  const order = Int32Array.from({ length: windows.length }, (_, i) => i);
  let sum = 0;
  for (let from = 0; from < windows.length; from += batchSize) {
    const to = Math.min(from + batchSize, windows.length);
    const batch = dataset.buildBatch(data, windows, order, from, to);
    sum += quantileLoss(batch.targetRaw, nativePredict(engine, weights, batch), engine.spec.quantiles) * (to - from);
  }
  return sum / windows.length;
}
