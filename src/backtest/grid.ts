import type { PredictionTable } from '../core/prediction-table.js';
import { simulateWithAndWithoutCosts, type RunResult } from './simulator.js';
import { deflatedSharpeAnnualised } from './sharpe.js';
import { moments } from '../core/stats.js';
import type { StrategySettings } from '../strategies/strategy-settings.js';
import { strategyKnob, validateStrategy, withKnob } from '../strategies/registry.js';

/**
 * Parameter lists to try. The third axis is the strategy's own knob: `uncertaintyMultiplier` for
 * SimpleXDaysAheadBuying, `volatilityImportance` for VolatilityRanking (absent: the base settings' value).
 */
export interface GridSpec {
  intervalDays: number[];
  numStocksPurchased: number[];
  uncertaintyMultiplier?: number[];
  volatilityImportance?: number[];
}

/** The seed's grid: interval 1–2 × stocks 10/25/50 × uncertainty 0.1–0.5 (30 runs); VolatilityRanking: importance 0–1. */
export const SEED_GRID: Required<GridSpec> = {
  intervalDays: [1, 2],
  numStocksPurchased: [10, 25, 50],
  uncertaintyMultiplier: [0.1, 0.2, 0.3, 0.4, 0.5],
  volatilityImportance: [0, 0.25, 0.5, 0.75, 1],
};

/** A run's figures with no commission and no slippage, beside its after-cost figures. */
export interface CostFreeFigures {
  finalMoney: number;
  totalReturn: number;
  sharpe: number;
}

/** One run of a grid. */
export interface GridRun {
  params: StrategySettings;
  result: RunResult;
  costFree: CostFreeFigures;
}

/** All runs of a grid, the best by annualised Sharpe (after costs), and that Sharpe deflated for the runs tried. */
export interface GridResult {
  runs: GridRun[];
  best: number;
  /** `benchmark`: the best annualised Sharpe that many unskilled runs would show. */
  deflated: { dsr: number; benchmark: number; trials: number } | null;
}

/** The third-axis values a grid tries for a strategy. */
export function knobValues(grid: GridSpec, base: StrategySettings): number[] {
  const knob = strategyKnob(base);
  return grid[knob.key] ?? [knob.value];
}

/** Runs the base strategy over every combination of the grid's parameters, after costs and without them. */
export function runGrid(table: PredictionTable, base: StrategySettings, grid: GridSpec): GridResult {
  const runs: GridRun[] = [];
  for (const intervalDays of grid.intervalDays) {
    for (const numStocksPurchased of grid.numStocksPurchased) {
      for (const k of knobValues(grid, base)) {
        const params = withKnob({ ...base, intervalDays, numStocksPurchased }, k);
        validateStrategy(params, table.horizon);
        const { withCosts: result, costFree: free } = simulateWithAndWithoutCosts(table, params);
        runs.push({ params, result, costFree: { finalMoney: free.finalMoney, totalReturn: free.totalReturn, sharpe: free.sharpe.annualised } });
      }
    }
  }
  if (runs.length === 0) throw new Error('the strategy grid is empty: give at least one value for each parameter');
  const best = bestRun(runs);
  return { runs, best, deflated: deflate(runs, best) };
}

/** Index of the run with the highest finite annualised Sharpe (the first run when none is finite). */
export function bestRun(runs: GridRun[]): number {
  let best = 0;
  runs.forEach((r, i) => {
    const a = r.result.sharpe.annualised;
    const b = runs[best]!.result.sharpe.annualised;
    if (Number.isFinite(a) && (!Number.isFinite(b) || a > b)) best = i;
  });
  return best;
}

/**
 * The deflated Sharpe of the best run. Runs of different holding periods (1-day and 2-day) are compared by
 * their annualised Sharpe ratios; the expected best of that many unskilled runs is then brought to the best
 * run's own period for the probabilistic Sharpe.
 */
function deflate(runs: GridRun[], best: number): GridResult['deflated'] {
  const srs = runs.map((r) => r.result.sharpe.annualised).filter(Number.isFinite);
  const bestRun = runs[best]!.result;
  if (srs.length < 2 || bestRun.periods.length <= 2 || !Number.isFinite(bestRun.sharpe.annualised)) return null;
  const m = moments(bestRun.periods.map((p) => p.ret));
  const v = moments(srs);
  return {
    ...deflatedSharpeAnnualised({ annualised: bestRun.sharpe.annualised, periodsPerYear: bestRun.periodsPerYear, varianceOfTrials: v.std * v.std, trials: runs.length, n: m.n, skew: m.skew, kurtosis: m.kurtosis }),
    trials: runs.length,
  };
}
