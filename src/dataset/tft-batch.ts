/**
 * The contract between the dataset (which builds batches) and the TFT model (which consumes them).
 * Everything is a flat typed array in row-major order so batches can cross worker threads without copies.
 * Shapes are written as [batch, time, features]; T = encoderLength + decoderLength.
 */

/** Sizes the model needs from the dataset (the dataset sizes the model: nothing is typed twice). */
export interface TftInputSpec {
  encoderLength: number;
  decoderLength: number;
  /** Categorical variables in column order of `categorical`; each with its cardinality (incl. unknown class). */
  categoricals: { name: string; cardinality: number; embeddingSize: number; known: boolean }[];
  /** Real variables in column order of `reals`; `known` ones are also fed to the decoder. */
  reals: { name: string; known: boolean }[];
  /** Static categoricals / reals (per series); empty in the seed's setups. */
  staticCategoricals: { name: string; cardinality: number; embeddingSize: number }[];
  staticReals: string[];
  quantiles: number[];
  /** How a normalized prediction maps back to target units: `log` → exp(p·scale + center), `identity` → p·scale + center. */
  targetTransform: 'log' | 'identity';
}

/** One batch of windows. */
export interface TftBatch {
  size: number;
  /** Int32 [B, T, nCat] encoded categories (0 = unknown class). */
  categorical: Int32Array;
  /** Float32 [B, T, nReal] scaled reals; decoder rows of unknown reals are present but must not be read. */
  reals: Float32Array;
  /** Int32 [B, nStaticCat] */
  staticCategorical: Int32Array;
  /** Float32 [B, nStaticReal] */
  staticReals: Float32Array;
  /** Int32 [B] actual encoder length of each window (≤ encoderLength; windows are right-aligned, padding first). */
  encoderLengths: Int32Array;
  /** Float32 [B, decoderLength] target in normalized space. */
  target: Float32Array;
  /** Float32 [B, 2] (center, scale) of the target normalizer for each window, to map predictions back. */
  targetScale: Float32Array;
  /** Float32 [B, decoderLength] target in its own units (dollars), for the reported loss. */
  targetRaw: Float32Array;
  /** Int32 [B] series (symbol) index and Int32 [B] time_idx of the first decoder step, for predictions. */
  seriesIndex: Int32Array;
  decoderStartIdx: Int32Array;
}
