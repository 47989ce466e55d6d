import * as tf from '@tensorflow/tfjs';
import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { loadArtifact, type ArtifactMeta } from '../model/artifact.js';
import { TimeSeriesDataset } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer } from '../model/tft.js';
import { targetColumns, toModelInputs } from '../model/model-inputs.js';
import { denormalize } from '../model/quantile-loss.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { addDays, nyMidnightUtc } from '../core/ny-time.js';
import { nextTradingDay } from '../core/nyse-calendar.js';

/**
 * The seed's run_inference: forecasts from the freshest data in the store for every symbol whose data reaches
 * the latest date, with the decoder on the next trading days. Daily models only.
 */
export async function forecastLatest(o: {
  modelId: string;
  features: FeatureStore;
  models: ObjectStore;
  symbols?: string[];
  until?: string;
  /** The model's artifact when the caller has loaded it already. */
  artifact?: { meta: ArtifactMeta; weights: Float32Array };
}): Promise<{ table: PredictionTable; meta: ArtifactMeta; asOf: string }> {
  const { meta, weights } = o.artifact ?? (await loadArtifact(o.models, o.modelId));
  const dataset = TimeSeriesDataset.fromState(meta.dataset);
  const st = dataset.state;
  const cov = await o.features.coverage(st.targetColumn, '1Day');
  if (cov.length === 0) throw new Error(`the feature store has no daily ${st.targetColumn}: backfill recent data first`);
  // `until` keeps a simulated or back-dated run from seeing data after its own day
  const last = cov.map((c) => c.lastDate).sort().at(-1)!;
  const asOf = o.until !== undefined && o.until < last ? o.until : last;
  const columns = [...new Set([...st.features, st.targetColumn])];
  const frame = await o.features.queryWide({ features: columns, timeFrame: '1Day', symbols: o.symbols, startDate: addDays(asOf, -Math.ceil(st.encoderLength * 1.6) - 30), endDate: asOf });
  const data = dataset.prepare(frame);
  const future: number[] = [];
  let d = asOf;
  for (let h = 0; h < st.decoderLength; h++) future.push(nyMidnightUtc((d = nextTradingDay(d))).getTime());
  const { batch, series } = dataset.latestBatch(data, future);
  if (batch.size === 0) throw new Error(`no symbol has ${st.encoderLength} days of data up to ${asOf}`);
  const model = new TemporalFusionTransformer(dataset.spec(), meta.hyperparameters, 0);
  model.params.load(weights, meta.manifest);
  const Td = st.decoderLength;
  const nQ = st.quantiles.length;
  const values = tf.tidy(() => {
    const t = targetColumns(batch, Td);
    const out = model.forward(toModelInputs(batch, model.spec), { training: false });
    return denormalize(out.prediction, t.center, t.scale, model.spec.targetTransform).dataSync() as Float32Array;
  });
  model.params.dispose();
  const B = batch.size;
  const table: PredictionTable = {
    quantiles: st.quantiles,
    horizon: Td,
    symbols: series.map((s) => data.symbols[s]!),
    timestamps: new Float64Array(B).fill(data.times[data.times.length - 1]!),
    currentY: Float64Array.from(series, (s) => data.target[data.seriesOffset[s]! + data.seriesLength[s]! - 1]!),
    y: new Float64Array(B * Td).fill(NaN),
    pred: new Float64Array(B * Td * nQ),
  };
  for (let b = 0; b < B; b++) for (let h = 0; h < Td; h++) for (let q = 0; q < nQ; q++) table.pred[(b * Td + h) * nQ + q] = values[(h * B + b) * nQ + q]!;
  return { table, meta, asOf };
}
