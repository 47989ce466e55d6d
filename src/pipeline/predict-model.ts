import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { loadArtifact } from '../model/artifact.js';
import { TimeSeriesDataset } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer } from '../model/tft.js';
import { forecastWindows } from '../model/predict.js';
import { predictionsKey, writePredictions } from '../store/predictions-parquet.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { addDays } from '../core/ny-time.js';

/**
 * The seed's run_batch_inference: load the artifact, build the test windows (decoders after val_end up to
 * test_end, encoders reaching back), forecast every symbol on every day, and store the predictions Parquet.
 */
export async function predictModel(o: {
  modelId: string;
  features: FeatureStore;
  models: ObjectStore;
  onProgress?: (done: number, total: number) => void;
}): Promise<{ key: string; table: PredictionTable }> {
  const { meta, weights } = await loadArtifact(o.models, o.modelId);
  const dataset = TimeSeriesDataset.fromState(meta.dataset);
  if (dataset.state.targetIsLogReturn) throw new Error(`model ${o.modelId} forecasts log returns; batch prediction for strategies needs a price target (open or close)`);
  const cfg = meta.training.config as { timeFrame?: { amount: number; unit: string } };
  const timeFrame = cfg.timeFrame ? `${cfg.timeFrame.amount}${cfg.timeFrame.unit}` : '1Day';
  const columns = [...new Set([...dataset.state.features, dataset.state.targetColumn])];
  const frame = await o.features.queryWide({ features: columns, timeFrame, startDate: dataset.state.trainStart, endDate: addDays(dataset.state.testEnd, -1) });
  const data = dataset.prepare(frame);
  const windows = dataset.windows(data, 'test');
  if (windows.length === 0) throw new Error(`no test windows for ${o.modelId} between val_end ${dataset.state.valEnd} and test_end ${dataset.state.testEnd}: backfill that range first`);
  const model = new TemporalFusionTransformer(dataset.spec(), meta.hyperparameters, 0);
  model.params.load(weights, meta.manifest);
  const f = forecastWindows(model, dataset, data, windows, 256, o.onProgress);
  model.params.dispose();
  const table: PredictionTable = {
    quantiles: dataset.state.quantiles,
    horizon: dataset.state.decoderLength,
    symbols: Array.from(f.series, (s) => data.symbols[s]!),
    timestamps: Float64Array.from(f.decisionIdx, (i) => data.times[i]!),
    currentY: Float64Array.from(f.current),
    y: Float64Array.from(f.actual),
    pred: Float64Array.from(f.pred),
  };
  const key = predictionsKey(o.modelId);
  await writePredictions(o.models, key, table);
  return { key, table };
}
