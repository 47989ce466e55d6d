/**
 * The equivalent of pytorch-forecasting's TimeSeriesDataSet as the seed uses it: one series per symbol,
 * time_idx = dense rank of timestamps, windows of encoder + decoder length over time_idx with missing timesteps
 * forward-filled (allow_missing_timesteps), known categoricals, unknown reals, encoders and scalers fitted on
 * training rows only, and a per-window encoder normalizer for the target.
 */
import type { WideFrame } from '../core/wide-frame.js';
import { symbolRowRanges } from '../core/wide-frame.js';
import { nyDate, nyParts } from '../core/ny-time.js';
import { timeFeatureFromParts } from '../features/time-features.js';
import type { TftBatch, TftInputSpec } from './tft-batch.js';
import {
  cardinality, categoricalLookup, embeddingSize, encoderNormalization, fitCategorical, fitStandard,
  type CategoricalEncoder, type StandardScaler,
} from './preprocessing.js';

/** Known categoricals and unknown reals, as the seed classifies its features. */
export const KNOWN_CATEGORICALS = ['year', 'month', 'day_of_month', 'day_of_week', 'hour_of_day', 'minute_of_day', 'is_earnings_day'];
export const UNKNOWN_REALS = ['open', 'close', 'high', 'low', 'trade_count', 'volume', 'vwap', 'surprise'];
const TIME_FEATURES = new Set(['year', 'month', 'day_of_month', 'day_of_week', 'hour_of_day', 'minute_of_day']);

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
  /** [rows] 1 where the row was in the data, 0 where a missing timestep was forward-filled. */
  present: Uint8Array;
}

/** Windows as parallel typed arrays: series index and first dense row offset within the series. */
export interface WindowIndex {
  series: Int32Array;
  start: Int32Array;
  length: number;
}

/** Which windows: the seed's training, validation and test splits, or the latest window per series for live forecasts. */
export type Split = 'train' | 'val' | 'test';

/** The fitted dataset: a spec for the model plus batch building. */
export class TimeSeriesDataset {
  private readonly catNames: string[];
  private readonly realNames: string[];
  private readonly targetReal: number;

  private constructor(readonly state: DatasetState) {
    this.catNames = state.categoricals.map((c) => c.name);
    this.realNames = state.reals.map((r) => r.name);
    this.targetReal = this.realNames.indexOf(state.targetIsLogReturn ? '__target__' : state.targetColumn);
  }

  /** Fits encoders and scalers on the training rows of a wide frame. */
  static fit(frame: WideFrame, cfg: DatasetConfig): TimeSeriesDataset {
    const targetColumn = cfg.target.replace('log_return_', '');
    const targetIsLogReturn = cfg.target.startsWith('log_return_');
    if (!frame.columns.has(targetColumn)) throw new Error(`the target ${targetColumn} is not in the data (features: ${[...frame.columns.keys()].join(', ')})`);
    const unknown = cfg.features.filter((f) => !KNOWN_CATEGORICALS.includes(f) && !UNKNOWN_REALS.includes(f));
    if (unknown.length) throw new Error(`features ${unknown.join(', ')} are neither known categoricals nor unknown reals`);
    const missing = cfg.features.filter((f) => !frame.columns.has(f));
    if (missing.length) throw new Error(`the data has no column for feature(s) ${missing.join(', ')}: backfill them first`);
    const trainRows: number[] = [];
    for (let i = 0; i < frame.length; i++) {
      const d = nyDate(new Date(frame.timestamps[i]!));
      if (d >= cfg.trainStart && d < cfg.trainEnd) trainRows.push(i);
    }
    if (trainRows.length === 0) throw new Error(`no rows between train_start ${cfg.trainStart} and train_end ${cfg.trainEnd}`);
    const values = function* (col: Float64Array) {
      for (const i of trainRows) yield col[i]!;
    };
    const categoricals = KNOWN_CATEGORICALS.filter((f) => cfg.features.includes(f)).map((name) => ({ name, encoder: fitCategorical(values(frame.columns.get(name)!)) }));
    const realList = UNKNOWN_REALS.filter((f) => cfg.features.includes(f) || (!targetIsLogReturn && f === targetColumn));
    const reals: DatasetState['reals'] = realList.map((name) => ({
      name,
      // the target's own input column is normalized per window, like the target
      scaler: !targetIsLogReturn && name === targetColumn ? null : fitStandard(values(transformReal(name, frame.columns.get(name)!))),
    }));
    if (targetIsLogReturn) reals.push({ name: '__target__', scaler: null });
    return new TimeSeriesDataset({ ...cfg, version: 1, categoricals, reals, targetColumn, targetIsLogReturn });
  }

