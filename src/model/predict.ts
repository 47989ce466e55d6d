import * as tf from '@tensorflow/tfjs';
import type { TimeSeriesDataset, PreparedData, WindowIndex } from '../dataset/time-series-dataset.js';
import type { TemporalFusionTransformer } from './tft.js';
import { targetColumns, toModelInputs } from './model-inputs.js';
import { denormalize } from './quantile-loss.js';

/** Forecasts of a set of windows, in target units, batch-major: pred[(w·Td + h)·nQ + q]. */
export interface WindowForecasts {
  pred: Float32Array;
  /** [windows × Td] attention-free realised targets (NaN where unknown) and the value at decision time. */
  actual: Float32Array;
  current: Float32Array;
  /** time_idx of the decision (last encoder step) of each window. */
  decisionIdx: Int32Array;
  series: Int32Array;
}

/** Runs the model over windows in chunks (no dropout) and maps predictions back to target units. */
export function forecastWindows(model: TemporalFusionTransformer, dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex, chunk = 256, onProgress?: (done: number, total: number) => void): WindowForecasts {
  const Td = dataset.state.decoderLength;
  const Te = dataset.state.encoderLength;
  const nQ = dataset.state.quantiles.length;
  const n = windows.length;
  const out: WindowForecasts = {
    pred: new Float32Array(n * Td * nQ),
    actual: new Float32Array(n * Td),
    current: new Float32Array(n),
    decisionIdx: new Int32Array(n),
    series: new Int32Array(n),
  };
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(from + chunk, n);
    const batch = dataset.buildBatch(data, windows, order, from, to);
    const B = batch.size;
    const values = tf.tidy(() => {
      const target = targetColumns(batch, Td);
      const o = model.forward(toModelInputs(batch, model.spec), { training: false });
      return denormalize(o.prediction, target.center, target.scale, model.spec.targetTransform).dataSync() as Float32Array;
    });
    // time-major rows (h·B + b) → batch-major
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < Td; h++) for (let q = 0; q < nQ; q++) out.pred[((from + b) * Td + h) * nQ + q] = values[(h * B + b) * nQ + q]!;
      for (let h = 0; h < Td; h++) out.actual[(from + b) * Td + h] = batch.targetRaw[b * Td + h]!;
      const w = from + b;
      const row0 = data.seriesOffset[windows.series[w]!]! + windows.start[w]!;
      out.current[w] = data.target[row0 + Te - 1]!;
      out.decisionIdx[w] = batch.decoderStartIdx[b]! - 1;
      out.series[w] = batch.seriesIndex[b]!;
    }
    onProgress?.(to, n);
  }
  return out;
}
