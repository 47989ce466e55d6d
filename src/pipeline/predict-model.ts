import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { TrainedModel } from '../model/trained-model.js';
import type { EngineFactory } from '../model/trained-model.js';
import { predictionsKey, writePredictions } from '../store/predictions-parquet.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { forecastTable } from './forecast-table.js';
import { modelFrame } from './model-frame.js';
import type { WindowIndex } from '../dataset/time-series-dataset.js';

/** The windows of the series `keep` accepts (all of them, unchanged, when it accepts every one). */
function selectWindows(w: WindowIndex, keep: (series: number) => boolean): WindowIndex {
  const picked = Array.from({ length: w.length }, (_, i) => i).filter((i) => keep(w.series[i]!));
  if (picked.length === w.length) return w;
  return { series: Int32Array.from(picked, (i) => w.series[i]!), start: Int32Array.from(picked, (i) => w.start[i]!), length: picked.length };
}

/**
 * The seed's run_batch_inference: load the artifact, build the test windows (decoders after val_end up to
 * test_end, encoders reaching back), forecast every symbol on every day, and store the predictions Parquet
 * (in prices for every target: a log-return model's quantiles are cumulated from the price at decision time).
 */
export async function predictModel(o: {
  modelId: string;
  features: FeatureStore;
  models: ObjectStore;
  onProgress?: (done: number, total: number) => void;
  /** The trained model when the caller has loaded it already (the caller then disposes it). */
  model?: TrainedModel;
  /** The engine the forward passes run on (default: TensorFlow.js on this thread; see model/inference-engines). */
  engine?: EngineFactory;
  /** Forecast only the windows of these symbols (a shard); the data is prepared for every symbol all the same. */
  keepSymbol?: (symbol: string) => boolean;
  /** Stores the table and returns its key (default: the seed's `<id>/output/predictions.parquet`). */
  write?: (table: PredictionTable, model: TrainedModel) => Promise<string>;
}): Promise<{ key: string; table: PredictionTable }> {
  const model = o.model ?? (await TrainedModel.load(o.models, o.modelId, { engine: o.engine }));
  try {
    const st = model.dataset.state;
    const data = model.dataset.prepare(await modelFrame(o.features, model.meta));
    const all = model.dataset.windows(data, 'test');
    if (all.length === 0) throw new Error(`no test windows for ${o.modelId} between val_end ${st.valEnd} and test_end ${st.testEnd}: backfill that range first`);
    const windows = selectWindows(all, (s) => !o.keepSymbol || o.keepSymbol(data.symbols[s]!));
    const table = forecastTable(await model.forecastWindows(data, windows, { onProgress: o.onProgress }), data, st);
    const key = o.write ? await o.write(table, model) : predictionsKey(o.modelId);
    if (!o.write) await writePredictions(o.models, key, table);
    return { key, table };
  } finally {
    if (!o.model) model.dispose();
  }
}