  /** Rebuilds a fitted dataset from its JSON state (from a model artifact). */
  static fromState(state: DatasetState): TimeSeriesDataset {
    if (state.version !== 1) throw new Error(`unsupported dataset state version ${String(state.version)}`);
    return new TimeSeriesDataset(state);
  }

  /** The sizes the model is built from. */
  spec(): TftInputSpec {
    return {
      encoderLength: this.state.encoderLength,
      decoderLength: this.state.decoderLength,
      categoricals: this.state.categoricals.map((c) => {
        const n = cardinality(c.encoder);
        return { name: c.name, cardinality: n, embeddingSize: embeddingSize(n), known: true };
      }),
      reals: this.state.reals.map((r) => ({ name: r.name, known: false })),
      staticCategoricals: [],
      staticReals: [],
      quantiles: this.state.quantiles,
      targetTransform: this.state.targetIsLogReturn ? 'identity' : 'log',
    };
  }

  /** Encodes, scales and gap-fills a wide frame (fitted state unchanged). */
  prepare(frame: WideFrame): PreparedData {
    const distinct = Float64Array.from(new Set(frame.timestamps)).sort();
    const idxOf = new Map<number, number>();
    distinct.forEach((t, i) => idxOf.set(t, i));
    const dates = Array.from(distinct, (t) => nyDate(new Date(t)));
    const ranges = symbolRowRanges(frame);
    const nS = frame.symbols.length;
    const seriesOffset = new Int32Array(nS);
    const seriesFirstIdx = new Int32Array(nS);
    const seriesLength = new Int32Array(nS);
    let rows = 0;
    ranges.forEach(([a, b], s) => {
      seriesOffset[s] = rows;
      if (b <= a) return;
      const first = idxOf.get(frame.timestamps[a]!)!;
      const last = idxOf.get(frame.timestamps[b - 1]!)!;
      seriesFirstIdx[s] = first;
      seriesLength[s] = last - first + 1;
      rows += last - first + 1;
    });
    const nCat = this.catNames.length;
    const nReal = this.realNames.length;
    const categorical = new Int32Array(rows * nCat);
    const reals = new Float32Array(rows * nReal);
    const target = new Float32Array(rows).fill(NaN);
    const presence = new Uint8Array(rows);
    const lookups = this.state.categoricals.map((c) => categoricalLookup(c.encoder));
    const catCols = this.catNames.map((n) => frame.columns.get(n)!);
    const realCols = this.state.reals.map((r) => (r.name === '__target__' ? undefined : transformReal(r.name, frame.columns.get(r.name)!)));
    const targetCol = frame.columns.get(this.state.targetColumn)!;
    const timeParts = new Map<number, ReturnType<typeof nyParts>>();
    ranges.forEach(([a, b], s) => {
      let src = a;
      for (let k = 0; k < seriesLength[s]!; k++) {
        const tidx = seriesFirstIdx[s]! + k;
        const row = seriesOffset[s]! + k;
        const present = src < b && idxOf.get(frame.timestamps[src]!) === tidx;
        const from = present ? src : src - 1; // a missing step copies the previous row (forward fill)
        for (let c = 0; c < nCat; c++) {
          const name = this.catNames[c]!;
          let v = catCols[c]![from]!;
          if (!present && TIME_FEATURES.has(name)) v = timeFeatureOf(name, distinct[tidx]!, timeParts);
          if (!present && name === 'is_earnings_day') v = 0;
          categorical[row * nCat + c] = lookups[c]!(v);
        }
        const raw = targetCol[from]!;
        for (let r = 0; r < nReal; r++) {
          const sc = this.state.reals[r]!.scaler;
          const col = realCols[r];
          let v: number;
          if (!col) v = NaN;
          else if (!present && this.realNames[r] === 'surprise') v = 0;
          else v = col[from]!;
          reals[row * nReal + r] = sc ? (Number.isFinite(v) ? (v - sc.mean) / sc.std : 0) : v;
        }
        target[row] = raw;
        presence[row] = present ? 1 : 0;
        if (present) src++;
      }
      if (this.state.targetIsLogReturn) {
        // log return of the target column; its first row has none
        for (let k = seriesLength[s]! - 1; k >= 0; k--) {
          const row = seriesOffset[s]! + k;
          const ret = k > 0 ? Math.log(target[row]! / target[row - 1]!) : NaN;
          reals[row * nReal + this.targetReal] = ret;
          target[row] = ret;
        }
      }
    });
    return { symbols: frame.symbols, times: distinct, dates, seriesOffset, seriesFirstIdx, seriesLength, categorical, reals, target, present: presence };
  }

