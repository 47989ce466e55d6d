import type { ObjectStore } from '../store/object-store.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ModelConfig } from '../config/seed-config.js';
import { predictionsKey, readPredictions } from '../store/predictions-parquet.js';
import { loadArtifact } from '../model/artifact.js';
import { rowKey, rowsByKey, rowsByTime, selectRows, type PredictionTable } from '../core/prediction-table.js';
import { forecastQuality } from '../backtest/forecast-quality.js';
import { runGrid, type GridSpec } from '../backtest/grid.js';
import { dieboldMariano } from '../backtest/forecast-comparison.js';
import { alignBaseline } from '../backtest/evaluation.js';
import { strategyFromConfig, type StrategyOverrides } from '../strategies/registry.js';
import { baselineTables } from './baseline-predictions.js';
import { modelFrame } from './model-frame.js';
import { configGrid, restrictToDates } from './evaluate-model.js';
import { storedRun } from './results-store.js';

/** One row of the comparison table: a model or a baseline on the rows every model forecast. */
export interface ComparisonRow {
  name: string;
  kind: 'model' | 'baseline';
  quantileLoss: number;
  mae: number;
  bandCoverage: number;
  nominalCoverage: number;
  ic: number;
  rankIc: number;
  /** Diebold–Mariano test of this forecaster against the naive baseline (meanDiff < 0: lower loss than naive). */
  vsNaive: { meanDiff: number; statistic: number; pValue: number; days: number } | null;
  bestRun: ReturnType<typeof storedRun>;
  deflatedSharpe: { dsr: number; benchmark: number; trials: number } | null;
}

/** `evaluate --compare`: several models (and the baselines) in one table, on the same rows. */
export interface Comparison {
  /** The rows compared: the (symbol, decision time) pairs every model has a prediction for. */
  testRange: { first: string; last: string; symbols: number; decisions: number; rows: number };
  /** The model whose training range the baselines' quantiles were fitted on. */
  baselinesFrom: string;
  rows: ComparisonRow[];
}

/**
 * Puts several models beside each other and beside the baselines, on the rows all of them forecast (each model's
 * test range, intersected, optionally restricted to `testRange`): forecast quality and the best run of each
 * model's own strategy grid, after the same costs.
 */
export async function compareModels(o: {
  modelIds: string[];
  models: ObjectStore;
  features: FeatureStore;
  configOf: (modelId: string) => ModelConfig | undefined;
  strategy?: StrategyOverrides;
  grid?: GridSpec;
  testRange?: { start: string; end: string };
}): Promise<Comparison> {
  if (o.modelIds.length === 0) throw new Error('--compare: give at least one model id');
  const tables = await Promise.all(o.modelIds.map((id) => readPredictions(o.models, predictionsKey(id), `model ${id}`)));
  const common = commonRows(tables, o.modelIds, o.testRange);
  const first = o.modelIds[0]!;
  const { meta } = await loadArtifact(o.models, first);
  const baselines = baselineTables(meta.dataset, await modelFrame(o.features, meta)).map((b) => ({ name: b.name, table: alignBaseline(common[0]!, b.table, b.name) }));
  const naive = baselines.find((b) => b.name === 'naive')!.table;
  const row = (name: string, kind: ComparisonRow['kind'], t: PredictionTable, config: ModelConfig | undefined): ComparisonRow => {
    const q = forecastQuality(t);
    const base = strategyFromConfig(config, o.strategy);
    const grid = runGrid(t, base, o.grid ?? configGrid(config));
    return {
      name,
      kind,
      quantileLoss: q.quantileLoss,
      mae: q.mae,
      bandCoverage: q.bandCoverage,
      nominalCoverage: q.nominalCoverage,
      ic: q.ic.mean,
      rankIc: q.rankIc.mean,
      vsNaive: name === 'naive' ? null : dieboldMariano(t, naive),
      bestRun: storedRun(grid.runs[grid.best]!),
      deflatedSharpe: grid.deflated,
    };
  };
  const firstConfig = o.configOf(first);
  const rows = [...o.modelIds.map((id, i) => row(id, 'model', common[i]!, o.configOf(id))), ...baselines.map((b) => row(b.name, 'baseline', b.table, firstConfig))];
  const days = rowsByTime(common[0]!).map((g) => g.time);
  const iso = (ms: number) => new Date(ms).toISOString();
  return { testRange: { first: iso(days[0]!), last: iso(days.at(-1)!), symbols: new Set(common[0]!.symbols).size, decisions: days.length, rows: common[0]!.currentY.length }, baselinesFrom: first, rows };
}

/** Each table restricted to the rows every table has, in the first table's order. */
function commonRows(tables: PredictionTable[], ids: string[], range?: { start: string; end: string }): PredictionTable[] {
  const restricted = range ? tables.map((t) => restrictToDates(t, range)) : tables;
  const head = restricted[0]!;
  const keys = Array.from({ length: head.currentY.length }, (_, r) => rowKey(head, r));
  const positions = restricted.map((t) => rowsByKey(t, keys));
  const keep = keys.map((_, i) => i).filter((i) => positions.every((p) => p[i]! >= 0));
  if (keep.length === 0) throw new Error(`models ${ids.join(', ')} have no (symbol, decision day) in common${range ? ` in ${range.start} … ${range.end}` : ''}: compare models of the same test range`);
  return restricted.map((t, i) => selectRows(t, keep.map((k) => positions[i]![k]!)));
}
