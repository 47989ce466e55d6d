import type { Bar, EarningsEvent } from '../core/types.js';
import type { TimeFrame } from '../core/time-frame.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import type { FeatureBatch } from '../store/feature-store.js';
import { timeFeatureValue } from './time-features.js';

/** How each bar feature is read from a bar (NaN where the source has no such field). */
export const BAR_FIELDS: Record<string, (b: Bar) => number> = {
  open: (b) => b.open,
  close: (b) => b.close,
  high: (b) => b.high,
  low: (b) => b.low,
  volume: (b) => b.volume,
  trade_count: (b) => b.tradeCount ?? NaN,
  vwap: (b) => b.vwap ?? NaN,
};

/** Builds the long-format batch of bar features and time features for a set of bars. */
export function barsToBatch(
  barsBySymbol: Map<string, Bar[]>,
  barFeatures: string[],
  timeFeatures: string[],
  timeFrame: TimeFrame,
  updatedAt: Date,
): FeatureBatch {
  let n = 0;
  for (const bars of barsBySymbol.values()) n += bars.length;
  const symbols: string[] = new Array(n);
  const dates: string[] = new Array(n);
  const timestamps = new Float64Array(n);
  const values = new Map<string, Float64Array>();
  for (const f of [...barFeatures, ...timeFeatures]) values.set(f, new Float64Array(n));
  const barCols = barFeatures.map((f) => [BAR_FIELDS[f]!, values.get(f)!] as const);
  const timeCols = timeFeatures.map((f) => [f, values.get(f)!] as const);
  // bars of many symbols share timestamps: compute each timestamp's date and time features once
  const perTimestamp = new Map<number, { date: string; time: number[] }>();
  let i = 0;
  for (const [symbol, bars] of barsBySymbol) {
    for (const bar of bars) {
      const t = bar.timestamp.getTime();
      let cached = perTimestamp.get(t);
      if (!cached) {
        cached = { date: nyDate(bar.timestamp), time: timeFeatures.map((f) => timeFeatureValue(f, bar.timestamp, timeFrame)) };
        perTimestamp.set(t, cached);
      }
      symbols[i] = symbol;
      timestamps[i] = t;
      dates[i] = cached.date;
      for (const [get, col] of barCols) col[i] = get(bar);
      for (let k = 0; k < timeCols.length; k++) timeCols[k]![1][i] = cached.time[k]!;
      i++;
    }
  }
  return { timeFrame: formatTimeFrame(timeFrame), symbols, timestamps, dates, values, updatedAt };
}

/**
 * Builds daily `surprise` / `is_earnings_day` rows for every symbol and trading day given (0.0 / false on days
 * without earnings; a known earnings day with an unknown surprise stores NaN, never a made-up zero).
 */
export function earningsToBatch(
  symbols: string[],
  tradingDays: string[],
  events: EarningsEvent[],
  features: string[],
  updatedAt: Date,
): FeatureBatch {
  const byKey = new Map(events.map((e) => [`${e.symbol}|${e.date}`, e]));
  const n = symbols.length * tradingDays.length;
  const outSymbols: string[] = new Array(n);
  const dates: string[] = new Array(n);
  const timestamps = new Float64Array(n);
  const surprise = new Float64Array(n);
  const isEarnings = new Float64Array(n);
  const midnight = new Map(tradingDays.map((d) => [d, nyMidnightUtc(d).getTime()]));
  let i = 0;
  for (const symbol of symbols) {
    for (const day of tradingDays) {
      const event = byKey.get(`${symbol}|${day}`);
      outSymbols[i] = symbol;
      dates[i] = day;
      timestamps[i] = midnight.get(day)!;
      surprise[i] = event ? (event.surprise ?? NaN) : 0;
      isEarnings[i] = event ? 1 : 0;
      i++;
    }
  }
  const values = new Map<string, Float64Array>();
  if (features.includes('surprise')) values.set('surprise', surprise);
  if (features.includes('is_earnings_day')) values.set('is_earnings_day', isEarnings);
  return { timeFrame: '1Day', symbols: outSymbols, timestamps, dates, values, updatedAt };
}
