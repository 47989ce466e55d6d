import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { Split } from '../dataset/time-series-dataset.js';
import type { Interpretation } from '../model/trained-model.js';
import type { EngineFactory } from '../model/trained-model.js';
import { explanationHtml } from '../report/explanation-html.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { redactSecrets } from '../core/redact.js';
import { explainModel } from './explain-model.js';
import { saveExplanation } from './results-store.js';

/** The seed's explain_model with its report: importances and attention over one split, written as an HTML page. */
export async function explainToReport(o: { modelId: string; features: FeatureStore; models: ObjectStore; split: Split; reportPath: string; engine?: EngineFactory }): Promise<Interpretation> {
  const r = await explainModel({ modelId: o.modelId, features: o.features, models: o.models, split: o.split, engine: o.engine });
  await writeFileAtomic(o.reportPath, redactSecrets(explanationHtml(o.modelId, o.split, r)));
  await saveExplanation(o.models, o.modelId, o.split, r);
  return r;
}
