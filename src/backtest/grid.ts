import type { PredictionTable } from '../core/prediction-table.js';
import { simulate, type RunResult } from './simulator.js';
import { deflatedSharpe } from './sharpe.js';
import { moments } from '../core/stats.js';
import { pickSimpleXDaysAhead, validateSimpleParams, type SimpleXDaysAheadParams } from '../strategies/simple-x-days-ahead-buying.js';
import { pickVolatilityRanking } from '../strategies/volatility-ranking.js';

/** Parameter lists to try. For VolatilityRanking the third list is its volatility_importance. */
export interface GridSpec {
  intervalDays: number[];
  numStocksPurchased: number[];
  uncertaintyMultiplier: number[];
  strategy?: StrategyName;
}

/** Strategies the grid can run. */
export type StrategyName = 'SimpleXDaysAheadBuying' | 'VolatilityRanking';

/** The seed's grid: interval 1–2 × stocks 10/25/50 × uncertainty 0.1–0.5 (30 runs). */
export const SEED_GRID: GridSpec = { intervalDays: [1, 2], numStocksPurchased: [10, 25, 50], uncertaintyMultiplier: [0.1, 0.2, 0.3, 0.4, 0.5] };

/** All runs of a grid, the best by annualised Sharpe, and that Sharpe deflated for the number of runs tried. */
export interface GridResult {
  runs: Array<{ params: SimpleXDaysAheadParams; result: RunResult }>;
  best: number;
  deflated: { dsr: number; benchmark: number; trials: number } | null;
}

/** Runs the grid's strategy (SimpleXDaysAheadBuying by default) over every combination of its parameters. */
export function runGrid(table: PredictionTable, base: SimpleXDaysAheadParams, grid: GridSpec): GridResult {
  const runs: GridResult['runs'] = [];
  for (const intervalDays of grid.intervalDays) {
    for (const numStocksPurchased of grid.numStocksPurchased) {
      for (const uncertaintyMultiplier of grid.uncertaintyMultiplier) {
        const params = { ...base, intervalDays, numStocksPurchased, uncertaintyMultiplier };
        validateSimpleParams(params, table.horizon);
        const pick =
          grid.strategy === 'VolatilityRanking'
            ? (t: PredictionTable, rows: number[]) => pickVolatilityRanking(t, rows, { ...params, volatilityImportance: uncertaintyMultiplier })
            : (t: PredictionTable, rows: number[]) => pickSimpleXDaysAhead(t, rows, params);
        runs.push({ params, result: simulate(table, params, pick) });
      }
    }
  }
  if (runs.length === 0) throw new Error('the strategy grid is empty: give at least one value for each parameter');
  let best = 0;
  runs.forEach((r, i) => {
    const a = r.result.sharpe.annualised;
    const b = runs[best]!.result.sharpe.annualised;
    if (Number.isFinite(a) && (!Number.isFinite(b) || a > b)) best = i;
  });
  const srs = runs.map((r) => r.result.sharpe.perPeriod).filter(Number.isFinite);
  const bestRun = runs[best]!.result;
  let deflated: GridResult['deflated'] = null;
  if (srs.length > 1 && bestRun.periods.length > 2) {
    const m = moments(bestRun.periods.map((p) => p.ret));
    const v = moments(srs);
    deflated = { ...deflatedSharpe({ sr: bestRun.sharpe.perPeriod, trials: runs.length, varianceOfTrials: v.std * v.std, n: m.n, skew: m.skew, kurtosis: m.kurtosis }), trials: runs.length };
  }
  return { runs, best, deflated };
}
