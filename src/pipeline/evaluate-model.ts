import type { ObjectStore } from '../store/object-store.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ModelConfig } from '../config/seed-config.js';
import { readPredictionSet } from './prediction-set.js';
import { loadArtifact } from '../model/artifact.js';
import { alignBaseline, evaluatePredictions, type Evaluation } from '../backtest/evaluation.js';
import { SEED_GRID, type GridSpec } from '../backtest/grid.js';
import { preferredTestRange, strategyFromConfig, type StrategyOverrides } from '../strategies/registry.js';
import { rowsWhere, selectRows, type PredictionTable } from '../core/prediction-table.js';
import { nyDate } from '../core/ny-time.js';
import { evaluationHtml } from '../report/evaluation-html.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { redactSecrets } from '../core/redact.js';
import { evaluationDocument, evaluationKey, putJson, type StoredEvaluation } from './results-store.js';
import { baselineTables } from './baseline-predictions.js';
import { modelFrame } from './model-frame.js';

/** What `evaluateModel` needs. */
export interface EvaluateModelOptions {
  modelId: string;
  /** Where the predictions Parquet of `predict` and the model artifact live. */
  models: ObjectStore;
  /** The feature store the model was trained on: the baselines are computed from it on the same windows. */
  features: FeatureStore;
  config?: ModelConfig;
  /** Default: the config's strategy_grid, else the seed's grid. */
  grid?: GridSpec;
  /** Over the configured strategy: costs, slippage, buy weekdays, another strategy name. */
  strategy?: StrategyOverrides;
  /** Restricts the test dates (decision dates, start inclusive, end exclusive); default: the preferred block's `_test_range`. */
  testRange?: { start: string; end: string };
  /** The HTML report to write. */
  reportPath: string;
}

/** An evaluation and the test dates it was restricted to. */
export interface ModelEvaluation extends Evaluation {
  restrictedTo?: { start: string; end: string; source: string };
}

/** The config's strategy_grid, each list defaulting to the seed's. */
export function configGrid(config?: ModelConfig): GridSpec {
  const g = config?.strategyGrid;
  return {
    intervalDays: g?.intervalDays ?? SEED_GRID.intervalDays,
    numStocksPurchased: g?.numStocksPurchased ?? SEED_GRID.numStocksPurchased,
    uncertaintyMultiplier: g?.uncertaintyMultiplier ?? SEED_GRID.uncertaintyMultiplier,
    volatilityImportance: g?.volatilityImportance ?? SEED_GRID.volatilityImportance,
  };
}

/** The rows of a table whose decision date lies in [start, end). */
export function restrictToDates(t: PredictionTable, range: { start: string; end: string }): PredictionTable {
  return selectRows(t, rowsWhere(t, (time) => {
    const d = nyDate(new Date(time));
    return d >= range.start && d < range.end;
  }));
}

/**
 * The seed's run_evaluation on stored predictions, after costs, beside buy-and-hold and every baseline on the same
 * rows; writes the HTML report and the evaluation JSON.
 */
export async function evaluateModel(o: EvaluateModelOptions): Promise<{ evaluation: ModelEvaluation; document: StoredEvaluation }> {
  let table = await readPredictionSet(o.models, o.modelId);
  const { meta } = await loadArtifact(o.models, o.modelId);
  const base = strategyFromConfig(o.config, o.strategy);
  const range = o.testRange ?? preferredTestRange(o.config);
  const restrictedTo = range ? { ...range, source: o.testRange ? '--test-range' : `${o.config?.preferredTradingStrategy}._test_range` } : undefined;
  if (range) {
    table = restrictToDates(table, range);
    if (table.currentY.length === 0) throw new Error(`no predictions of ${o.modelId} with a decision date in ${range.start} … ${range.end} (exclusive); the test range is ${meta.dataset.valEnd} … ${meta.dataset.testEnd}`);
  }
  const baselines = baselineTables(meta.dataset, await modelFrame(o.features, meta)).map((b) => ({ name: b.name, table: alignBaseline(table, b.table, b.name) }));
  const evaluation: ModelEvaluation = { ...evaluatePredictions(o.modelId, table, base, o.grid ?? configGrid(o.config), baselines), restrictedTo };
  await writeFileAtomic(o.reportPath, redactSecrets(evaluationHtml(evaluation)));
  const document = evaluationDocument(evaluation, table);
  await putJson(o.models, evaluationKey(o.modelId), document);
  return { evaluation, document };
}
