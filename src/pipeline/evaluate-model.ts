import type { ObjectStore } from '../store/object-store.js';
import type { ModelConfig } from '../config/seed-config.js';
import { readPredictionSet } from './prediction-set.js';
import { baseParams, evaluatePredictions, type Evaluation } from '../backtest/evaluation.js';
import { SEED_GRID, type GridSpec } from '../backtest/grid.js';
import { evaluationHtml } from '../report/evaluation-html.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { saveEvaluation } from './results-store.js';

/** What `evaluateModel` needs. */
export interface EvaluateModelOptions {
  modelId: string;
  /** Where the predictions Parquet of `predict` lives. */
  models: ObjectStore;
  config?: ModelConfig;
  /** Default: the config's strategy_grid, else the seed's grid. */
  grid?: GridSpec;
  costBps?: number;
  slippageBps?: number;
  buyWeekday?: number;
  /** The HTML report to write. */
  reportPath: string;
}

/** The config's strategy_grid, each list defaulting to the seed's. */
export function configGrid(config?: ModelConfig): GridSpec {
  const g = config?.strategyGrid;
  return {
    intervalDays: g?.intervalDays ?? SEED_GRID.intervalDays,
    numStocksPurchased: g?.numStocksPurchased ?? SEED_GRID.numStocksPurchased,
    uncertaintyMultiplier: g?.uncertaintyMultiplier ?? SEED_GRID.uncertaintyMultiplier,
  };
}

/** The seed's run_evaluation on stored predictions, after costs, beside benchmarks; writes the HTML report and the evaluation JSON. */
export async function evaluateModel(o: EvaluateModelOptions): Promise<Evaluation> {
  const table = await readPredictionSet(o.models, o.modelId);
  const base = baseParams(o.config, { transactionCostBps: o.costBps ?? 0, slippageBps: o.slippageBps ?? 0, buyWeekday: o.buyWeekday });
  const evaluation = evaluatePredictions(o.modelId, table, base, o.grid ?? configGrid(o.config));
  await writeFileAtomic(o.reportPath, evaluationHtml(evaluation));
  await saveEvaluation(o.models, evaluation, table);
  return evaluation;
}
