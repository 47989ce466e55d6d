import type { PredictionTable } from '../core/prediction-table.js';
import { ranks } from '../core/stats.js';
import { forecastFigures, type Pick } from './simple-x-days-ahead-buying.js';
import type { VolatilityRankingSettings } from './strategy-settings.js';

/** What VolatilityRanking's pick reads of its settings. */
export type VolatilityRankingPickParams = Readonly<{ [K in 'intervalDays' | 'numStocksPurchased' | 'volatilityImportance' | 'dontBuyNegativeStocks']: VolatilityRankingSettings[K] }>;

/**
 * Ranks candidates twice — by predicted % change (highest first) and by the outer quantile band width in %
 * (narrowest first) — and buys the best `(1 − w)·profit rank + w·width rank`. Ranks, unlike the linear
 * penalty of SimpleXDaysAheadBuying, are insensitive to the scale of either figure.
 */
export function pickVolatilityRanking(table: PredictionTable, rows: number[], p: VolatilityRankingPickParams): Pick[] {
  if (!(p.volatilityImportance >= 0 && p.volatilityImportance <= 1)) {
    throw new Error(`strategy parameter volatility_importance: expected a number in [0, 1], got ${p.volatilityImportance}`);
  }
  const { change, width } = forecastFigures(table, p.intervalDays);
  const cands: Array<{ row: number; change: number; width: number }> = [];
  for (const row of rows) {
    const c = change[row]!;
    const w = width[row]!;
    if (!Number.isFinite(c) || !Number.isFinite(w)) continue;
    if (p.dontBuyNegativeStocks && !(c > 0)) continue;
    cands.push({ row, change: c, width: w });
  }
  const profitRank = ranks(cands.map((c) => -c.change));
  const widthRank = ranks(cands.map((c) => c.width));
  const w = p.volatilityImportance;
  return cands
    .map((c, i) => ({ row: c.row, symbol: table.symbols[c.row]!, predictedChangePct: c.change, score: -((1 - w) * profitRank[i]! + w * widthRank[i]!) }))
    .sort((a, b) => b.score - a.score || a.symbol.localeCompare(b.symbol))
    .slice(0, p.numStocksPurchased);
}
