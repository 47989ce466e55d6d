import type { FeatureValueType } from './types.js';

/** Where a feature's values come from during a backfill. */
export type FeatureOrigin = 'bars' | 'earnings' | 'time';

/** Static facts about one feature the store knows how to backfill. */
export interface FeatureSpec {
  name: string;
  type: FeatureValueType;
  origin: FeatureOrigin;
  /** Only meaningful for intraday time frames (hour_of_day, minute_of_day). */
  intradayOnly?: boolean;
}

const SPECS: FeatureSpec[] = [
  { name: 'open', type: 'float', origin: 'bars' },
  { name: 'close', type: 'float', origin: 'bars' },
  { name: 'high', type: 'float', origin: 'bars' },
  { name: 'low', type: 'float', origin: 'bars' },
  { name: 'volume', type: 'float', origin: 'bars' },
  { name: 'trade_count', type: 'float', origin: 'bars' },
  { name: 'vwap', type: 'float', origin: 'bars' },
  { name: 'surprise', type: 'float', origin: 'earnings' },
  { name: 'is_earnings_day', type: 'bool', origin: 'earnings' },
  { name: 'year', type: 'int', origin: 'time' },
  { name: 'month', type: 'int', origin: 'time' },
  { name: 'day_of_month', type: 'int', origin: 'time' },
  { name: 'day_of_week', type: 'int', origin: 'time' },
  { name: 'hour_of_day', type: 'int', origin: 'time', intradayOnly: true },
  { name: 'minute_of_day', type: 'int', origin: 'time', intradayOnly: true },
];

const BY_NAME = new Map(SPECS.map((s) => [s.name, s]));

/** Every feature name stockcast can backfill, in catalog order. */
export const FEATURE_NAMES: readonly string[] = SPECS.map((s) => s.name);

/** Looks up a feature, throwing an error that lists the valid names when it is unknown. */
export function featureSpec(name: string): FeatureSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new Error(`unknown feature "${name}": valid features are ${FEATURE_NAMES.join(', ')}`);
  return spec;
}

/** True when `name` is a known feature. */
export function isKnownFeature(name: string): boolean {
  return BY_NAME.has(name);
}
