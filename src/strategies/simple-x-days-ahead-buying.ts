import type { PredictionTable } from '../core/prediction-table.js';
import { quantileIndices } from '../core/prediction-table.js';
import type { SimpleXDaysAheadSettings } from './strategy-settings.js';

/** What SimpleXDaysAheadBuying's pick reads of its settings. */
export type SimpleXDaysAheadPickParams = Readonly<{ [K in 'intervalDays' | 'numStocksPurchased' | 'uncertaintyMultiplier' | 'dontBuyNegativeStocks']: SimpleXDaysAheadSettings[K] }>;

/** A scored candidate. */
export interface Pick {
  row: number;
  symbol: string;
  score: number;
  predictedChangePct: number;
}

/**
 * The seed's scoring: predicted % change at `interval_days` (median forecast vs the current value) minus
 * `uncertainty_multiplier` × the mean width of the outer quantile band (p30–p70) in % over those steps.
 * The top `num_stocks_purchased` are bought; with `dont_buy_negative_stocks`, a stock whose predicted change
 * is not positive is never bought. Reads only `currentY` and the forecasts: never a realised value.
 */
export function pickSimpleXDaysAhead(table: PredictionTable, rows: number[], p: SimpleXDaysAheadPickParams): Pick[] {
  const { change, width } = forecastFigures(table, p.intervalDays);
  const picks: Pick[] = [];
  for (const row of rows) {
    const predictedChangePct = change[row]!;
    const score = predictedChangePct - p.uncertaintyMultiplier * width[row]!;
    if (!Number.isFinite(score)) continue;
    if (p.dontBuyNegativeStocks && !(predictedChangePct > 0)) continue;
    picks.push({ row, symbol: table.symbols[row]!, score, predictedChangePct });
  }
  picks.sort((a, b) => b.score - a.score || a.symbol.localeCompare(b.symbol));
  return picks.slice(0, p.numStocksPurchased);
}

const figureCache = new WeakMap<PredictionTable, Map<number, { change: Float64Array; width: Float64Array }>>();

/**
 * Per row: the predicted % change at `intervalDays` (median vs current) and the mean outer-band width in % over
 * those steps (NaN where the current value is not positive). Cached per table, so a grid of runs computes them once.
 */
export function forecastFigures(table: PredictionTable, intervalDays: number): { change: Float64Array; width: Float64Array } {
  let byInterval = figureCache.get(table);
  if (!byInterval) figureCache.set(table, (byInterval = new Map()));
  const hit = byInterval.get(intervalDays);
  if (hit) return hit;
  const { mid, low, high } = quantileIndices(table.quantiles);
  const nQ = table.quantiles.length;
  const H = table.horizon;
  const k = intervalDays;
  const n = table.currentY.length;
  const change = new Float64Array(n);
  const width = new Float64Array(n);
  for (let row = 0; row < n; row++) {
    const cur = table.currentY[row]!;
    const at = (h: number, q: number) => table.pred[(row * H + h) * nQ + q]!;
    change[row] = cur > 0 ? (at(k - 1, mid) / cur - 1) * 100 : NaN;
    let w = 0;
    for (let h = 0; h < k; h++) w += ((at(h, high) - at(h, low)) / cur) * 100;
    width[row] = cur > 0 ? w / k : NaN;
  }
  const out = { change, width };
  byInterval.set(intervalDays, out);
  return out;
}
