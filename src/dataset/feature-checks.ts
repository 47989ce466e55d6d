/**
 * Checks of a config's features against the data, at training time: features that cannot generalise from the
 * training split to the validation and test splits are found before hours are spent training on them.
 */
import type { WideFrame } from '../core/wide-frame.js';
import { nyDate } from '../core/ny-time.js';
import { featureSpec } from '../core/feature-catalog.js';
import type { DatasetConfig } from './dataset-types.js';
import { realInput } from './feature-values.js';

/** One problem of a feature: what it is, and a message naming the feature, the values and what to do. */
export interface FeatureProblem {
  feature: string;
  kind: 'unseen-categories' | 'constant-in-training' | 'look-ahead';
  /** The unseen values (categoricals) or the one value (constant reals). */
  values: number[];
  message: string;
}

/**
 * A known categorical whose validation or test values never occur in training meets the untrained "unknown"
 * embedding there (the seed's `year` does, with any split by date); a real feature that is constant (or missing)
 * on every training row teaches the model nothing. Both are reported with the feature, the values and a fix.
 */
export function checkFeatures(frame: WideFrame, cfg: DatasetConfig): FeatureProblem[] {
  const split = splitOfRows(frame, cfg);
  const problems: FeatureProblem[] = lookAhead(cfg);
  for (const feature of cfg.features) {
    const col = frame.columns.get(feature);
    if (!col) continue;
    const spec = featureSpec(feature);
    if (spec.role === 'knownCategorical') {
      const problem = unseenCategories(feature, col, split);
      if (problem) problems.push(problem);
    } else {
      const problem = constantInTraining(feature, realInput(feature, col), split);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

/**
 * A model whose target is the open decides at the open, where the strategy buys: a feature only known at that
 * day's close (close, high, low, volume, vix_close, …) tells it what happens after its own decision.
 */
function lookAhead(cfg: DatasetConfig): FeatureProblem[] {
  if (cfg.target !== 'open' && cfg.target !== 'log_return_open') return [];
  return cfg.features
    .filter((f) => featureSpec(f).observedAt === 'close')
    .map((feature) => ({
      feature,
      kind: 'look-ahead' as const,
      values: [],
      message: `feature "${feature}" is known only at the close of each day, but a model with target ${cfg.target} decides (and the strategy buys) at that day's open: it reads the future of its own decision, so backtests flatter it. Drop it, or use an open-time feature (open, vix_open, market_open_return).`,
    }));
}

/** Per row: 0 training, 1 validation or test, −1 outside the configured range. */
function splitOfRows(frame: WideFrame, cfg: DatasetConfig): Int8Array {
  const out = new Int8Array(frame.length);
  const dateOf = new Map<number, string>();
  for (let i = 0; i < frame.length; i++) {
    const t = frame.timestamps[i]!;
    let d = dateOf.get(t);
    if (d === undefined) dateOf.set(t, (d = nyDate(new Date(t))));
    out[i] = d >= cfg.trainStart && d < cfg.trainEnd ? 0 : d >= cfg.trainEnd && d < cfg.testEnd ? 1 : -1;
  }
  return out;
}

function unseenCategories(feature: string, col: Float64Array, split: Int8Array): FeatureProblem | undefined {
  const seen = new Set<number>();
  const later = new Set<number>();
  for (let i = 0; i < col.length; i++) {
    const v = col[i]!;
    if (Number.isNaN(v)) continue;
    if (split[i] === 0) seen.add(v);
    else if (split[i] === 1) later.add(v);
  }
  const unseen = [...later].filter((v) => !seen.has(v)).sort((a, b) => a - b);
  if (unseen.length === 0) return undefined;
  const trained = [...seen].sort((a, b) => a - b);
  const hint = feature === 'year' ? 'drop it, or use a relative time index (the dense time_idx the model already has) instead' : 'drop it, or train on a range that contains these values';
  return {
    feature,
    kind: 'unseen-categories',
    values: unseen,
    message:
      `feature "${feature}": its validation/test value(s) ${list(unseen)} never occur in training (training has ${list(trained)}); ` +
      `they are encoded as the "unknown" class, whose embedding is never trained, so the model's out-of-sample forecasts rest on noise. ${hint[0]!.toUpperCase()}${hint.slice(1)}.`,
  };
}

function constantInTraining(feature: string, col: Float64Array, split: Int8Array): FeatureProblem | undefined {
  let first = NaN;
  for (let i = 0; i < col.length; i++) {
    const v = col[i]!;
    if (split[i] !== 0 || !Number.isFinite(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return undefined;
  }
  const what = Number.isNaN(first) ? 'has no value on any training row' : `is constant (${first}) on every training row`;
  return {
    feature,
    kind: 'constant-in-training',
    values: Number.isNaN(first) ? [] : [first],
    message: `feature "${feature}" ${what}: the model cannot learn anything from it. Drop it, or backfill its real values for the training range.`,
  };
}

function list(values: number[]): string {
  return values.length > 12 ? `${values.slice(0, 12).join(', ')}, … (${values.length} values)` : values.join(', ');
}
