import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { loadArtifact } from '../model/artifact.js';
import { TimeSeriesDataset, type Split } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer } from '../model/tft.js';
import { interpret, type Interpretation } from '../model/interpret.js';
import { addDays } from '../core/ny-time.js';

/** The seed's explain_model: importances and attention of a trained model over one split. */
export async function explainModel(o: { modelId: string; features: FeatureStore; models: ObjectStore; split: Split }): Promise<Interpretation> {
  const { meta, weights } = await loadArtifact(o.models, o.modelId);
  const dataset = TimeSeriesDataset.fromState(meta.dataset);
  const cfg = meta.training.config as { timeFrame?: { amount: number; unit: string } };
  const timeFrame = cfg.timeFrame ? `${cfg.timeFrame.amount}${cfg.timeFrame.unit}` : '1Day';
  const columns = [...new Set([...dataset.state.features, dataset.state.targetColumn])];
  const frame = await o.features.queryWide({ features: columns, timeFrame, startDate: dataset.state.trainStart, endDate: addDays(dataset.state.testEnd, -1) });
  const data = dataset.prepare(frame);
  const model = new TemporalFusionTransformer(dataset.spec(), meta.hyperparameters, 0);
  model.params.load(weights, meta.manifest);
  try {
    return interpret(model, dataset, data, dataset.windows(data, o.split));
  } finally {
    model.params.dispose();
  }
}
