import type { FeatureStore } from '../store/feature-store.js';
import type { ArtifactMeta } from '../model/artifact.js';
import { trainedConfig } from '../model/artifact.js';
import type { WideFrame } from '../core/wide-frame.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { addDays } from '../core/ny-time.js';

/**
 * The feature-store frame a trained model reads for any of its splits: its features and the target's own column,
 * from the training start to the end of the test range, at its time frame (predict, explain and the baselines).
 */
export async function modelFrame(features: FeatureStore, meta: ArtifactMeta): Promise<WideFrame> {
  const st = meta.dataset;
  return features.queryWide({
    features: [...new Set([...st.features, st.targetColumn])],
    timeFrame: formatTimeFrame(trainedConfig(meta).timeFrame),
    startDate: st.trainStart,
    endDate: addDays(st.testEnd, -1),
  });
}
