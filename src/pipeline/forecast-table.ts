import type { PreparedData } from '../dataset/time-series-dataset.js';
import type { WindowForecasts } from '../model/trained-model.js';
import { logReturnQuantilesToPrices } from '../core/log-return-prices.js';
import type { PredictionTable } from '../core/prediction-table.js';

/** What the table needs of the fitted dataset. */
interface TableState {
  quantiles: number[];
  decoderLength: number;
  target: string;
  targetIsLogReturn: boolean;
}

/**
 * The prediction table of a set of forecasts: one row per window, at its decision time, always in prices.
 * A log-return model's quantiles are cumulated over the horizon from the price at decision time
 * (logReturnQuantilesToPrices), so strategies, evaluation and orders never see a return where they expect a price.
 */
export function forecastTable(f: WindowForecasts, data: PreparedData, state: TableState): PredictionTable {
  const H = state.decoderLength;
  return {
    quantiles: state.quantiles,
    horizon: H,
    symbols: Array.from(f.series, (s) => data.symbols[s]!),
    timestamps: Float64Array.from(f.decisionIdx, (i) => data.times[i]!),
    currentY: Float64Array.from(f.price.current),
    y: Float64Array.from(f.price.actual),
    pred: state.targetIsLogReturn ? logReturnQuantilesToPrices(f.pred, f.price.current, H, state.quantiles) : Float64Array.from(f.pred),
    modelTarget: state.target,
  };
}
