/** Preprocessing fitted on training rows only and reused unchanged for validation, test and live inference. */

/** Label encoder with class 0 reserved for values never seen in training (pytorch-forecasting's NaNLabelEncoder with add_nan). */
export interface CategoricalEncoder {
  classes: number[];
}

/** Fits an encoder on the values of the training rows (NaN ignored). */
export function fitCategorical(values: Iterable<number>): CategoricalEncoder {
  const set = new Set<number>();
  for (const v of values) if (!Number.isNaN(v)) set.add(v);
  return { classes: [...set].sort((a, b) => a - b) };
}

/** A lookup from value to code: 1…n for known classes, 0 for unknown. */
export function categoricalLookup(encoder: CategoricalEncoder): (v: number) => number {
  const map = new Map(encoder.classes.map((c, i) => [c, i + 1]));
  return (v) => map.get(v) ?? 0;
}

/** Cardinality including the unknown class. */
export function cardinality(encoder: CategoricalEncoder): number {
  return encoder.classes.length + 1;
}

/** pytorch-forecasting's default embedding size for a cardinality. */
export function embeddingSize(n: number): number {
  return Math.min(Math.round(1.6 * n ** 0.56), 100);
}

/** Standard scaler: (x − mean) / std. */
export interface StandardScaler {
  mean: number;
  std: number;
}

/** Fits a scaler on the training rows' values (NaN ignored; a constant column gets std 1). */
export function fitStandard(values: Iterable<number>): StandardScaler {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  return { mean: n > 0 ? mean : 0, std: std > 1e-12 ? std : 1 };
}

/**
 * Per-window target normalizer (pytorch-forecasting's EncoderNormalizer, standard method): the center and scale
 * are the mean and standard deviation of the window's own encoder values, after a log transform when `log`.
 */
export function encoderNormalization(values: ArrayLike<number>, from: number, to: number, log: boolean): { center: number; scale: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = from; i < to; i++) {
    const raw = values[i]!;
    if (!Number.isFinite(raw)) continue;
    const v = log ? Math.log(Math.max(raw, 1e-8)) : raw;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  return { center: mean, scale: std + 1e-8 > 1e-6 ? std + 1e-8 : 1e-6 };
}
