import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ModelConfig } from '../config/seed-config.js';
import { loadArtifact } from '../model/artifact.js';
import { isTradingDay, previousTradingDay } from '../core/nyse-calendar.js';
import { latestSessionDay } from '../trade/data-gaps.js';
import { refreshRecent, type RefreshSources } from '../trade/refresh-recent.js';
import { refreshLock } from '../trade/run-lock.js';
import { forecastPicks, type ForecastPicks } from './forecast-picks.js';

type ForecastPicksOptions = Parameters<typeof forecastPicks>[0];
import { modelColumns } from './trade-model.js';

/** What `forecastFromFreshData` needs. */
export interface ForecastFreshOptions {
  modelId: string;
  config?: ModelConfig;
  features: FeatureStore;
  models: ObjectStore;
  sources: RefreshSources;
  /** A chosen refresh source (`--source`), checked against the store's provenance. */
  source?: string;
  /** Forecast as of this date (the trading day on or before it); default: the latest session at `now`. */
  asOf?: string;
  now: Date;
  /** Folder of the locks: the refresh takes the store's refresh lock, as `trade` does. */
  locksDir: string;
  log: (line: string) => void;
  /** The earnings calendar for forecast days the store lacks (models reading is_earnings_day). */
  earnings?: ForecastPicksOptions['earnings'];
  /** The engine the forward passes run on (see model/inference-engines). */
  engine?: ForecastPicksOptions['engine'];
}

/**
 * `forecast` as `trade` decides: first make every feature the model reads reach the forecast day for every
 * symbol (refreshing from the source that wrote it), or stop naming what is missing; then forecast and pick.
 */
export async function forecastFromFreshData(o: ForecastFreshOptions): Promise<ForecastPicks> {
  const artifact = await loadArtifact(o.models, o.modelId);
  const day = o.asOf === undefined ? latestSessionDay(o.now) : isTradingDay(o.asOf) ? o.asOf : previousTradingDay(o.asOf);
  await refreshRecent({ features: o.features, sources: o.sources, modelFeatures: modelColumns(artifact.meta), day, source: o.source, lock: () => refreshLock(o.locksDir), log: o.log });
  return forecastPicks({ modelId: o.modelId, features: o.features, models: o.models, config: o.config, until: day, artifact, earnings: o.earnings, engine: o.engine });
}
