import type { PredictionTable } from '../core/prediction-table.js';
import { runGrid, SEED_GRID, type GridResult, type GridSpec } from './grid.js';
import { forecastQuality, type ForecastQuality } from './forecast-quality.js';
import { buyAndHold, type BenchmarkResult } from './benchmark.js';
import type { SimpleXDaysAheadParams } from '../strategies/simple-x-days-ahead-buying.js';
import type { ModelConfig } from '../config/seed-config.js';

/** Everything `stockcast evaluate` reports. */
export interface Evaluation {
  modelId: string;
  strategy: string;
  base: SimpleXDaysAheadParams;
  grid: GridResult;
  /** The config's preferred strategy run (when it names one and it is in the grid). */
  preferred: number | null;
  benchmarks: BenchmarkResult[];
  quality: ForecastQuality;
}

/** Base strategy parameters: the config's preferred `_performance_test_N`, else the seed's defaults. */
export function baseParams(config: ModelConfig | undefined, over: Partial<SimpleXDaysAheadParams> = {}): SimpleXDaysAheadParams {
  const pref = config?.preferredTradingStrategy ? config.performanceTests[config.preferredTradingStrategy] : undefined;
  return {
    intervalDays: pref?.intervalDays ?? 1,
    numStocksPurchased: pref?.numStocksPurchased ?? 10,
    capitalGainsTax: pref?.capitalGainsTax ?? 0.35,
    compoundMoney: pref?.compoundMoney ?? true,
    dontBuyNegativeStocks: pref?.dontBuyNegativeStocks ?? true,
    uncertaintyMultiplier: pref?.uncertaintyMultiplier ?? 0.1,
    startingMoney: config?.startingMoney ?? 25_000,
    ...over,
  };
}

/** The seed's run_evaluation, made honest: the grid, its deflated best Sharpe, benchmarks and forecast quality. */
export function evaluatePredictions(modelId: string, table: PredictionTable, base: SimpleXDaysAheadParams, grid: GridSpec = SEED_GRID): Evaluation {
  const usable = { ...grid, intervalDays: grid.intervalDays.filter((k) => k <= table.horizon) };
  if (usable.intervalDays.length === 0) throw new Error(`every interval_days of the grid exceeds the model's prediction length ${table.horizon}`);
  const result = runGrid(table, base, usable);
  const preferredIdx = result.runs.findIndex(
    (r) => r.params.intervalDays === base.intervalDays && r.params.numStocksPurchased === base.numStocksPurchased && Math.abs(r.params.uncertaintyMultiplier - base.uncertaintyMultiplier) < 1e-12,
  );
  const best = result.runs[result.best]!.result;
  const start = base.startingMoney ?? 25_000;
  const benchmarks = [buyAndHold(table, best.times, start), table.symbols.includes('SPY') ? buyAndHold(table, best.times, start, 'SPY') : null].filter((b): b is BenchmarkResult => b !== null);
  return { modelId, strategy: grid.strategy ?? 'SimpleXDaysAheadBuying', base, grid: result, preferred: preferredIdx >= 0 ? preferredIdx : null, benchmarks, quality: forecastQuality(table) };
}
