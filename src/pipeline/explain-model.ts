import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Split } from '../dataset/time-series-dataset.js';
import { TrainedModel, type Interpretation } from '../model/trained-model.js';
import type { EngineFactory } from '../model/trained-model.js';
import { modelFrame } from './model-frame.js';

/** The seed's explain_model: importances and attention of a trained model over one split. */
export async function explainModel(o: {
  modelId: string;
  features: FeatureStore;
  models: ObjectStore;
  split: Split;
  /** The trained model when the caller has loaded it already (the caller then disposes it). */
  model?: TrainedModel;
  /** The engine the forward passes run on (default: TensorFlow.js on this thread; see model/inference-engines). */
  engine?: EngineFactory;
}): Promise<Interpretation> {
  const model = o.model ?? (await TrainedModel.load(o.models, o.modelId, { engine: o.engine }));
  try {
    const data = model.dataset.prepare(await modelFrame(o.features, model.meta));
    return await model.interpret(data, model.dataset.windows(data, o.split));
  } finally {
    if (!o.model) model.dispose();
  }
}
