/** The records the dataset modules pass between them: config, fitted state, prepared arrays and window index. */
import type { CategoricalEncoder, StandardScaler } from './preprocessing.js';

/** What the dataset is built from (a model config's dataset part). Date bounds are exclusive ends. */
export interface DatasetConfig {
  features: string[];
  target: 'open' | 'close' | 'log_return_open' | 'log_return_close';
  encoderLength: number;
  decoderLength: number;
  quantiles: number[];
  trainStart: string;
  trainEnd: string;
  valEnd: string;
  testEnd: string;
}

/** Everything fitted, as JSON: enough to rebuild identical batches at inference with nothing but the artifact. */
export interface DatasetState extends DatasetConfig {
  version: 1;
  categoricals: Array<{ name: string; encoder: CategoricalEncoder }>;
  reals: Array<{ name: string; scaler: StandardScaler | null }>;
  /** Column holding the raw target values (open/close). */
  targetColumn: string;
  targetIsLogReturn: boolean;
}

/** The real input holding the target's own history (normalized per window like the target). */
export const LOG_RETURN_TARGET = '__target__';

/** Encoded, scaled, gap-filled series in typed arrays; windows index into them. */
export interface PreparedData {
  symbols: string[];
  /** time_idx → epoch ms. */
  times: Float64Array;
  /** time_idx → New-York date. */
  dates: string[];
  /** Per series: first dense row, first time_idx, number of dense rows. */
  seriesOffset: Int32Array;
  seriesFirstIdx: Int32Array;
  seriesLength: Int32Array;
  /** [rows, nCat] codes; [rows, nReal] scaled reals (the target's own column holds raw values); [rows] raw target. */
  categorical: Int32Array;
  reals: Float32Array;
  target: Float32Array;
  /** [rows] the target column's price (open/close): the same array as `target` unless the target is its log return. */
  price: Float32Array;
  /** [rows] 1 where the row was in the data, 0 where a missing timestep was forward-filled. */
  present: Uint8Array;
}

/**
 * Values of known inputs on future decoder steps that their timestamps alone do not give (is_earnings_day, from
 * the earnings calendar's scheduled dates): feature → symbol → one value per decoder step.
 */
export type ScheduledValues = Map<string, Map<string, ArrayLike<number>>>;

/** Windows as parallel typed arrays: series index and first dense row offset within the series. */
export interface WindowIndex {
  series: Int32Array;
  start: Int32Array;
  length: number;
}

/** Which windows: the seed's training, validation and test splits. */
export type Split = 'train' | 'val' | 'test';

/** Column of the target's own input among the state's reals (−1 when the target is not an input). */
export function targetRealIndex(state: DatasetState): number {
  return state.reals.findIndex((r) => r.name === (state.targetIsLogReturn ? LOG_RETURN_TARGET : state.targetColumn));
}
