/**
 * A model's predictions as a set of parts (see sharded-predict.ts): `predict --merge` and `evaluate` read a
 * complete, consistent set — one split, every part, one artifact — and refuse anything else with what to run.
 */
import type { ObjectStore } from '../store/object-store.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { checkPartSet, listParts, type PartRef } from '../store/prediction-parts.js';
import { predictionsKey, readPredictionFile, readPredictions, writePredictions } from '../store/predictions-parquet.js';
import { loadArtifact } from '../model/artifact.js';

/** Parquet metadata: which part a file is (`i/n`). */
export const SHARD_KEY = 'stockcast.shard';
/** Parquet metadata: the createdAt of the artifact that made the forecasts (identifies the trained model). */
export const ARTIFACT_KEY = 'stockcast.artifact_created_at';

/**
 * Merges a complete split into `<id>/output/predictions.parquet`, refusing an incomplete or mixed set and parts
 * forecast by another artifact than the model's current one. `count` picks a split when several are stored, and
 * removes the others' parts.
 */
export async function mergeParts(o: { modelId: string; models: ObjectStore; count?: number }): Promise<{ key: string; table: PredictionTable; parts: number; removed: string[] }> {
  const stored = await listParts(o.models, o.modelId);
  const chosen = checkPartSet(o.modelId, stored, o.count);
  const { table, artifact } = await readParts(o.models, o.modelId, chosen);
  const current = (await loadArtifact(o.models, o.modelId)).meta.training.createdAt;
  if (artifact !== current) {
    throw new Error(`the parts of ${o.modelId} were forecast by the model trained at ${artifact}, but its artifact now is the one trained at ${current}: run the shards again`);
  }
  const key = predictionsKey(o.modelId);
  await writePredictions(o.models, key, table, { [ARTIFACT_KEY]: artifact, 'stockcast.shards': String(chosen.length) });
  const removed = o.count === undefined ? [] : stored.filter((p) => p.count !== o.count).map((p) => p.key);
  for (const k of removed) await o.models.delete(k);
  return { key, table, parts: chosen.length, removed };
}

/** The predictions of a model: its complete set of parts, or the single file of runs older than parts. */
export async function readPredictionSet(models: ObjectStore, modelId: string): Promise<PredictionTable> {
  const parts = await listParts(models, modelId);
  if (parts.length === 0) return readPredictions(models, predictionsKey(modelId), `model ${modelId}`);
  return (await readParts(models, modelId, checkPartSet(modelId, parts))).table;
}

/** Reads parts, checking each is the part its name says and all come from one artifact. */
async function readParts(models: ObjectStore, modelId: string, parts: PartRef[]): Promise<{ table: PredictionTable; artifact: string }> {
  const tables: PredictionTable[] = [];
  const artifacts = new Map<string, string>();
  for (const p of parts) {
    const { table, metadata } = await readPredictionFile(models, p.key, `model ${modelId} part ${p.index}/${p.count}`);
    if (metadata[SHARD_KEY] !== `${p.index}/${p.count}`) throw new Error(`${models.location}/${p.key} says it is part ${metadata[SHARD_KEY] ?? '(none)'}, not ${p.index}/${p.count}: run that shard again`);
    artifacts.set(`${p.index}/${p.count}`, metadata[ARTIFACT_KEY] ?? '(unknown)');
    tables.push(table);
  }
  const distinct = [...new Set(artifacts.values())];
  if (distinct.length > 1) {
    const byArtifact = distinct.map((a) => `${[...artifacts].filter(([, v]) => v === a).map(([k]) => k).join(', ')} by the model trained at ${a}`).join('; ');
    throw new Error(`the parts of ${modelId} come from different trainings (${byArtifact}): run the older shards again`);
  }
  return { table: concatTables(tables), artifact: distinct[0]! };
}

/** Concatenates prediction tables of disjoint symbols, rows ordered by time then symbol (as the Parquet writer orders them). */
export function concatTables(tables: PredictionTable[]): PredictionTable {
  const filled = tables.filter((t) => t.symbols.length > 0);
  const first = filled[0] ?? tables[0]!;
  for (const t of filled) {
    if (t.horizon !== first.horizon || t.quantiles.join() !== first.quantiles.join() || t.modelTarget !== first.modelTarget) {
      throw new Error(`prediction parts disagree on horizon, quantiles or target (${first.horizon}/${first.quantiles.join(',')}/${first.modelTarget} vs ${t.horizon}/${t.quantiles.join(',')}/${t.modelTarget})`);
    }
  }
  const rows = filled.flatMap((t, ti) => t.symbols.map((s, r) => ({ ti, r, s, time: t.timestamps[r]! })));
  rows.sort((a, b) => a.time - b.time || (a.s < b.s ? -1 : a.s > b.s ? 1 : 0));
  rows.forEach((x, i) => {
    if (i > 0 && rows[i - 1]!.time === x.time && rows[i - 1]!.s === x.s) throw new Error(`prediction parts overlap: ${x.s} at ${new Date(x.time).toISOString()} is in two parts`);
  });
  const H = first.horizon;
  const nQ = first.quantiles.length;
  const out: PredictionTable = { quantiles: first.quantiles, horizon: H, symbols: [], timestamps: new Float64Array(rows.length), currentY: new Float64Array(rows.length), y: new Float64Array(rows.length * H), pred: new Float64Array(rows.length * H * nQ) };
  if (first.modelTarget !== undefined) out.modelTarget = first.modelTarget;
  rows.forEach(({ ti, r, s }, i) => {
    const t = filled[ti]!;
    out.symbols.push(s);
    out.timestamps[i] = t.timestamps[r]!;
    out.currentY[i] = t.currentY[r]!;
    out.y.set(t.y.subarray(r * H, (r + 1) * H), i * H);
    out.pred.set(t.pred.subarray(r * H * nQ, (r + 1) * H * nQ), i * H * nQ);
  });
  return out;
}
