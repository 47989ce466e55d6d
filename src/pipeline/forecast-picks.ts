import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import type { ModelConfig } from '../config/seed-config.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { trainedConfig, type ArtifactMeta } from '../model/artifact.js';
import type { Pick } from '../strategies/simple-x-days-ahead-buying.js';
import type { StrategySettings } from '../strategies/strategy-settings.js';
import { buysOn, pickerFor, strategyFromConfig, validateStrategy } from '../strategies/registry.js';
import type { EngineFactory } from '../model/trained-model.js';
import { forecastLatest } from './forecast-latest.js';
import { saveForecast } from './results-store.js';

/** What `forecastPicks` needs. */
export interface ForecastPicksOptions {
  modelId: string;
  features: FeatureStore;
  models: ObjectStore;
  /** The model's configs.yaml entry; without one, the config stored with the trained model. */
  config?: ModelConfig;
  /** Forecast from data up to this date (a simulated or back-dated run never looks ahead). */
  until?: string;
  /** The model's artifact when the caller has loaded it already. */
  artifact?: { meta: ArtifactMeta; weights: Float32Array };
  /** The earnings calendar for the decoder days (models using is_earnings_day; see forecastLatest). */
  earnings?: () => Promise<EarningsSource>;
  /** The engine the forward passes run on (default: TensorFlow.js on this thread; see model/inference-engines). */
  engine?: EngineFactory;
}

/** Today's forecasts and the preferred strategy's buy list. */
export interface ForecastPicks {
  table: PredictionTable;
  asOf: string;
  /** The strategy that picked, with all its parameters (the config's preferred block through the registry). */
  params: StrategySettings;
  /** Best first. */
  picks: Pick[];
}

/**
 * The seed's run_inference plus the strategy: forecast every symbol from the freshest data, then pick the buys
 * with the configured strategy (the registry's, as `evaluate` simulates it).
 */
export async function forecastPicks(o: ForecastPicksOptions): Promise<ForecastPicks> {
  const { table, asOf, meta } = await forecastLatest({ modelId: o.modelId, features: o.features, models: o.models, until: o.until, artifact: o.artifact, earnings: o.earnings, engine: o.engine });
  const params = strategyFromConfig(o.config ?? trainedConfig(meta));
  validateStrategy(params, table.horizon);
  // a strategy that buys only on some weekdays buys nothing on the others, as the backtest simulates
  const picks = buysOn(params, asOf) ? pickerFor(params)(table, Array.from({ length: table.currentY.length }, (_, i) => i)) : [];
  // kept in the model store, so the dashboard (and a later look) sees what the run decided from
  await saveForecast(o.models, { modelId: o.modelId, asOf, table, meta, params, picks });
  return { table, asOf, params, picks };
}
