import type { FeatureValueType } from './types.js';

/**
 * Where a feature's values come from during a backfill. `market` features are index series shared by every
 * symbol on a date (VIX, the universe's equal-weight return): stored once under `MARKET_SYMBOL`, joined by date.
 */
export type FeatureOrigin = 'bars' | 'earnings' | 'time' | 'market';

/** The reserved symbol market-wide features are stored under (never a tradable ticker: `$` is not allowed in one). */
export const MARKET_SYMBOL = '$MARKET';

/**
 * When in its day a value becomes known: at the `open`, at the `close`, or in advance (`calendar`: dates and
 * scheduled earnings). A model that decides at the open (target `open`) must not read same-day `close` features.
 */
export type ObservedAt = 'open' | 'close' | 'calendar';

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
  /** When in the day the value is known (daily bars); absent where it does not apply (surprise: depends on the report's time). */
  observedAt?: ObservedAt;
}

// Catalog order is the order the dataset lists each role's variables in (so it fixes parameter order: keep it).
const SPECS: FeatureSpec[] = [
  { name: 'open', type: 'float', origin: 'bars', role: 'unknownReal', observedAt: 'open' },
  { name: 'close', type: 'float', origin: 'bars', role: 'unknownReal', observedAt: 'close' },
  { name: 'high', type: 'float', origin: 'bars', role: 'unknownReal', observedAt: 'close' },
  { name: 'low', type: 'float', origin: 'bars', role: 'unknownReal', observedAt: 'close' },
  { name: 'trade_count', type: 'float', origin: 'bars', role: 'unknownReal', logScaled: true, observedAt: 'close' },
  { name: 'volume', type: 'float', origin: 'bars', role: 'unknownReal', logScaled: true, observedAt: 'close' },
  { name: 'vwap', type: 'float', origin: 'bars', role: 'unknownReal', observedAt: 'close' },
  { name: 'surprise', type: 'float', origin: 'earnings', role: 'unknownReal' },
  { name: 'year', type: 'int', origin: 'time', role: 'knownCategorical', observedAt: 'calendar' },
  { name: 'month', type: 'int', origin: 'time', role: 'knownCategorical', observedAt: 'calendar' },
  { name: 'day_of_month', type: 'int', origin: 'time', role: 'knownCategorical', observedAt: 'calendar' },
  { name: 'day_of_week', type: 'int', origin: 'time', role: 'knownCategorical', observedAt: 'calendar' },
  { name: 'hour_of_day', type: 'int', origin: 'time', role: 'knownCategorical', intradayOnly: true, observedAt: 'calendar' },
  { name: 'minute_of_day', type: 'int', origin: 'time', role: 'knownCategorical', intradayOnly: true, observedAt: 'calendar' },
  { name: 'is_earnings_day', type: 'bool', origin: 'earnings', role: 'knownCategorical', observedAt: 'calendar' },
  // market covariates: one series for all symbols, observed (not known ahead), so unknown reals
  { name: 'vix_open', type: 'float', origin: 'market', role: 'unknownReal', observedAt: 'open' },
  { name: 'vix_close', type: 'float', origin: 'market', role: 'unknownReal', observedAt: 'close' },
  { name: 'market_open_return', type: 'float', origin: 'market', role: 'unknownReal', observedAt: 'open' },
  { name: 'market_close_return', type: 'float', origin: 'market', role: 'unknownReal', observedAt: 'close' },
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

/** True when the feature is a market-wide series (stored once under MARKET_SYMBOL, joined into every symbol by date). */
export function isMarketFeature(name: string): boolean {
  return BY_NAME.get(name)?.origin === 'market';
}
