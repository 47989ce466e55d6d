import type { PreparedData } from '../dataset/time-series-dataset.js';
import type { WindowForecasts } from '../model/trained-model.js';
import type { PredictionTable } from '../core/prediction-table.js';

/** The prediction table of a set of forecasts: one row per window, at its decision time. */
export function forecastTable(f: WindowForecasts, data: PreparedData, state: { quantiles: number[]; decoderLength: number }): PredictionTable {
  return {
    quantiles: state.quantiles,
    horizon: state.decoderLength,
    symbols: Array.from(f.series, (s) => data.symbols[s]!),
    timestamps: Float64Array.from(f.decisionIdx, (i) => data.times[i]!),
    currentY: Float64Array.from(f.current),
    y: Float64Array.from(f.actual),
    pred: Float64Array.from(f.pred),
  };
}
