import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import type { ArtifactMeta, ModelArtifact } from '../model/artifact.js';
import { TrainedModel } from '../model/trained-model.js';
import type { EngineFactory } from '../model/trained-model.js';
import type { TimeSeriesDataset, PreparedData, ScheduledValues } from '../dataset/time-series-dataset.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { addDays, nyMidnightUtc } from '../core/ny-time.js';
import { nextTradingDay } from '../core/nyse-calendar.js';
import { forecastTable } from './forecast-table.js';
import { scheduledValues } from './earnings-schedule.js';

/** Where a live forecast reads from. */
export interface LatestInputOptions {
  modelId: string;
  features: FeatureStore;
  symbols?: string[];
  /** Read no data after this date (a simulated or back-dated run never looks ahead). */
  until?: string;
  /** The earnings calendar for the decoder days the store does not hold (needed by models using is_earnings_day). */
  earnings?: () => Promise<EarningsSource>;
}

/** Everything a live forecast feeds the model: the prepared recent data, the decoder days and their schedule. */
export interface LatestInputs {
  asOf: string;
  data: PreparedData;
  futureTimes: number[];
  scheduled: ScheduledValues;
}

/**
 * The inputs of the seed's run_inference: the freshest data in the store up to `until`, the next trading days as
 * the decoder, and the scheduled inputs of those days (is_earnings_day) from the store or the earnings calendar,
 * the way training saw them.
 */
export async function latestInputs(dataset: TimeSeriesDataset, columns: string[], o: LatestInputOptions): Promise<LatestInputs> {
  const st = dataset.state;
  const cov = await o.features.coverage(st.targetColumn, '1Day');
  if (cov.length === 0) throw new Error(`the feature store has no daily ${st.targetColumn}: backfill recent data first`);
  const last = cov.map((c) => c.lastDate).sort().at(-1)!;
  const asOf = o.until !== undefined && o.until < last ? o.until : last;
  const frame = await o.features.queryWide({ features: columns, timeFrame: '1Day', symbols: o.symbols, startDate: addDays(asOf, -Math.ceil(st.encoderLength * 1.6) - 30), endDate: asOf });
  const data = dataset.prepare(frame);
  const dates = nextTradingDates(asOf, st.decoderLength);
  const scheduled = await scheduledValues({ names: dataset.scheduledInputs(), symbols: data.symbols, dates, features: o.features, earnings: o.earnings, modelId: o.modelId });
  return { asOf, data, futureTimes: dates.map((d) => nyMidnightUtc(d).getTime()), scheduled };
}

/**
 * The seed's run_inference: forecasts from the freshest data in the store for every symbol whose data reaches
 * the latest date, with the decoder on the next trading days. Daily models only. Prices for every target.
 */
export async function forecastLatest(
  o: LatestInputOptions & {
    models: ObjectStore;
    /** The model's artifact when the caller has loaded it already. */
    artifact?: ModelArtifact;
    /** The trained model when the caller has loaded it already (the caller then disposes it). */
    model?: TrainedModel;
    /** The engine the forward passes run on (default: TensorFlow.js on this thread; see model/inference-engines). */
    engine?: EngineFactory;
  },
): Promise<{ table: PredictionTable; meta: ArtifactMeta; asOf: string }> {
  const how = { engine: o.engine };
  const model = o.model ?? (o.artifact ? TrainedModel.fromArtifact(o.artifact, how) : await TrainedModel.load(o.models, o.modelId, how));
  try {
    const st = model.dataset.state;
    const { asOf, data, futureTimes, scheduled } = await latestInputs(model.dataset, model.inputColumns(), o);
    const forecasts = await model.forecastLatest(data, futureTimes, { scheduled });
    if (forecasts.series.length === 0) throw new Error(`no symbol has ${st.encoderLength} days of data up to ${asOf}`);
    return { table: forecastTable(forecasts, data, st), meta: model.meta, asOf };
  } finally {
    if (!o.model) model.dispose();
  }
}

/** The `n` trading days after `date`. */
function nextTradingDates(date: string, n: number): string[] {
  const out: string[] = [];
  for (let h = 0, d = date; h < n; h++) out.push((d = nextTradingDay(d)));
  return out;
}
