/**
 * What the stores hold, as the table statements need it: the feature store's (feature, time frame) partitions and
 * the predictions' models and quantile columns.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from './object-store.js';
import { isOwnPartitionFile, parseFeatureKey } from './seed-layout.js';
import { listParts, modelsWithParts } from './prediction-parts.js';
import { openDuckDb, sqlString } from './duckdb-session.js';

/** The (feature, time frame) partitions holding stockcast's files, sorted. */
export async function featurePartitions(objects: ObjectStore, prefix: string): Promise<Array<[string, string]>> {
  const pairs = new Set<string>();
  for (const key of await objects.list(`${prefix}/`)) {
    const parts = parseFeatureKey(prefix, key);
    if (parts && isOwnPartitionFile(parts.file)) pairs.add(`${parts.feature}\u0000${parts.directory}`);
  }
  return [...pairs].sort().map((p) => p.split('\u0000') as [string, string]);
}

/** The models with prediction parts and the quantile columns (`y_pred_pXX`) their first parts hold, in quantile order. */
export async function predictionLayout(models: ObjectStore): Promise<{ modelIds: string[]; quantileColumns: string[] }> {
  const modelIds = await modelsWithParts(models);
  const columns = new Set<string>();
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-ddl-'));
  const { connection: db, close } = await openDuckDb();
  try {
    for (const id of modelIds) {
      const first = (await listParts(models, id))[0]!;
      const file = join(dir, `${columns.size}-${id}.parquet`);
      if (!(await models.getFile(first.key, file))) continue;
      const names = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRows().map((r) => String(r[0]));
      for (const n of names) if (/^y_pred_p\d+$/.test(n)) columns.add(n);
    }
  } finally {
    close();
    await rm(dir, { recursive: true, force: true });
  }
  return { modelIds, quantileColumns: [...columns].sort((a, b) => Number(a.slice(8)) - Number(b.slice(8))) };
}