  /** The windows of a split, by the seed's rules (exclusive date ends; validation/test decoders start after the previous split). */
  windows(data: PreparedData, split: Split): WindowIndex {
    const { trainStart, trainEnd, valEnd, testEnd, encoderLength: Te, decoderLength: Td } = this.state;
    const lastIdxBefore = (date: string) => {
      let i = -1;
      while (i + 1 < data.dates.length && data.dates[i + 1]! < date) i++;
      return i;
    };
    const firstIdxFrom = (date: string) => lastIdxBefore(date) + 1;
    const trainLast = lastIdxBefore(trainEnd);
    const valLast = lastIdxBefore(valEnd);
    const bounds: Record<Split, [minStart: number, minDecoder: number, maxEnd: number]> = {
      train: [firstIdxFrom(trainStart), 0, trainLast],
      val: [0, trainLast + 1, valLast],
      test: [0, valLast + 1, lastIdxBefore(testEnd)],
    };
    const [minStart, minDecoder, maxEnd] = bounds[split];
    return this.collectWindows(data, (startIdx) => startIdx >= minStart && startIdx + Te >= minDecoder && startIdx + Te + Td - 1 <= maxEnd);
  }

  /** Every window of every series whose first time_idx passes `accept` and whose decoder has a usable target. */
  private collectWindows(data: PreparedData, accept: (startIdx: number) => boolean): WindowIndex {
    const T = this.state.encoderLength + this.state.decoderLength;
    const log = !this.state.targetIsLogReturn;
    const series: number[] = [];
    const start: number[] = [];
    for (let s = 0; s < data.symbols.length; s++) {
      const n = data.seriesLength[s]!;
      const off = data.seriesOffset[s]!;
      for (let k = 0; k + T <= n; k++) {
        if (!accept(data.seriesFirstIdx[s]! + k)) continue;
        if (!this.validTarget(data, off + k, T, log)) continue;
        series.push(s);
        start.push(k);
      }
    }
    return { series: Int32Array.from(series), start: Int32Array.from(start), length: series.length };
  }

  /**
   * A window needs a real (not forward-filled) and usable target on every decoder step (positive for a
   * log-normalized price): a filled-in target would train and score the model on made-up values.
   */
  private validTarget(data: PreparedData, from: number, T: number, log: boolean): boolean {
    for (let i = from + this.state.encoderLength; i < from + T; i++) {
      const v = data.target[i]!;
      if (!data.present[i] || !Number.isFinite(v) || (log && !(v > 0))) return false;
    }
    return true;
  }

  /** Fills a batch from windows `order[from..to)` into fresh typed arrays (no per-sample objects). */
  buildBatch(data: PreparedData, windows: WindowIndex, order: ArrayLike<number>, from: number, to: number): TftBatch {
    const B = to - from;
    const Te = this.state.encoderLength;
    const Td = this.state.decoderLength;
    const T = Te + Td;
    const nCat = this.catNames.length;
    const nReal = this.realNames.length;
    const batch = allocateBatch(B, Te, Td, nCat, nReal);
    const log = !this.state.targetIsLogReturn;
    const tr = this.targetReal;
    for (let i = 0; i < B; i++) {
      const w = order[from + i]!;
      const s = windows.series[w]!;
      const row0 = data.seriesOffset[s]! + windows.start[w]!;
      batch.categorical.set(data.categorical.subarray(row0 * nCat, (row0 + T) * nCat), i * T * nCat);
      batch.reals.set(data.reals.subarray(row0 * nReal, (row0 + T) * nReal), i * T * nReal);
      const norm = normalizeWindowTarget(batch, i, data.target, row0, Te, T, nReal, tr, log);
      for (let t = 0; t < Td; t++) {
        const raw = data.target[row0 + Te + t]!;
        batch.targetRaw[i * Td + t] = raw;
        batch.target[i * Td + t] = norm(raw);
      }
      batch.seriesIndex[i] = s;
      batch.decoderStartIdx[i] = data.seriesFirstIdx[s]! + windows.start[w]! + Te;
    }
    return batch;
  }
}

/**
 * Live forecasting: the latest window of every series whose data reaches `asOfIdx` (default: the last time_idx),
 * with the decoder on the future times given (known categoricals computed from those timestamps; earnings
 * days unknown, so 0). Targets are NaN: nothing after the encoder is known.
 */
