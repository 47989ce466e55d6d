import { parseTimeFrame } from '../core/time-frame.js';
import type { WideFrame } from '../core/wide-frame.js';
import { CsvBarsSource } from '../sources/csv-bars.js';
import { barsToWideFrame } from '../dataset/frame-from-bars.js';
import { TimeSeriesDataset, type PreparedData, type WindowIndex } from '../dataset/time-series-dataset.js';
import type { TftHyperparameters } from '../model/tft.js';
import { naiveLastValueLoss } from '../model/trainer.js';

/** The two configs of bench/REFERENCE.md. */
export const BENCH_CONFIGS: Record<string, TftHyperparameters> = {
  small: { hiddenSize: 8, attentionHeadSize: 1, dropout: 0.1, hiddenContinuousSize: 4, lstmLayers: 1 },
  favourite: { hiddenSize: 32, attentionHeadSize: 4, dropout: 0.1, hiddenContinuousSize: 16, lstmLayers: 1 },
};

/** REFERENCE.md's protocol constants. */
export const PROTOCOL = { batchSize: 2048, warmupBatches: 3, timedBatches: 30, seed: 42, learningRate: 1e-3, gradientClip: 0.1, plateauPatience: 5 };

const FEATURES = ['open', 'close', 'high', 'low', 'volume', 'day_of_week', 'day_of_month', 'month', 'year'];

/** The protocol's frame, fitted dataset, prepared arrays and window indexes. */
export interface ProtocolData {
  frame: WideFrame;
  dataset: TimeSeriesDataset;
  data: PreparedData;
  windows: { train: WindowIndex; val: WindowIndex };
  seconds: number;
}

/** The hyperparameters of a protocol config, or a readable error. */
export function benchConfig(name: string): TftHyperparameters {
  const hp = BENCH_CONFIGS[name];
  if (!hp) throw new Error(`unknown bench config "${name}": expected ${Object.keys(BENCH_CONFIGS).join(' or ')}`);
  return hp;
}

/**
 * Builds the REFERENCE.md frame from the S&P CSV: target open; reals open, close, high, low, volume; known
 * categoricals day of week/month, month, year; encoder 60, decoder 2; training 2015-01-12..2017-06-30,
 * validation decoders to 2017-12-31 (our split ends are exclusive).
 */
export async function loadProtocolData(csv: string): Promise<ProtocolData> {
  const t0 = performance.now();
  const src = new CsvBarsSource(csv, { adjust: 'none' });
  const { bars } = await src.fetchBars({ symbols: await src.listSymbols(), start: new Date('2015-01-01T05:00:00Z'), end: new Date('2018-12-31T05:00:00Z'), timeFrame: parseTimeFrame('1Day') });
  const frame = barsToWideFrame(bars, FEATURES, parseTimeFrame('1Day'));
  const dataset = TimeSeriesDataset.fit(frame, { features: FEATURES, target: 'open', encoderLength: 60, decoderLength: 2, quantiles: [0.3, 0.5, 0.7], trainStart: '2015-01-12', trainEnd: '2017-07-01', valEnd: '2018-01-01', testEnd: '2019-01-01' });
  const data = dataset.prepare(frame);
  const windows = { train: dataset.windows(data, 'train'), val: dataset.windows(data, 'val') };
  return { frame, dataset, data, windows, seconds: (performance.now() - t0) / 1000 };
}

/** The first `n` windows of an index (smoke runs use a slice of the validation set, like the harness's --batches). */
export function firstWindows(w: WindowIndex, n: number): WindowIndex {
  const k = Math.min(n, w.length);
  return { series: w.series.subarray(0, k), start: w.start.subarray(0, k), length: k };
}

/** The naive last-value forecast's quantile loss on windows (REFERENCE.md's baseline). */
export function naiveLoss(p: ProtocolData, windows: WindowIndex): number {
  return naiveLastValueLoss(p.dataset, p.data, windows);
}
