/**
 * stockcast as a library: load a trained model and forecast windows with it, run the strategy grid on the
 * forecasts, and read (or fill) the feature store over a local directory or S3. Everything here is the same code
 * the CLI runs; anything not exported here is internal and may change without notice.
 */

// trained models and forecasts
export { TrainedModel, type TrainedModelOptions, type WindowForecasts, type Interpretation } from './model/trained-model.js';
export { loadArtifact, artifactKey, type ArtifactMeta, type ModelArtifact } from './model/artifact.js';
export { initBackend, type BackendName } from './model/backend.js';
export type { PreparedData, WindowIndex, Split } from './dataset/time-series-dataset.js';
export { forecastTable } from './pipeline/forecast-table.js';
export { forecastLatest } from './pipeline/forecast-latest.js';
export { quantileColumn, quantileIndices, rowsByTime, type PredictionTable } from './core/prediction-table.js';
export { predictionsKey, readPredictions } from './store/predictions-parquet.js';

// strategies and the evaluation grid
export { runGrid, SEED_GRID, type GridSpec, type GridResult } from './backtest/grid.js';
export { strategyFromConfig, pickerFor, describeStrategy, type StrategyOverrides } from './strategies/registry.js';
export type { StrategyName } from './config/strategy-defaults.js';
export type { StrategySettings } from './strategies/strategy-settings.js';
export { evaluatePredictions, baseParams, type Evaluation } from './backtest/evaluation.js';
export { simulate, type RunResult } from './backtest/simulator.js';
export { sharpe, deflatedSharpe, maxDrawdown, type SharpeFigures } from './backtest/sharpe.js';
export { pickSimpleXDaysAhead, type SimpleXDaysAheadPickParams, type Pick } from './strategies/simple-x-days-ahead-buying.js';
export { pickVolatilityRanking, type VolatilityRankingPickParams } from './strategies/volatility-ranking.js';

// stores
export { openFeatureStore, openObjectStore, type StoreLocation } from './store/open-store.js';
export { ParquetFeatureStore, type ParquetFeatureStoreOptions } from './store/parquet-feature-store.js';
export type { FeatureStore, WideQuery, FeatureCoverage, FeatureBatch } from './store/feature-store.js';
export type { ObjectStore } from './store/object-store.js';
export { LocalObjectStore } from './store/local-object-store.js';
export type { S3ObjectStoreOptions } from './store/s3-object-store.js';
export type { WideFrame } from './core/wide-frame.js';

// filling a store, configs, names
export { backfillFeatures, type BackfillFeaturesOptions } from './pipeline/backfill-features.js';
export type { BackfillRequest, BackfillSummary } from './features/backfill.js';
export { SyntheticMarket, type SyntheticMarketOptions } from './sources/synthetic-market.js';
export type { MarketDataSource } from './sources/market-data-source.js';
export { parseTimeFrame, formatTimeFrame, type TimeFrame } from './core/time-frame.js';
export { loadConfigFile, parseConfigText, getConfig, type ModelConfig, type ConfigFile } from './config/seed-config.js';
export { validateModelId, validateSymbol, validateSymbols } from './core/identifiers.js';
export { STOCKCAST_VERSION } from './core/version.js';