export function buildLatestBatch(ds: TimeSeriesDataset, data: PreparedData, futureTimes: number[], asOfIdx = data.times.length - 1): { batch: TftBatch; series: number[] } {
  const st = ds.state;
  const Te = st.encoderLength;
  const Td = st.decoderLength;
  if (futureTimes.length !== Td) throw new Error(`expected ${Td} future times, got ${futureTimes.length}`);
  const series: number[] = [];
  const starts: number[] = [];
  for (let s = 0; s < data.symbols.length; s++) {
    const last = data.seriesFirstIdx[s]! + data.seriesLength[s]! - 1;
    const k = asOfIdx - data.seriesFirstIdx[s]! - Te + 1;
    if (last >= asOfIdx && k >= 0 && data.present[data.seriesOffset[s]! + k + Te - 1]) {
      series.push(s);
      starts.push(k);
    }
  }
  const B = series.length;
  const T = Te + Td;
  const cats = st.categoricals;
  const nCat = cats.length;
  const nReal = st.reals.length;
  const lookups = cats.map((c) => categoricalLookup(c.encoder));
  const timeParts = new Map<number, ReturnType<typeof nyParts>>();
  const batch = allocateBatch(B, Te, Td, nCat, nReal);
  batch.target.fill(NaN);
  batch.targetRaw.fill(NaN);
  batch.seriesIndex.set(series);
  batch.decoderStartIdx.fill(asOfIdx + 1);
  const log = !st.targetIsLogReturn;
  const tr = st.reals.findIndex((r) => r.name === (st.targetIsLogReturn ? '__target__' : st.targetColumn));
  series.forEach((s, i) => {
    const row0 = data.seriesOffset[s]! + starts[i]!;
    batch.categorical.set(data.categorical.subarray(row0 * nCat, (row0 + Te) * nCat), i * T * nCat);
    batch.reals.set(data.reals.subarray(row0 * nReal, (row0 + Te) * nReal), i * T * nReal);
    for (let h = 0; h < Td; h++) {
      cats.forEach((c, k) => {
        const v = c.name === 'is_earnings_day' ? 0 : timeFeatureOf(c.name, futureTimes[h]!, timeParts);
        batch.categorical[i * T * nCat + (Te + h) * nCat + k] = lookups[k]!(v);
      });
    }
    normalizeWindowTarget(batch, i, data.target, row0, Te, T, nReal, tr, log);
  });
  return { batch, series };
}

/** Zero-filled typed arrays for a batch of B windows. */
function allocateBatch(B: number, Te: number, Td: number, nCat: number, nReal: number): TftBatch {
  const T = Te + Td;
  return {
    size: B,
    categorical: new Int32Array(B * T * nCat),
    reals: new Float32Array(B * T * nReal),
    staticCategorical: new Int32Array(0),
    staticReals: new Float32Array(0),
    encoderLengths: new Int32Array(B).fill(Te),
    target: new Float32Array(B * Td),
    targetScale: new Float32Array(B * 2),
    targetRaw: new Float32Array(B * Td),
    seriesIndex: new Int32Array(B),
    decoderStartIdx: new Int32Array(B),
  };
}

/**
 * Fits window i's encoder normalizer, stores (center, scale), and normalizes the target's own input column
 * (encoder steps; decoder steps are unknown and zeroed). Returns the normalizing function for the targets.
 */
function normalizeWindowTarget(batch: TftBatch, i: number, target: Float32Array, row0: number, Te: number, T: number, nReal: number, tr: number, log: boolean): (v: number) => number {
  const { center, scale } = encoderNormalization(target, row0, row0 + Te, log);
  batch.targetScale[i * 2] = center;
  batch.targetScale[i * 2 + 1] = scale;
  const norm = (v: number) => ((log ? Math.log(Math.max(v, 1e-8)) : v) - center) / scale;
  if (tr >= 0) {
    for (let t = 0; t < T; t++) {
      const j = i * T * nReal + t * nReal + tr;
      const v = batch.reals[j]!;
      batch.reals[j] = t < Te && Number.isFinite(v) ? norm(v) : 0;
    }
  }
  return norm;
}

/** Volume-like reals are log1p-scaled before standardisation (their raw scale spans orders of magnitude). */
function transformReal(name: string, col: Float64Array): Float64Array {
  if (name !== 'volume' && name !== 'trade_count') return col;
  return col.map((v) => (Number.isFinite(v) ? Math.log1p(Math.max(v, 0)) : v));
}

function timeFeatureOf(name: string, t: number, cache: Map<number, ReturnType<typeof nyParts>>): number {
  let p = cache.get(t);
  if (!p) {
    p = nyParts(new Date(t));
    cache.set(t, p);
  }
  return timeFeatureFromParts(name, p);
}
