import type { ParamEntry } from './params.js';

/**
 * Throws when a weight vector holds NaN or ±Infinity (a diverged training run): such weights forecast nothing
 * but NaN, so they are refused where they are read, naming the file, how many and the first parameter hit.
 */
export function assertFiniteWeights(
  weights: Float32Array,
  manifest: ParamEntry[],
  where: string,
  o: { what?: string; advice?: string } = {},
): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i]!)) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad === 0) return;
  const param = manifest.find((e) => first >= e.offset && first < e.offset + e.size);
  throw new Error(
    `${where}: ${bad} of ${weights.length} ${o.what ?? 'weights'} are not finite (NaN or Infinity), the first at index ${first}` +
      `${param ? ` (parameter ${param.name})` : ''}: ${o.advice ?? 'the model diverged when it was trained; retrain it (e.g. with a lower learning_rate)'}`,
  );
}

/** Throws unless `weights` has exactly the length the manifest describes (a truncated or foreign weights file). */
export function assertWeightsMatchManifest(weights: Float32Array, manifest: ParamEntry[], where: string): void {
  const expected = manifest.reduce((n, e) => Math.max(n, e.offset + e.size), 0);
  if (weights.length !== expected) {
    throw new Error(`${where}: holds ${weights.length} weights but its manifest describes ${expected}: the file is truncated or belongs to another model`);
  }
}
