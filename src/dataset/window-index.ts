/** The window index: which (series, start) windows belong to the training, validation and test splits. */
import type { DatasetState, PreparedData, Split, WindowIndex } from './dataset-types.js';

/** The windows of a split, by the seed's rules (exclusive date ends; validation/test decoders start after the previous split). */
export function splitWindows(state: DatasetState, data: PreparedData, split: Split): WindowIndex {
  const { trainStart, trainEnd, valEnd, testEnd, encoderLength: Te, decoderLength: Td } = state;
  const lastIdxBefore = (date: string) => {
    let i = -1;
    while (i + 1 < data.dates.length && data.dates[i + 1]! < date) i++;
    return i;
  };
  const trainLast = lastIdxBefore(trainEnd);
  const valLast = lastIdxBefore(valEnd);
  const bounds: Record<Split, [minStart: number, minDecoder: number, maxEnd: number]> = {
    train: [lastIdxBefore(trainStart) + 1, 0, trainLast],
    val: [0, trainLast + 1, valLast],
    test: [0, valLast + 1, lastIdxBefore(testEnd)],
  };
  const [minStart, minDecoder, maxEnd] = bounds[split];
  return collectWindows(state, data, (startIdx) => startIdx >= minStart && startIdx + Te >= minDecoder && startIdx + Te + Td - 1 <= maxEnd);
}

/** Every window of every series whose first time_idx passes `accept` and whose decoder has a usable target. */
function collectWindows(state: DatasetState, data: PreparedData, accept: (startIdx: number) => boolean): WindowIndex {
  const T = state.encoderLength + state.decoderLength;
  const series: number[] = [];
  const start: number[] = [];
  for (let s = 0; s < data.symbols.length; s++) {
    const n = data.seriesLength[s]!;
    const off = data.seriesOffset[s]!;
    for (let k = 0; k + T <= n; k++) {
      if (!accept(data.seriesFirstIdx[s]! + k)) continue;
      if (!validTarget(state, data, off + k)) continue;
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
function validTarget(state: DatasetState, data: PreparedData, from: number): boolean {
  const log = !state.targetIsLogReturn;
  for (let i = from + state.encoderLength; i < from + state.encoderLength + state.decoderLength; i++) {
    const v = data.target[i]!;
    if (!data.present[i] || !Number.isFinite(v) || (log && !(v > 0))) return false;
  }
  return true;
}
