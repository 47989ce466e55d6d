/**
 * Baseline forecasters, run through the same windows as the model: each sees exactly the model's encoder window
 * (the target's last `encoderLength` values, forward-filled gaps included) and forecasts the decoder steps.
 * Quantiles come from the baseline's own empirical residuals on the training windows, so a baseline is a full
 * probabilistic forecaster whose quantile loss, coverage, IC and strategies compare with the model's.
 */
import { assertNever } from '../core/assert-never.js';

/** The baselines `evaluate`, `predict --baseline` and `walk-forward` know. */
export const BASELINE_NAMES = ['naive', 'drift', 'seasonal-naive', 'moving-average'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** Baseline settings (defaults: a trading week for the season and the average). */
export interface BaselineOptions {
  /** Trading days per season of seasonal-naive (5: the same weekday a week before). */
  season: number;
  /** Days averaged by moving-average. */
  window: number;
}

export const BASELINE_DEFAULTS: BaselineOptions = { season: 5, window: 5 };

/** The dense target series the windows index into (PreparedData's fields of the same names). */
export interface BaselineSeries {
  target: ArrayLike<number>;
  seriesOffset: ArrayLike<number>;
  seriesFirstIdx: ArrayLike<number>;
}

/** Windows: series index and first dense row of the window within its series (WindowIndex). */
export interface BaselineWindows {
  series: ArrayLike<number>;
  start: ArrayLike<number>;
  length: number;
}

/** Window shape and quantiles. */
export interface BaselineShape {
  encoderLength: number;
  decoderLength: number;
  quantiles: number[];
}

/** Forecasts of a set of windows, laid out like the model's (pred[(w·Td + h)·nQ + q]). */
export interface BaselineForecasts {
  pred: Float32Array;
  actual: Float32Array;
  current: Float32Array;
  decisionIdx: Int32Array;
  series: Int32Array;
}

/**
 * Point forecasts of steps 1…H from an encoder window `enc` (oldest first, enc[enc.length − 1] = the value at
 * decision time):
 * naive ŷ(t+h) = y(t); drift ŷ(t+h) = y(t) + h·(y(t) − y(t−L+1))/(L−1) over the window; seasonal-naive
 * ŷ(t+h) = y(t + h − m·⌈h/m⌉); moving-average ŷ(t+h) = mean of the last `window` values.
 */
export function pointForecast(name: BaselineName, enc: ArrayLike<number>, horizon: number, o: BaselineOptions = BASELINE_DEFAULTS): number[] {
  const n = enc.length;
  const last = enc[n - 1]!;
  const out: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    switch (name) {
      case 'naive':
        out.push(last);
        break;
      case 'drift':
        out.push(n > 1 ? last + (h * (last - enc[0]!)) / (n - 1) : last);
        break;
      case 'seasonal-naive': {
        const back = o.season * Math.ceil(h / o.season) - h;
        out.push(back < n ? enc[n - 1 - back]! : last);
        break;
      }
      case 'moving-average': {
        const w = Math.min(o.window, n);
        let sum = 0;
        for (let i = n - w; i < n; i++) sum += enc[i]!;
        out.push(sum / w);
        break;
      }
      default:
        assertNever(name, 'baseline');
    }
  }
  return out;
}

/** Empirical quantile with linear interpolation between order statistics (numpy's default); NaN when empty. */
export function empiricalQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Quantile offsets [step][quantile] of a baseline from its relative residuals y/ŷ − 1 on `windows` (the
 * training windows), pooled over symbols, centred on the median residual so that the p50 forecast is the
 * baseline's own point forecast: forecast_q = ŷ · (1 + offset_q).
 */
export function fitResidualOffsets(name: BaselineName, data: BaselineSeries, windows: BaselineWindows, shape: BaselineShape, o: BaselineOptions = BASELINE_DEFAULTS): number[][] {
  const { encoderLength: Te, decoderLength: Td } = shape;
  const residuals: number[][] = Array.from({ length: Td }, () => []);
  for (let w = 0; w < windows.length; w++) {
    const row0 = data.seriesOffset[windows.series[w]!]! + windows.start[w]!;
    const enc = encoderOf(data.target, row0, Te);
    if (!enc) continue;
    pointForecast(name, enc, Td, o).forEach((p, h) => {
      const y = data.target[row0 + Te + h]!;
      if (Number.isFinite(y) && p > 0) residuals[h]!.push(y / p - 1);
    });
  }
  return residuals.map((r, h) => {
    if (r.length === 0) throw new Error(`baseline ${name}: no training windows with a known outcome at step ${h + 1} to fit its quantiles on`);
    const sorted = Float64Array.from(r).sort();
    const median = empiricalQuantile(sorted, 0.5);
    return shape.quantiles.map((q) => empiricalQuantile(sorted, q) - median);
  });
}

/** A baseline's forecasts of `windows` (the test windows), with quantiles from `offsets`. */
export function baselineForecasts(name: BaselineName, data: BaselineSeries, windows: BaselineWindows, shape: BaselineShape, offsets: number[][], o: BaselineOptions = BASELINE_DEFAULTS): BaselineForecasts {
  const { encoderLength: Te, decoderLength: Td, quantiles } = shape;
  const nQ = quantiles.length;
  const n = windows.length;
  const out: BaselineForecasts = { pred: new Float32Array(n * Td * nQ).fill(NaN), actual: new Float32Array(n * Td), current: new Float32Array(n), decisionIdx: new Int32Array(n), series: new Int32Array(n) };
  for (let w = 0; w < n; w++) {
    const s = windows.series[w]!;
    const row0 = data.seriesOffset[s]! + windows.start[w]!;
    out.series[w] = s;
    out.decisionIdx[w] = data.seriesFirstIdx[s]! + windows.start[w]! + Te - 1;
    out.current[w] = data.target[row0 + Te - 1]!;
    for (let h = 0; h < Td; h++) out.actual[w * Td + h] = data.target[row0 + Te + h]!;
    const enc = encoderOf(data.target, row0, Te);
    if (!enc) continue;
    pointForecast(name, enc, Td, o).forEach((p, h) => {
      for (let q = 0; q < nQ; q++) out.pred[(w * Td + h) * nQ + q] = p * (1 + offsets[h]![q]!);
    });
  }
  return out;
}

/** The encoder window's values, or undefined when any is missing (a baseline then makes no forecast). */
function encoderOf(target: ArrayLike<number>, row0: number, Te: number): Float64Array | undefined {
  const enc = new Float64Array(Te);
  for (let i = 0; i < Te; i++) {
    const v = target[row0 + i]!;
    if (!Number.isFinite(v)) return undefined;
    enc[i] = v;
  }
  return enc;
}
