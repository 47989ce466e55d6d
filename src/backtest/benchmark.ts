import type { PredictionTable } from '../core/prediction-table.js';
import { rowsByTime } from '../core/prediction-table.js';
import { maxDrawdown, sharpe, type SharpeFigures } from './sharpe.js';

/** Equal-weight buy-and-hold over the same dates as a strategy run, after the same costs. */
export interface BenchmarkResult {
  label: string;
  /** Liquidation value at the end after entry and exit costs, before tax. */
  finalMoney: number;
  totalReturn: number;
  sharpe: SharpeFigures;
  maxDrawdown: number;
  /** Liquidation value (after exit costs) at each of the strategy's dates, before tax. */
  equity: number[];
  /** Sold at the end and taxed on the gain at the strategy's capital-gains rate (the strategy pays it each period). */
  afterTax: { finalMoney: number; totalReturn: number; capitalGainsTax: number };
  /** The same with no commission and no slippage (before tax). */
  costFree: { finalMoney: number; totalReturn: number };
}

/** Costs and tax a benchmark pays: the strategy's. */
export interface BenchmarkCosts {
  startingMoney: number;
  capitalGainsTax: number;
  /** Commission + slippage per side, basis points. */
  costBps: number;
}

/**
 * Buys every listed symbol (or only `onlySymbol`, e.g. SPY) in equal money at the first time, paying the entry
 * cost, and holds to the last, valued at each of `times` at what a sale would bring after the exit cost (the last
 * value seen for a symbol carries). The final value is also given after tax on the gain, like the strategy's.
 */
export function buyAndHold(table: PredictionTable, times: number[], costs: BenchmarkCosts, onlySymbol?: string): BenchmarkResult | null {
  if (times.length < 2) return null;
  const groups = rowsByTime(table);
  const priceAt = new Map<string, number>();
  const first = new Map<string, number>();
  const gross: number[] = [];
  let gi = 0;
  for (const t of times) {
    for (; gi < groups.length && groups[gi]!.time <= t; gi++) {
      for (const r of groups[gi]!.rows) {
        const s = table.symbols[r]!;
        if (onlySymbol && s !== onlySymbol) continue;
        const v = table.currentY[r]!;
        if (!(v > 0)) continue;
        priceAt.set(s, v);
        if (gross.length === 0 && !first.has(s)) first.set(s, v);
      }
    }
    if (first.size === 0) return null;
    let value = 0;
    for (const [s, p0] of first) value += (priceAt.get(s)! / p0) * (costs.startingMoney / first.size);
    gross.push(value);
  }
  const c = costs.costBps / 10_000;
  // bought at p0·(1 + c), sold at p·(1 − c)
  const equity = gross.map((v) => (v * (1 - c)) / (1 + c));
  const rets = equity.slice(1).map((v, i) => v / equity[i]! - 1);
  const years = (times[times.length - 1]! - times[0]!) / (365.25 * 86_400_000);
  const final = equity[equity.length - 1]!;
  const gain = final - costs.startingMoney;
  const taxed = final - (gain > 0 ? gain * costs.capitalGainsTax : 0);
  const freeFinal = gross[gross.length - 1]!;
  return {
    label: onlySymbol ?? 'equal-weight universe',
    finalMoney: final,
    totalReturn: final / costs.startingMoney - 1,
    sharpe: sharpe(rets, years > 0 ? rets.length / years : 252),
    maxDrawdown: maxDrawdown(equity),
    equity,
    afterTax: { finalMoney: taxed, totalReturn: taxed / costs.startingMoney - 1, capitalGainsTax: costs.capitalGainsTax },
    costFree: { finalMoney: freeFinal, totalReturn: freeFinal / costs.startingMoney - 1 },
  };
}
