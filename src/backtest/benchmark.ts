import type { PredictionTable } from '../core/prediction-table.js';
import { rowsByTime } from '../core/prediction-table.js';
import { maxDrawdown, sharpe, type SharpeFigures } from './sharpe.js';

/** Equal-weight buy-and-hold over the same dates as a strategy run. */
export interface BenchmarkResult {
  label: string;
  finalMoney: number;
  totalReturn: number;
  sharpe: SharpeFigures;
  maxDrawdown: number;
  equity: number[];
}

/**
 * Buys every listed symbol (or only `onlySymbol`, e.g. SPY) in equal money at the first time and holds to the
 * last, valued at each of `times` from the table's current values (the last value seen for a symbol carries).
 */
export function buyAndHold(table: PredictionTable, times: number[], startingMoney: number, onlySymbol?: string): BenchmarkResult | null {
  if (times.length < 2) return null;
  const groups = rowsByTime(table);
  const priceAt = new Map<string, number>();
  const first = new Map<string, number>();
  const equity: number[] = [];
  let gi = 0;
  for (const t of times) {
    for (; gi < groups.length && groups[gi]!.time <= t; gi++) {
      for (const r of groups[gi]!.rows) {
        const s = table.symbols[r]!;
        if (onlySymbol && s !== onlySymbol) continue;
        const v = table.currentY[r]!;
        if (!(v > 0)) continue;
        priceAt.set(s, v);
        if (equity.length === 0 && !first.has(s)) first.set(s, v);
      }
    }
    if (first.size === 0) return null;
    let value = 0;
    for (const [s, p0] of first) value += (priceAt.get(s)! / p0) * (startingMoney / first.size);
    equity.push(value);
  }
  const rets = equity.slice(1).map((v, i) => v / equity[i]! - 1);
  const years = (times[times.length - 1]! - times[0]!) / (365.25 * 86_400_000);
  return {
    label: onlySymbol ?? 'equal-weight universe',
    finalMoney: equity[equity.length - 1]!,
    totalReturn: equity[equity.length - 1]! / startingMoney - 1,
    sharpe: sharpe(rets, years > 0 ? rets.length / years : 252),
    maxDrawdown: maxDrawdown(equity),
    equity,
  };
}
