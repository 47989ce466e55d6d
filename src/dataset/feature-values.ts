/** Per-feature value rules the dataset takes from the feature catalog: input transforms and gap values. */
import { featureSpec } from '../core/feature-catalog.js';
import { nyParts, type NyParts } from '../core/ny-time.js';
import { timeFeatureFromParts } from '../features/time-features.js';

/** Cache of New-York wall-clock parts by epoch ms (many series share each timestamp). */
export type TimePartsCache = Map<number, NyParts>;

/** A real feature's column as the model sees it before scaling: log1p for log-scaled features, else unchanged. */
export function realInput(name: string, col: Float64Array): Float64Array {
  if (!featureSpec(name).logScaled) return col;
  return col.map((v) => (Number.isFinite(v) ? Math.log1p(Math.max(v, 0)) : v));
}

/**
 * True when a feature is known ahead but does not follow from the step's time: its future values come from a
 * schedule (is_earnings_day: the earnings calendar's report dates), as training saw them.
 */
export function isScheduled(name: string): boolean {
  const spec = featureSpec(name);
  return spec.role === 'knownCategorical' && spec.origin !== 'time';
}

/**
 * The value of a feature on a step the data does not have (a missing timestep, or a future decoder step):
 * calendar features follow from the step's own time, earnings features are 0 (no report known), and anything
 * else is undefined (a missing step then copies the previous row; a future step cannot be known).
 */
export function gapValue(name: string, time: number, cache: TimePartsCache): number | undefined {
  const origin = featureSpec(name).origin;
  if (origin === 'earnings') return 0;
  if (origin !== 'time') return undefined;
  let p = cache.get(time);
  if (!p) {
    p = nyParts(new Date(time));
    cache.set(time, p);
  }
  return timeFeatureFromParts(name, p);
}
