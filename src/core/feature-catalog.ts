import type { FeatureValueType } from './types.js';

/** Where a feature's values come from during a backfill. */
export type FeatureOrigin = 'bars' | 'earnings' | 'time';

/**
 * How the dataset feeds a feature to the TFT (pytorch-forecasting's variable classes, as the seed assigns them):
 * a known categorical is known for future steps too (calendar, earnings day); an unknown real only up to now.
 */
export type DatasetRole = 'knownCategorical' | 'unknownReal';

/** Static facts about one feature the store knows how to backfill. */
export interface FeatureSpec {
  name: string;
  type: FeatureValueType;
  origin: FeatureOrigin;
  role: DatasetRole;
  /** Scaled as log1p before standardisation: a raw scale that spans orders of magnitude (volume, trade count). */
  logScaled?: boolean;
  /** Only meaningful for intraday time frames (hour_of_day, minute_of_day). */
  intradayOnly?: boolean;
}

// Catalog order is the order the dataset lists each role's variables in (so it fixes parameter order: keep it).
const SPECS: FeatureSpec[] = [
  { name: 'open', type: 'float', origin: 'bars', role: 'unknownReal' },
  { name: 'close', type: 'float', origin: 'bars', role: 'unknownReal' },
  { name: 'high', type: 'float', origin: 'bars', role: 'unknownReal' },
  { name: 'low', type: 'float', origin: 'bars', role: 'unknownReal' },
  { name: 'trade_count', type: 'float', origin: 'bars', role: 'unknownReal', logScaled: true },
  { name: 'volume', type: 'float', origin: 'bars', role: 'unknownReal', logScaled: true },
  { name: 'vwap', type: 'float', origin: 'bars', role: 'unknownReal' },
  { name: 'surprise', type: 'float', origin: 'earnings', role: 'unknownReal' },
  { name: 'year', type: 'int', origin: 'time', role: 'knownCategorical' },
  { name: 'month', type: 'int', origin: 'time', role: 'knownCategorical' },
  { name: 'day_of_month', type: 'int', origin: 'time', role: 'knownCategorical' },
  { name: 'day_of_week', type: 'int', origin: 'time', role: 'knownCategorical' },
  { name: 'hour_of_day', type: 'int', origin: 'time', role: 'knownCategorical', intradayOnly: true },
  { name: 'minute_of_day', type: 'int', origin: 'time', role: 'knownCategorical', intradayOnly: true },
  { name: 'is_earnings_day', type: 'bool', origin: 'earnings', role: 'knownCategorical' },
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

/** The features of `names` with a dataset role, in catalog order (unknown names are left out). */
export function featuresWithRole(names: readonly string[], role: DatasetRole): string[] {
  return SPECS.filter((s) => s.role === role && names.includes(s.name)).map((s) => s.name);
}

/** True when any of the features comes from earnings reports (a backfill then needs an earnings source). */
export function needsEarnings(names: readonly string[]): boolean {
  return names.some((n) => BY_NAME.get(n)?.origin === 'earnings');
}
