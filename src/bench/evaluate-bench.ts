import { Random } from '../core/random.js';
import { tradingDaysBetween } from '../core/nyse-calendar.js';
import { nyMidnightUtc } from '../core/ny-time.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { runGrid, SEED_GRID } from '../backtest/grid.js';
import { strategyFromConfig } from '../strategies/registry.js';
import { forecastQuality } from '../backtest/forecast-quality.js';
import { buyAndHold } from '../backtest/benchmark.js';

/** A seeded table of predictions: `days` trading days × `symbols` symbols, horizon 2, with a weak real signal. */
export function syntheticPredictions(symbols: number, days: string[], seed = 1): PredictionTable {
  const rng = new Random(seed);
  const n = symbols * days.length;
  const t: PredictionTable = {
    quantiles: [0.3, 0.5, 0.7],
    horizon: 2,
    symbols: new Array(n),
    timestamps: new Float64Array(n),
    currentY: new Float64Array(n),
    y: new Float64Array(n * 2),
    pred: new Float64Array(n * 6),
  };
  const price = Array.from({ length: symbols }, () => 50 + 100 * rng.uniform());
  const rets = days.map(() => Array.from({ length: symbols }, () => 0.015 * rng.normal()));
  let i = 0;
  days.forEach((d, di) => {
    const time = nyMidnightUtc(d).getTime();
    for (let s = 0; s < symbols; s++, i++) {
      t.symbols[i] = `S${s}`;
      t.timestamps[i] = time;
      const cur = price[s]!;
      t.currentY[i] = cur;
      const r1 = rets[di + 1]?.[s] ?? NaN;
      const r2 = rets[di + 2]?.[s] ?? NaN;
      t.y[i * 2] = cur * Math.exp(r1);
      t.y[i * 2 + 1] = cur * Math.exp(r1 + r2);
      [r1, r1 + r2].forEach((r, h) => {
        const m = cur * Math.exp((Number.isFinite(r) ? 0.05 * r : 0) + 0.003 * rng.normal());
        const w = cur * 0.01 * (1 + rng.uniform());
        t.pred.set([m - w, m, m + w], (i * 2 + h) * 3);
      });
    }
    for (let s = 0; s < symbols; s++) price[s] = price[s]! * Math.exp(rets[di]![s]!);
  });
  return t;
}

/** Evaluates the seed's 30-run grid over one year × 480 symbols of predictions. */
export async function benchEvaluate(): Promise<Record<string, unknown>> {
  const days = tradingDaysBetween('2025-01-01', '2025-12-31');
  const table = syntheticPredictions(480, days);
  const t0 = performance.now();
  const base = strategyFromConfig(undefined);
  const grid = runGrid(table, base, SEED_GRID);
  const tGrid = performance.now();
  const quality = forecastQuality(table);
  const best = grid.runs[grid.best]!.result;
  buyAndHold(table, best.times, { startingMoney: base.startingMoney, capitalGainsTax: base.capitalGainsTax, costBps: base.slippageBps + base.transactionCostBps });
  const tAll = performance.now();
  return {
    rows: table.currentY.length,
    days: days.length,
    symbols: 480,
    runs: grid.runs.length,
    gridSeconds: Math.round(tGrid - t0) / 1000,
    gridPlusQualitySeconds: Math.round(tAll - t0) / 1000,
    target: { gridSeconds: 2 },
    bestAnnualSharpe: Math.round(best.sharpe.annualised * 1000) / 1000,
    deflatedSharpe: grid.deflated ? Math.round(grid.deflated.dsr * 1000) / 1000 : null,
    meanRankIc: Math.round(quality.rankIc.mean * 1000) / 1000,
  };
}
