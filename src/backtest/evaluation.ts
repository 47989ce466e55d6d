import type { PredictionTable } from '../core/prediction-table.js';
import { rowKey, rowsByKey, rowsByTime, selectRows } from '../core/prediction-table.js';
import { runGrid, SEED_GRID, type GridResult, type GridSpec } from './grid.js';
import { forecastQuality, type ForecastQuality } from './forecast-quality.js';
import { buyAndHold, type BenchmarkResult } from './benchmark.js';
import { dieboldMariano, type DieboldMariano } from './forecast-comparison.js';
import type { StrategyName, StrategySettings } from '../strategies/strategy-settings.js';
import { strategyFromConfig, type StrategyOverrides } from '../strategies/registry.js';
import type { ModelConfig } from '../config/seed-config.js';

/** A baseline's figures on the model's rows: forecast quality and every strategy run of the same grid. */
export interface BaselineEvaluation {
  name: string;
  quality: ForecastQuality;
  grid: GridResult;
  /** The model against this baseline: Diebold–Mariano test of equal quantile loss (meanDiff < 0: the model's is lower). */
  dm: DieboldMariano;
}

/** Whether the model beats each baseline on the test range, in numbers and in a sentence. */
export interface Verdict {
  /** Lower test-range quantile loss than every baseline. */
  beatsAll: boolean;
  /** The baselines whose quantile loss the model beats / does not beat. */
  beats: string[];
  doesNotBeat: string[];
  sentence: string;
}

/** Everything `stockcast evaluate` reports. */
export interface Evaluation {
  modelId: string;
  /** The rows evaluated: first and last decision time (epoch ms), distinct symbols and decision days. */
  testRange: { first: number; last: number; symbols: number; decisions: number };
  strategy: StrategyName;
  base: StrategySettings;
  grid: GridResult;
  /** The config's preferred strategy run (when it names one and it is in the grid). */
  preferred: number | null;
  benchmarks: BenchmarkResult[];
  quality: ForecastQuality;
  baselines: BaselineEvaluation[];
  verdict: Verdict;
}

/** Base strategy settings: the config's preferred `_performance_test_N` through the registry, then `over`. */
export function baseParams(config: ModelConfig | undefined, over: StrategyOverrides = {}): StrategySettings {
  return strategyFromConfig(config, over);
}

/**
 * The seed's run_evaluation, made honest: the grid after costs (and without them), its deflated best Sharpe,
 * buy-and-hold after the same costs and tax, forecast quality, and every baseline through the same figures on
 * the same rows, with a verdict. `baselines` are tables of the model's rows (see `alignBaseline`).
 */
export function evaluatePredictions(modelId: string, table: PredictionTable, base: StrategySettings, grid: GridSpec = SEED_GRID, baselines: Array<{ name: string; table: PredictionTable }> = []): Evaluation {
  const usable = { ...grid, intervalDays: grid.intervalDays.filter((k) => k <= table.horizon) };
  if (usable.intervalDays.length === 0) throw new Error(`every interval_days of the grid exceeds the model's prediction length ${table.horizon}`);
  const days = rowsByTime(table).map((g) => g.time);
  if (days.length === 0) throw new Error(`model ${modelId}: no predictions in the test range to evaluate`);
  const testRange = { first: days[0]!, last: days.at(-1)!, symbols: new Set(table.symbols).size, decisions: days.length };
  const result = runGrid(table, base, usable);
  const preferredIdx = result.runs.findIndex((r) => sameRun(r.params, base));
  const best = result.runs[result.best]!.result;
  const costs = { startingMoney: base.startingMoney, capitalGainsTax: base.capitalGainsTax, costBps: base.transactionCostBps + base.slippageBps };
  const benchmarks = [buyAndHold(table, best.times, costs), table.symbols.includes('SPY') ? buyAndHold(table, best.times, costs, 'SPY') : null].filter((b): b is BenchmarkResult => b !== null);
  const quality = forecastQuality(table);
  const evaluated = baselines.map((b) => ({ name: b.name, quality: forecastQuality(b.table), grid: runGrid(b.table, base, usable), dm: dieboldMariano(table, b.table) }));
  return { modelId, testRange, strategy: base.name, base, grid: result, preferred: preferredIdx >= 0 ? preferredIdx : null, benchmarks, quality, baselines: evaluated, verdict: verdictOf(quality, evaluated) };
}

/** A baseline's table on exactly the model's rows, in the model's row order; model rows it has no forecast for are an error. */
export function alignBaseline(model: PredictionTable, baseline: PredictionTable, name: string): PredictionTable {
  const keys = Array.from({ length: model.timestamps.length }, (_, r) => rowKey(model, r));
  const rows = rowsByKey(baseline, keys);
  const missing = rows.findIndex((r) => r < 0);
  if (missing >= 0) {
    throw new Error(`baseline ${name} has no forecast for ${model.symbols[missing]} at ${new Date(model.timestamps[missing]!).toISOString()}: the predictions and the feature store disagree (re-run predict)`);
  }
  return selectRows(baseline, rows);
}

/** The verdict on quantile loss, the loss the model is trained on; the sentence adds MAE and Rank IC. */
export function verdictOf(q: ForecastQuality, baselines: BaselineEvaluation[]): Verdict {
  const beats = baselines.filter((b) => q.quantileLoss < b.quality.quantileLoss).map((b) => b.name);
  const doesNotBeat = baselines.filter((b) => !(q.quantileLoss < b.quality.quantileLoss)).map((b) => b.name);
  if (baselines.length === 0) return { beatsAll: false, beats, doesNotBeat, sentence: 'no baseline was evaluated, so there is no verdict' };
  const parts = baselines.map((b) => {
    const rel = (q.quantileLoss / b.quality.quantileLoss - 1) * 100;
    const sig = Number.isFinite(b.dm.pValue) ? `, Diebold–Mariano p = ${b.dm.pValue.toFixed(3)}` : '';
    return `${b.name} ${b.quality.quantileLoss.toFixed(4)} (${rel >= 0 ? '+' : ''}${rel.toFixed(1)} %${sig})`;
  });
  const head =
    doesNotBeat.length === 0
      ? 'The model BEATS every baseline on the test range'
      : beats.length === 0
        ? 'The model does NOT beat any baseline on the test range'
        : `The model beats ${beats.join(', ')} but NOT ${doesNotBeat.join(', ')} on the test range`;
  return { beatsAll: doesNotBeat.length === 0, beats, doesNotBeat, sentence: `${head}: quantile loss ${q.quantileLoss.toFixed(4)} vs ${parts.join(', ')}.` };
}

function sameRun(a: StrategySettings, b: StrategySettings): boolean {
  if (a.intervalDays !== b.intervalDays || a.numStocksPurchased !== b.numStocksPurchased || a.name !== b.name) return false;
  const ka = a.name === 'SimpleXDaysAheadBuying' ? a.uncertaintyMultiplier : a.volatilityImportance;
  const kb = b.name === 'SimpleXDaysAheadBuying' ? b.uncertaintyMultiplier : b.volatilityImportance;
  return Math.abs(ka - kb) < 1e-12;
}
