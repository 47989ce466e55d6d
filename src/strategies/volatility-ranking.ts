import type { PredictionTable } from '../core/prediction-table.js';
import { quantileIndices } from '../core/prediction-table.js';
import type { Pick } from './simple-x-days-ahead-buying.js';
import { ranks } from '../core/stats.js';

/** VolatilityRanking parameters. */
export interface VolatilityRankingParams {
  intervalDays: number;
  numStocksPurchased: number;
  /** 0: rank by predicted profit only; 1: by forecast band width (narrowest first) only. */
  volatilityImportance: number;
  dontBuyNegativeStocks: boolean;
}

/**
 * Ranks candidates twice — by predicted % change (highest first) and by the outer quantile band width in %
 * (narrowest first) — and buys the best `(1 − w)·profit rank + w·width rank`. Ranks, unlike the linear
 * penalty of SimpleXDaysAheadBuying, are insensitive to the scale of either figure.
 */
export function pickVolatilityRanking(table: PredictionTable, rows: number[], p: VolatilityRankingParams): Pick[] {
  if (!(p.volatilityImportance >= 0 && p.volatilityImportance <= 1)) {
    throw new Error(`strategy parameter volatility_importance: expected a number in [0, 1], got ${p.volatilityImportance}`);
  }
  const { mid, low, high } = quantileIndices(table.quantiles);
  const nQ = table.quantiles.length;
  const H = table.horizon;
  const k = p.intervalDays;
  const cands: Array<{ row: number; change: number; width: number }> = [];
  for (const row of rows) {
    const cur = table.currentY[row]!;
    if (!(cur > 0)) continue;
    const at = (h: number, q: number) => table.pred[(row * H + h) * nQ + q]!;
    const change = (at(k - 1, mid) / cur - 1) * 100;
    let width = 0;
    for (let h = 0; h < k; h++) width += ((at(h, high) - at(h, low)) / cur) * 100;
    if (!Number.isFinite(change) || !Number.isFinite(width)) continue;
    if (p.dontBuyNegativeStocks && !(change > 0)) continue;
    cands.push({ row, change, width: width / k });
  }
  const profitRank = ranks(cands.map((c) => -c.change));
  const widthRank = ranks(cands.map((c) => c.width));
  const w = p.volatilityImportance;
  return cands
    .map((c, i) => ({ row: c.row, symbol: table.symbols[c.row]!, predictedChangePct: c.change, score: -((1 - w) * profitRank[i]! + w * widthRank[i]!) }))
    .sort((a, b) => b.score - a.score || a.symbol.localeCompare(b.symbol))
    .slice(0, p.numStocksPurchased);
}
