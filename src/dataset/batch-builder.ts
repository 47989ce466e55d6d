/** Batch building: windows copied into flat typed arrays, with each window's target normalized on its encoder. */
import type { TftBatch } from './tft-batch.js';
import { categoricalLookup, encoderNormalization } from './preprocessing.js';
import { targetRealIndex, type DatasetState, type PreparedData, type ScheduledValues, type WindowIndex } from './dataset-types.js';
import { gapValue, isScheduled, type TimePartsCache } from './feature-values.js';

/** Per-batch constants of a fitted state. */
interface BatchLayout {
  encoderLength: number;
  decoderLength: number;
  nCat: number;
  nReal: number;
  /** Column of the target's own input among the reals (−1 when it is not an input). */
  targetReal: number;
  /** The target is normalized in log space (a price), not as is (a log return). */
  log: boolean;
}

function layoutOf(state: DatasetState): BatchLayout {
  return {
    encoderLength: state.encoderLength,
    decoderLength: state.decoderLength,
    nCat: state.categoricals.length,
    nReal: state.reals.length,
    targetReal: targetRealIndex(state),
    log: !state.targetIsLogReturn,
  };
}

/** Fills a batch from windows `order[from..to)` into fresh typed arrays (no per-sample objects). */
export function buildBatch(state: DatasetState, data: PreparedData, windows: WindowIndex, order: ArrayLike<number>, range: { from: number; to: number }): TftBatch {
  const L = layoutOf(state);
  const { encoderLength: Te, decoderLength: Td, nCat, nReal } = L;
  const T = Te + Td;
  const batch = allocateBatch(range.to - range.from, L);
  for (let i = 0; i < batch.size; i++) {
    const w = order[range.from + i]!;
    const s = windows.series[w]!;
    const row0 = data.seriesOffset[s]! + windows.start[w]!;
    batch.categorical.set(data.categorical.subarray(row0 * nCat, (row0 + T) * nCat), i * T * nCat);
    batch.reals.set(data.reals.subarray(row0 * nReal, (row0 + T) * nReal), i * T * nReal);
    const norm = normalizeWindowTarget({ batch, index: i, target: data.target, row0, layout: L });
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

/**
 * Live forecasting: the latest window of every series whose data reaches `asOfIdx` (default: the last time_idx),
 * with the decoder on the future times given. Known categoricals of the decoder follow from those timestamps,
 * except scheduled ones (is_earnings_day), which `scheduled` must give per symbol and step, as training saw them:
 * a missing one is an error, never a silent 0. Targets are NaN: nothing after the encoder is known.
 */
export function buildLatestBatch(state: DatasetState, data: PreparedData, futureTimes: number[], o: { asOfIdx?: number; scheduled?: ScheduledValues } = {}): { batch: TftBatch; series: number[] } {
  const L = layoutOf(state);
  const { encoderLength: Te, decoderLength: Td, nCat, nReal } = L;
  if (futureTimes.length !== Td) throw new Error(`expected ${Td} future times, got ${futureTimes.length}`);
  const asOfIdx = o.asOfIdx ?? data.times.length - 1;
  const { series, starts } = latestWindows(data, Te, asOfIdx);
  const T = Te + Td;
  const future = futureCategoricals(state, futureTimes);
  const batch = allocateBatch(series.length, L);
  batch.target.fill(NaN);
  batch.targetRaw.fill(NaN);
  batch.seriesIndex.set(series);
  batch.decoderStartIdx.fill(asOfIdx + 1);
  series.forEach((s, i) => {
    const row0 = data.seriesOffset[s]! + starts[i]!;
    batch.categorical.set(data.categorical.subarray(row0 * nCat, (row0 + Te) * nCat), i * T * nCat);
    batch.reals.set(data.reals.subarray(row0 * nReal, (row0 + Te) * nReal), i * T * nReal);
    batch.categorical.set(future.shared, (i * T + Te) * nCat);
    for (const { column, name, lookup } of future.scheduled) {
      const values = o.scheduled?.get(name)?.get(data.symbols[s]!);
      for (let h = 0; h < Td; h++) {
        const v = values?.[h];
        if (v === undefined || !Number.isFinite(v)) throw new Error(`the value of ${name} for ${data.symbols[s]} on decoder step ${h + 1} is unknown: the model was trained with its real future values, so a schedule (the earnings calendar) must give it`);
        batch.categorical[(i * T + Te + h) * nCat + column] = lookup(v);
      }
    }
    normalizeWindowTarget({ batch, index: i, target: data.target, row0, layout: L });
  });
  return { batch, series };
}

/** Series whose data reaches `asOfIdx` with a real row there, and the start of their window ending at it. */
function latestWindows(data: PreparedData, Te: number, asOfIdx: number): { series: number[]; starts: number[] } {
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
  return { series, starts };
}

/**
 * Encoded known categoricals of the future decoder steps [Td, nCat] that follow from the timestamps (the same for
 * every series), and the columns of the scheduled ones, which each series fills from its schedule.
 */
function futureCategoricals(state: DatasetState, futureTimes: number[]): { shared: Int32Array; scheduled: Array<{ column: number; name: string; lookup: (v: number) => number }> } {
  const cats = state.categoricals;
  const lookups = cats.map((c) => categoricalLookup(c.encoder));
  const cache: TimePartsCache = new Map();
  const shared = new Int32Array(futureTimes.length * cats.length);
  const scheduled = cats.flatMap((c, k) => (isScheduled(c.name) ? [{ column: k, name: c.name, lookup: lookups[k]! }] : []));
  futureTimes.forEach((t, h) =>
    cats.forEach((c, k) => {
      if (isScheduled(c.name)) return;
      const v = gapValue(c.name, t, cache);
      if (v === undefined) throw new Error(`the future value of the known categorical ${c.name} is unknown`);
      shared[h * cats.length + k] = lookups[k]!(v);
    }),
  );
  return { shared, scheduled };
}

/** Zero-filled typed arrays for a batch of B windows. */
function allocateBatch(B: number, L: BatchLayout): TftBatch {
  const T = L.encoderLength + L.decoderLength;
  return {
    size: B,
    categorical: new Int32Array(B * T * L.nCat),
    reals: new Float32Array(B * T * L.nReal),
    staticCategorical: new Int32Array(0),
    staticReals: new Float32Array(0),
    encoderLengths: new Int32Array(B).fill(L.encoderLength),
    target: new Float32Array(B * L.decoderLength),
    targetScale: new Float32Array(B * 2),
    targetRaw: new Float32Array(B * L.decoderLength),
    seriesIndex: new Int32Array(B),
    decoderStartIdx: new Int32Array(B),
  };
}

/** One window of a batch whose target is to be normalized: its position, and its first row in the prepared target. */
interface WindowTarget {
  batch: TftBatch;
  index: number;
  target: Float32Array;
  row0: number;
  layout: BatchLayout;
}

/**
 * Fits the window's encoder normalizer, stores (center, scale), and normalizes the target's own input column
 * (encoder steps; decoder steps are unknown and zeroed). Returns the normalizing function for the targets.
 */
function normalizeWindowTarget(w: WindowTarget): (v: number) => number {
  const { batch, index: i, layout: L } = w;
  const { center, scale } = encoderNormalization(w.target, w.row0, w.row0 + L.encoderLength, L.log);
  batch.targetScale[i * 2] = center;
  batch.targetScale[i * 2 + 1] = scale;
  const norm = (v: number) => ((L.log ? Math.log(Math.max(v, 1e-8)) : v) - center) / scale;
  if (L.targetReal >= 0) {
    const T = L.encoderLength + L.decoderLength;
    for (let t = 0; t < T; t++) {
      const j = i * T * L.nReal + t * L.nReal + L.targetReal;
      const v = batch.reals[j]!;
      batch.reals[j] = t < L.encoderLength && Number.isFinite(v) ? norm(v) : 0;
    }
  }
  return norm;
}
