import type { FeatureStore } from '../store/feature-store.js';
import { nyDate, nyParts } from '../core/ny-time.js';
import { addTradingDays, isTradingDay, previousTradingDay } from '../core/nyse-calendar.js';

/** Data the run needs is missing (or cannot be refreshed): the message names what and why. */
export class IncompleteDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteDataError';
  }
}

/** Symbols whose data ends this many trading days before the newest are not traded (and not refreshed). */
export const STALE_TRADING_DAYS = 10;

/** Which symbols are traded and which of their features lack days up to the target day. */
export interface DataGaps {
  symbols: string[];
  excluded: Array<{ symbol: string; lastDate: string }>;
  /** Feature → symbol → its last stored date (null: no rows at all), for every pair that does not reach the day. */
  missing: Map<string, Map<string, string | null>>;
}

/**
 * Finds every (feature, symbol) of the traded symbols whose daily data ends before `day`. The traded symbols
 * are `universe` when given, else the store's `open` symbols except those whose data ended more than
 * STALE_TRADING_DAYS before the newest (a symbol a killed refresh left a day behind is still traded, and so
 * still refreshed; one delisted long ago is not).
 */
export async function findGaps(store: FeatureStore, features: string[], day: string, universe?: string[]): Promise<DataGaps> {
  const last = new Map<string, Map<string, string>>();
  for (const f of features) last.set(f, new Map((await store.coverage(f, '1Day')).map((c) => [c.symbol, c.lastDate])));
  let symbols = universe;
  const excluded: DataGaps['excluded'] = [];
  if (!symbols) {
    const open = last.get('open') ?? new Map<string, string>();
    if (open.size === 0) throw new IncompleteDataError('the feature store has no daily open: run `stockcast backfill` first');
    const cutoff = addTradingDays([...open.values()].sort().at(-1)!, -STALE_TRADING_DAYS);
    symbols = [];
    for (const [symbol, lastDate] of [...open].sort(([a], [b]) => a.localeCompare(b))) {
      if (lastDate >= cutoff) symbols.push(symbol);
      else excluded.push({ symbol, lastDate });
    }
  }
  const missing = new Map<string, Map<string, string | null>>();
  for (const f of features) {
    for (const s of symbols) {
      const d = last.get(f)!.get(s) ?? null;
      if (d !== null && d >= day) continue;
      const m = missing.get(f) ?? new Map<string, string | null>();
      m.set(s, d);
      missing.set(f, m);
    }
  }
  return { symbols, excluded, missing };
}

/** The newest trading day whose regular session has opened at `now` (today from 09:30 New York, else the one before). */
export function latestSessionDay(now: Date): string {
  const today = nyDate(now);
  const p = nyParts(now);
  return isTradingDay(today) && p.hour * 60 + p.minute >= 570 ? today : previousTradingDay(today);
}
