/**
 * The layout of a model's batch predictions in the model store. Every predict run writes parts,
 * `<model_id>/output/predictions/part-<i>-of-<n>.parquet` (numbered from 1; an unsharded run is part 1 of 1), and the merged
 * `<model_id>/output/predictions.parquet` (the seed's single file, which the dashboard and older readers use). The
 * parts directory holds nothing but Parquet, so Athena, Trino and Spark can read it as the model's partition.
 */
import type { ObjectStore } from './object-store.js';

/** Where a model's prediction parts live. */
export function partsPrefix(modelId: string): string {
  return `${modelId}/output/predictions/`;
}

/** The key of part `index` of `count`. */
export function partKey(modelId: string, index: number, count: number): string {
  return `${partsPrefix(modelId)}part-${index}-of-${count}.parquet`;
}

/** One stored part. */
export interface PartRef {
  key: string;
  index: number;
  count: number;
}

/** Parses a part key's file name; null for anything else. */
export function parsePartName(name: string): { index: number; count: number } | null {
  const m = /^part-(\d+)-of-(\d+)\.parquet$/.exec(name);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  return m && index >= 1 && index <= count ? { index, count } : null;
}

/** The parts a model's predictions directory holds, by count then index. */
export async function listParts(models: ObjectStore, modelId: string): Promise<PartRef[]> {
  const prefix = partsPrefix(modelId);
  const out: PartRef[] = [];
  for (const key of await models.list(prefix)) {
    const p = parsePartName(key.slice(prefix.length));
    if (p) out.push({ key, ...p });
  }
  return out.sort((a, b) => a.count - b.count || a.index - b.index);
}

/** Every model id with prediction parts in the store. */
export async function modelsWithParts(models: ObjectStore): Promise<string[]> {
  const ids = new Set<string>();
  for (const key of await models.list('')) {
    const m = /^([^/]+)\/output\/predictions\/(part-\d+-of-\d+\.parquet)$/.exec(key);
    if (m) ids.add(m[1]!);
  }
  return [...ids].sort();
}

/**
 * Checks that the parts form one complete split (every index of one count, nothing else); the message says what is
 * missing or mixed and how to fix it. `count` picks one split when several are stored.
 */
export function checkPartSet(modelId: string, parts: PartRef[], count?: number): PartRef[] {
  const counts = [...new Set(parts.map((p) => p.count))];
  if (parts.length === 0) throw new Error(`no prediction parts for model ${modelId}: run \`stockcast predict --model-id ${modelId}\` (or one \`--shard i/n\` per machine) first`);
  const n = count ?? (counts.length === 1 ? counts[0]! : undefined);
  if (n === undefined) {
    const splits = counts.map((c) => `${parts.filter((p) => p.count === c).length} part(s) of ${c}`).join(', ');
    throw new Error(`the predictions of ${modelId} mix splits (${splits}): pick one with \`stockcast predict --model-id ${modelId} --merge --shards <n>\` (it removes the others' parts)`);
  }
  const chosen = parts.filter((p) => p.count === n);
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !chosen.some((p) => p.index === i));
  if (chosen.length === 0 || missing.length > 0) {
    const have = chosen.map((p) => p.index).join(', ') || 'none';
    throw new Error(`the predictions of ${modelId} are incomplete: parts ${missing.map((i) => `${i}/${n}`).join(', ')} are missing (have: ${have}); run \`stockcast predict --model-id ${modelId} --shard <i>/${n}\` for each missing part`);
  }
  return chosen;
}
