import { Random } from '../../src/core/random.js';
import type { TftBatch, TftInputSpec } from '../../src/dataset/tft-batch.js';
import type { TftHyperparameters } from '../../src/model/tft.js';

const embeddingSize = (n: number) => Math.min(Math.round(1.6 * n ** 0.56), 100);

/** The benchmark's inputs (4 known calendar categoricals, 5 unknown reals, log target) at any window length. */
export function benchSpec(encoderLength = 6, decoderLength = 2): TftInputSpec {
  const cards = [6, 32, 13, 4];
  return {
    encoderLength,
    decoderLength,
    quantiles: [0.3, 0.5, 0.7],
    staticCategoricals: [],
    staticReals: [],
    targetTransform: 'log',
    categoricals: ['day_of_week', 'day_of_month', 'month', 'year'].map((n, i) => ({ name: n, cardinality: cards[i]!, embeddingSize: embeddingSize(cards[i]!), known: true })),
    reals: ['open', 'close', 'high', 'low', 'volume'].map((n) => ({ name: n, known: false })),
  };
}

export const SMALL_HP: TftHyperparameters = { hiddenSize: 8, attentionHeadSize: 1, dropout: 0.1, hiddenContinuousSize: 4, lstmLayers: 1 };
export const FAVOURITE_HP: TftHyperparameters = { hiddenSize: 32, attentionHeadSize: 4, dropout: 0.1, hiddenContinuousSize: 16, lstmLayers: 1 };

/** A random batch with every code in range, every third window's encoder two steps short, prices near 55. */
export function randomBatch(spec: TftInputSpec, B: number, seed = 1): TftBatch {
  const r = new Random(seed);
  const T = spec.encoderLength + spec.decoderLength;
  const nCat = spec.categoricals.length;
  const nReal = spec.reals.length;
  return {
    size: B,
    categorical: Int32Array.from({ length: B * T * nCat }, (_, i) => r.int(spec.categoricals[i % nCat]!.cardinality)),
    reals: Float32Array.from({ length: B * T * nReal }, () => r.normal()),
    staticCategorical: new Int32Array(0),
    staticReals: new Float32Array(0),
    encoderLengths: Int32Array.from({ length: B }, (_, i) => (i % 3 === 0 ? spec.encoderLength - 2 : spec.encoderLength)),
    target: Float32Array.from({ length: B * spec.decoderLength }, () => r.normal()),
    targetScale: Float32Array.from({ length: B * 2 }, (_, i) => (i % 2 === 0 ? 4 : 0.05)),
    targetRaw: Float32Array.from({ length: B * spec.decoderLength }, () => 55 + 3 * r.normal()),
    seriesIndex: new Int32Array(B),
    decoderStartIdx: new Int32Array(B),
  };
}
