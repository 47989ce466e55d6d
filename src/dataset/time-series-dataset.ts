/**
 * The equivalent of pytorch-forecasting's TimeSeriesDataSet as the seed uses it: one series per symbol,
 * time_idx = dense rank of timestamps, windows of encoder + decoder length over time_idx with missing timesteps
 * forward-filled (allow_missing_timesteps), known categoricals, unknown reals, encoders and scalers fitted on
 * training rows only, and a per-window encoder normalizer for the target.
 *
 * This class is the facade over the modules that do each job: fit-dataset (fitting), prepare-data (encode,
 * scale, gap-fill), window-index (splits) and batch-builder (training, validation and latest batches).
 */
import type { WideFrame } from '../core/wide-frame.js';
import type { TftBatch, TftInputSpec } from './tft-batch.js';
import { cardinality, embeddingSize } from './preprocessing.js';
import type { DatasetConfig, DatasetState, PreparedData, ScheduledValues, Split, WindowIndex } from './dataset-types.js';
import { isScheduled } from './feature-values.js';
import { fitDatasetState } from './fit-dataset.js';
import { prepareData } from './prepare-data.js';
import { splitWindows } from './window-index.js';
import { buildBatch, buildLatestBatch } from './batch-builder.js';

export type { DatasetConfig, DatasetState, PreparedData, ScheduledValues, Split, WindowIndex } from './dataset-types.js';

/** The fitted dataset: a spec for the model plus batch building. */
export class TimeSeriesDataset {
  private constructor(readonly state: DatasetState) {}

  /** Fits encoders and scalers on the training rows of a wide frame. */
  static fit(frame: WideFrame, cfg: DatasetConfig): TimeSeriesDataset {
    return new TimeSeriesDataset(fitDatasetState(frame, cfg));
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
    return prepareData(this.state, frame);
  }

  /** The windows of a split, by the seed's rules (exclusive date ends; validation/test decoders start after the previous split). */
  windows(data: PreparedData, split: Split): WindowIndex {
    return splitWindows(this.state, data, split);
  }

  /** Fills a batch from windows `order[from..to)` into fresh typed arrays. */
  buildBatch(data: PreparedData, windows: WindowIndex, order: ArrayLike<number>, from: number, to: number): TftBatch {
    return buildBatch(this.state, data, windows, order, { from, to });
  }

  /**
   * The latest window of every series whose data reaches `asOfIdx` (default: the last time_idx), its decoder
   * on `futureTimes` with the scheduled inputs' values per symbol; `series[i]` is the series of window i.
   */
  latestBatch(data: PreparedData, futureTimes: number[], o: { asOfIdx?: number; scheduled?: ScheduledValues } = {}): { batch: TftBatch; series: number[] } {
    return buildLatestBatch(this.state, data, futureTimes, o);
  }

  /** The known inputs whose future values come from a schedule (is_earnings_day), not from the timestamps. */
  scheduledInputs(): string[] {
    return this.state.categoricals.map((c) => c.name).filter(isScheduled);
  }
}
