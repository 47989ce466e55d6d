import * as tf from '@tensorflow/tfjs';
import type { TimeSeriesDataset, PreparedData, WindowIndex } from '../dataset/time-series-dataset.js';
import type { TemporalFusionTransformer } from './tft.js';
import { toModelInputs } from './model-inputs.js';

/** What the model attends to, averaged over a set of windows (pytorch-forecasting's interpret_output). */
export interface Interpretation {
  encoderImportance: Record<string, number>;
  decoderImportance: Record<string, number>;
  staticImportance: Record<string, number>;
  /** Mean attention of the decoder steps over positions −Te … −1 (encoder) and 0 … Td−1 (decoder). */
  attention: Array<{ position: number; weight: number }>;
  windows: number;
}

/** Aggregates variable-selection weights and attention over windows (no dropout). */
export function interpret(model: TemporalFusionTransformer, dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex, chunk = 256, maxWindows = 20_000): Interpretation {
  const n = Math.min(windows.length, maxWindows);
  if (n === 0) throw new Error('no windows to explain the model on');
  const Te = dataset.state.encoderLength;
  const Td = dataset.state.decoderLength;
  const encVars = model.encoderVariables.map((v) => v.name);
  const decVars = model.decoderVariables.map((v) => v.name);
  const enc = new Float64Array(encVars.length);
  const dec = new Float64Array(decVars.length);
  const att = new Float64Array(Te + Td);
  // an even spread over the windows, so a capped sample still covers every symbol and date
  const order = Int32Array.from({ length: n }, (_, i) => Math.floor((i * windows.length) / n));
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(from + chunk, n);
    const batch = dataset.buildBatch(data, windows, order, from, to);
    tf.tidy(() => {
      const o = model.forward(toModelInputs(batch, model.spec), { training: false });
      tf.sum(o.encoderWeights, 0).dataSync().forEach((v, i) => (enc[i] = enc[i]! + v / Te));
      tf.sum(o.decoderWeights, 0).dataSync().forEach((v, i) => (dec[i] = dec[i]! + v / Td));
      for (const a of o.attention) tf.sum(a, 0).dataSync().forEach((v, i) => (att[i] = att[i]! + v / Td));
    });
  }
  const norm = (xs: Float64Array, names: string[]) => Object.fromEntries(names.map((nm, i) => [nm, xs[i]! / n]));
  return {
    encoderImportance: norm(enc, encVars),
    decoderImportance: norm(dec, decVars),
    staticImportance: {},
    attention: Array.from(att, (w, i) => ({ position: i - Te, weight: w / n })),
    windows: n,
  };
}
