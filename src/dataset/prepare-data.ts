/** Preparing: a wide frame encoded, scaled and gap-filled with a fitted state (the state never changes here). */
import type { WideFrame } from '../core/wide-frame.js';
import { symbolRowRanges } from '../core/wide-frame.js';
import { nyDate } from '../core/ny-time.js';
import { categoricalLookup } from './preprocessing.js';
import { LOG_RETURN_TARGET, targetRealIndex, type DatasetState, type PreparedData } from './dataset-types.js';
import { gapValue, realInput, type TimePartsCache } from './feature-values.js';

/** Dense rows per series: one per time_idx from its first to its last timestamp (time_idx = dense rank of timestamps). */
interface SeriesLayout {
  distinct: Float64Array;
  idxOf: Map<number, number>;
  ranges: Array<[number, number]>;
  seriesOffset: Int32Array;
  seriesFirstIdx: Int32Array;
  seriesLength: Int32Array;
  rows: number;
}

/** Encodes, scales and gap-fills a wide frame; a missing timestep copies the row before it (forward fill). */
export function prepareData(state: DatasetState, frame: WideFrame): PreparedData {
  const layout = seriesLayout(frame);
  const { distinct, idxOf, ranges, seriesOffset, seriesFirstIdx, seriesLength, rows } = layout;
  const nCat = state.categoricals.length;
  const nReal = state.reals.length;
  const categorical = new Int32Array(rows * nCat);
  const reals = new Float32Array(rows * nReal);
  const target = new Float32Array(rows).fill(NaN);
  const presence = new Uint8Array(rows);
  // a log-return target keeps its prices beside the returns: forecasts are mapped back to them
  const price = state.targetIsLogReturn ? new Float32Array(rows).fill(NaN) : target;
  const lookups = state.categoricals.map((c) => categoricalLookup(c.encoder));
  const catCols = state.categoricals.map((c) => frame.columns.get(c.name)!);
  const realCols = state.reals.map((r) => (r.name === LOG_RETURN_TARGET ? undefined : realInput(r.name, frame.columns.get(r.name)!)));
  const targetCol = frame.columns.get(state.targetColumn)!;
  const timeParts: TimePartsCache = new Map();
  ranges.forEach(([a, b], s) => {
    let src = a;
    for (let k = 0; k < seriesLength[s]!; k++) {
      const tidx = seriesFirstIdx[s]! + k;
      const row = seriesOffset[s]! + k;
      const present = src < b && idxOf.get(frame.timestamps[src]!) === tidx;
      const from = present ? src : src - 1;
      for (let c = 0; c < nCat; c++) {
        const v = present ? catCols[c]![from]! : (gapValue(state.categoricals[c]!.name, distinct[tidx]!, timeParts) ?? catCols[c]![from]!);
        categorical[row * nCat + c] = lookups[c]!(v);
      }
      for (let r = 0; r < nReal; r++) {
        const { name, scaler } = state.reals[r]!;
        const col = realCols[r];
        const v = !col ? NaN : present ? col[from]! : (gapValue(name, distinct[tidx]!, timeParts) ?? col[from]!);
        reals[row * nReal + r] = scaler ? (Number.isFinite(v) ? (v - scaler.mean) / scaler.std : 0) : v;
      }
      target[row] = targetCol[from]!;
      presence[row] = present ? 1 : 0;
      if (present) src++;
    }
    if (state.targetIsLogReturn) {
      price.set(target.subarray(seriesOffset[s]!, seriesOffset[s]! + seriesLength[s]!), seriesOffset[s]!);
      toLogReturns(state, { reals, target, row0: seriesOffset[s]!, length: seriesLength[s]!, nReal });
    }
  });
  const dates = Array.from(distinct, (t) => nyDate(new Date(t)));
  return { symbols: frame.symbols, times: distinct, dates, seriesOffset, seriesFirstIdx, seriesLength, categorical, reals, target, price, present: presence };
}

function seriesLayout(frame: WideFrame): SeriesLayout {
  const distinct = Float64Array.from(new Set(frame.timestamps)).sort();
  const idxOf = new Map<number, number>();
  distinct.forEach((t, i) => idxOf.set(t, i));
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
  return { distinct, idxOf, ranges, seriesOffset, seriesFirstIdx, seriesLength, rows };
}

/** Replaces one series' raw target (and the target's input column) by its log return; the first row has none. */
function toLogReturns(state: DatasetState, s: { reals: Float32Array; target: Float32Array; row0: number; length: number; nReal: number }): void {
  const tr = targetRealIndex(state);
  for (let k = s.length - 1; k >= 0; k--) {
    const row = s.row0 + k;
    const ret = k > 0 ? Math.log(s.target[row]! / s.target[row - 1]!) : NaN;
    s.reals[row * s.nReal + tr] = ret;
    s.target[row] = ret;
  }
}
