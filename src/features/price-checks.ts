import type { Bar } from '../core/types.js';
import { nyDate } from '../core/ny-time.js';

/** An overnight move large enough to be an unadjusted split (or bad data) rather than news. */
export interface SuspiciousJump {
  symbol: string;
  /** The trading date of the open that jumped (New York). */
  date: string;
  previousClose: number;
  open: number;
  /** open / previous close − 1. */
  move: number;
}

/** Moves beyond ±40 % overnight: a 2:1 split unadjusted is −50 %, a 1:2 reverse split +100 %. */
export const JUMP_THRESHOLD = 0.4;

/** The overnight moves (open against the previous bar's close) of one symbol's bars, in time order, beyond the threshold. */
export function overnightJumps(symbol: string, bars: Bar[], threshold = JUMP_THRESHOLD): SuspiciousJump[] {
  const out: SuspiciousJump[] = [];
  for (let i = 1; i < bars.length; i++) {
    const prev = bars[i - 1]!.close;
    const open = bars[i]!.open;
    if (!(prev > 0) || !(open > 0)) continue;
    const move = open / prev - 1;
    if (Math.abs(move) > threshold) out.push({ symbol, date: nyDate(bars[i]!.timestamp), previousClose: prev, open, move });
  }
  return out;
}

/** The suspicious jumps of every symbol's bars. */
export function suspiciousJumps(barsBySymbol: Map<string, Bar[]>, threshold = JUMP_THRESHOLD): SuspiciousJump[] {
  return [...barsBySymbol].flatMap(([symbol, bars]) => overnightJumps(symbol, bars, threshold));
}
