import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ArtifactMeta, ModelArtifact } from '../model/artifact.js';
import { TrainedModel } from '../model/trained-model.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { addDays, nyMidnightUtc } from '../core/ny-time.js';
import { nextTradingDay } from '../core/nyse-calendar.js';
import { forecastTable } from './forecast-table.js';

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
  artifact?: ModelArtifact;
  /** The trained model when the caller has loaded it already (the caller then disposes it). */
  model?: TrainedModel;
}): Promise<{ table: PredictionTable; meta: ArtifactMeta; asOf: string }> {
  const model = o.model ?? (o.artifact ? TrainedModel.fromArtifact(o.artifact) : await TrainedModel.load(o.models, o.modelId));
  try {
    const st = model.dataset.state;
    const cov = await o.features.coverage(st.targetColumn, '1Day');
    if (cov.length === 0) throw new Error(`the feature store has no daily ${st.targetColumn}: backfill recent data first`);
    // `until` keeps a simulated or back-dated run from seeing data after its own day
    const last = cov.map((c) => c.lastDate).sort().at(-1)!;
    const asOf = o.until !== undefined && o.until < last ? o.until : last;
    const frame = await o.features.queryWide({ features: model.inputColumns(), timeFrame: '1Day', symbols: o.symbols, startDate: addDays(asOf, -Math.ceil(st.encoderLength * 1.6) - 30), endDate: asOf });
    const data = model.dataset.prepare(frame);
    const forecasts = await model.forecastLatest(data, nextTradingTimes(asOf, st.decoderLength));
    if (forecasts.series.length === 0) throw new Error(`no symbol has ${st.encoderLength} days of data up to ${asOf}`);
    return { table: forecastTable(forecasts, data, st), meta: model.meta, asOf };
  } finally {
    if (!o.model) model.dispose();
  }
}

/** New-York midnights of the `n` trading days after `date`. */
function nextTradingTimes(date: string, n: number): number[] {
  const out: number[] = [];
  let d = date;
  for (let h = 0; h < n; h++) out.push(nyMidnightUtc((d = nextTradingDay(d))).getTime());
  return out;
}
