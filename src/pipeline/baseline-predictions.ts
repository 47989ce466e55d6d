import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { baselinePredictionsKey, writePredictions } from '../store/predictions-parquet.js';
import type { ArtifactMeta } from '../model/artifact.js';
import { loadArtifact, trainedConfig } from '../model/artifact.js';
import { TimeSeriesDataset, type DatasetState, type Split } from '../dataset/time-series-dataset.js';
import type { WideFrame } from '../core/wide-frame.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { addDays } from '../core/ny-time.js';
import { BASELINE_NAMES, baselineForecasts, fitResidualOffsets, type BaselineName } from '../backtest/baselines.js';
import { forecastTable } from './forecast-table.js';
import { modelFrame } from './model-frame.js';

/** A baseline's name checked against the known ones (an unknown one lists them). */
export function baselineName(name: string): BaselineName {
  if ((BASELINE_NAMES as readonly string[]).includes(name)) return name as BaselineName;
  throw new Error(`unknown baseline "${name}": expected one of ${BASELINE_NAMES.join(', ')}`);
}

/**
 * Every baseline's forecasts over a model's windows of `split` (default: the test range): the same frame, the
 * same dense series and the same windows as the model's, in price units (a log-return model's baselines
 * forecast its price column), with quantiles fitted on the model's training windows.
 */
export function baselineTables(state: DatasetState, frame: WideFrame, names: readonly BaselineName[] = BASELINE_NAMES, split: Split = 'test'): Array<{ name: BaselineName; table: PredictionTable }> {
  // only the price target matters to a baseline: the fitted encoders and scalers are left out
  const priceState: DatasetState = { ...state, categoricals: [], reals: [], target: state.targetColumn as DatasetState['target'], targetIsLogReturn: false };
  const dataset = TimeSeriesDataset.fromState(priceState);
  const data = dataset.prepare(frame);
  const train = dataset.windows(data, 'train');
  const windows = dataset.windows(data, split);
  const shape = { encoderLength: state.encoderLength, decoderLength: state.decoderLength, quantiles: state.quantiles };
  return names.map((name) => {
    const offsets = fitResidualOffsets(name, data, train, shape);
    const f = baselineForecasts(name, data, windows, shape, offsets);
    // a baseline forecasts the price column itself: its prices are its own values
    return { name, table: forecastTable({ ...f, price: { current: f.current, actual: f.actual } }, data, state) };
  });
}

/** `predict --baseline <name>`: a baseline's test-range predictions Parquet with the model's columns. */
export async function predictBaseline(o: { modelId: string; baseline: BaselineName; features: FeatureStore; models: ObjectStore }): Promise<{ key: string; table: PredictionTable }> {
  const { meta } = await loadArtifact(o.models, o.modelId);
  const [only] = baselineTables(meta.dataset, await modelFrame(o.features, meta), [o.baseline]);
  const table = only!.table;
  if (table.currentY.length === 0) throw new Error(`no test windows for ${o.modelId} between val_end ${meta.dataset.valEnd} and test_end ${meta.dataset.testEnd}: backfill that range first`);
  const key = baselinePredictionsKey(o.modelId, o.baseline);
  await writePredictions(o.models, key, table);
  return { key, table };
}
