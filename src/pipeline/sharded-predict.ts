/**
 * Batch inference split across machines. `predict --shard i/n` forecasts the symbols whose stable hash falls in
 * shard i and writes `part-i-of-n.parquet`; an unsharded run is part 1 of 1 and also writes the merged file.
 * Each shard prepares the data of every symbol (the time axis and gap filling see the whole universe, as an
 * unsharded run does) and forecasts only its own windows, so merged shards equal one run value for value.
 */
import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { shardOf, type Shard } from '../core/shard.js';
import { listParts, partKey } from '../store/prediction-parts.js';
import { predictionsKey, writePredictions } from '../store/predictions-parquet.js';
import { predictModel } from './predict-model.js';
import type { EngineFactory } from '../model/trained-model.js';
import { ARTIFACT_KEY, SHARD_KEY } from './prediction-set.js';

/** Forecasts one shard (default: everything, as part 1 of 1) and stores its part; returns what was written. */
export async function predictPart(o: {
  modelId: string;
  features: FeatureStore;
  models: ObjectStore;
  shard?: Shard;
  /** The engine the forward passes run on (see model/inference-engines). */
  engine?: EngineFactory;
  onProgress?: (done: number, total: number) => void;
}): Promise<{ key: string; table: PredictionTable; merged: string | null; removed: string[] }> {
  const shard = o.shard ?? { index: 1, count: 1 };
  let metadata: Record<string, string> = {};
  const { key, table } = await predictModel({
    ...o,
    keepSymbol: shard.count > 1 ? (symbol) => shardOf(symbol, shard.count) === shard.index : undefined,
    write: async (t, model) => {
      metadata = { [SHARD_KEY]: `${shard.index}/${shard.count}`, [ARTIFACT_KEY]: model.meta.training.createdAt };
      await writePredictions(o.models, partKey(o.modelId, shard.index, shard.count), t, metadata);
      return partKey(o.modelId, shard.index, shard.count);
    },
  });
  if (shard.count > 1) return { key, table, merged: null, removed: [] };
  // a whole run supersedes the parts of any earlier split
  await writePredictions(o.models, predictionsKey(o.modelId), table, metadata);
  const removed = (await listParts(o.models, o.modelId)).filter((p) => p.key !== key).map((p) => p.key);
  for (const k of removed) await o.models.delete(k);
  return { key, table, merged: predictionsKey(o.modelId), removed };
}
