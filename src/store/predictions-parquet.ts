import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from './object-store.js';
import { tempDirPrefix } from '../core/atomic-file.js';
import type { PredictionTable } from '../core/prediction-table.js';
import { quantileColumn } from '../core/prediction-table.js';
import { openDuckDb, sqlIdent, sqlString } from './duckdb-session.js';

/** Where a model's batch predictions live in the model store. */
export function predictionsKey(modelId: string): string {
  return `${modelId}/output/predictions.parquet`;
}

/** Parquet key-value metadata key holding the model's own target (the columns are prices either way). */
export const MODEL_TARGET_KEY = 'stockcast.model_target';

/** Where `predict --baseline <name>` leaves a baseline's predictions for a model's test range. */
export function baselinePredictionsKey(modelId: string, baseline: string): string {
  return `${modelId}/output/baselines/${baseline}.parquet`;
}

/**
 * Writes predictions as Parquet with the seed's columns: symbol, timestamp, current_y, y[], y_pred_pXX[] (one list
 * column per configured quantile), through DuckDB, as one atomic object write. The model's own target, when known,
 * goes into the file's key-value metadata (`stockcast.model_target`), with `stockcast.values = price`; `metadata`
 * adds more key-value pairs (which shard, which artifact).
 */
export async function writePredictions(store: ObjectStore, key: string, t: PredictionTable, metadata: Record<string, string> = {}): Promise<void> {
  const dir = await mkdtemp(tempDirPrefix('pred'));
  const { connection: db, close } = await openDuckDb();
  try {
    const H = t.horizon;
    const nQ = t.quantiles.length;
    const flat = [...Array.from({ length: H }, (_, h) => `y_${h}`), ...t.quantiles.flatMap((_, k) => Array.from({ length: H }, (_, h) => `q${k}_${h}`))];
    await db.run(`CREATE TABLE p (symbol VARCHAR, ts DOUBLE, current_y DOUBLE, ${flat.map((c) => `${c} DOUBLE`).join(', ')})`);
    const app = await db.createAppender('p');
    for (let r = 0; r < t.currentY.length; r++) {
      app.appendVarchar(t.symbols[r]!);
      app.appendDouble(t.timestamps[r]!);
      app.appendDouble(t.currentY[r]!);
      for (let h = 0; h < H; h++) app.appendDouble(t.y[r * H + h]!);
      for (let k = 0; k < nQ; k++) for (let h = 0; h < H; h++) app.appendDouble(t.pred[(r * H + h) * nQ + k]!);
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
    const list = (prefix: string) => `[${Array.from({ length: H }, (_, h) => `CASE WHEN isnan(${prefix}_${h}) THEN NULL ELSE ${prefix}_${h} END`).join(', ')}]`;
    const quantileCols = t.quantiles.map((q, k) => `${list(`q${k}`)} AS ${sqlIdent(quantileColumn(q))}`).join(', ');
    const file = join(dir, 'predictions.parquet');
    await db.run(`COPY (SELECT symbol, make_timestamp((ts * 1000)::BIGINT) AS timestamp, current_y, ${list('y')} AS y, ${quantileCols}
      FROM p ORDER BY timestamp, symbol) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd${kvMetadata(t, metadata)})`);
    await store.putFile(key, file);
  } finally {
    close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The COPY option recording the model's target and any other metadata (nothing when there is none). */
function kvMetadata(t: PredictionTable, metadata: Record<string, string>): string {
  const pairs = { ...(t.modelTarget === undefined ? {} : { [MODEL_TARGET_KEY]: t.modelTarget, 'stockcast.values': 'price' }), ...metadata };
  if (Object.keys(pairs).length === 0) return '';
  return `, KV_METADATA {${Object.entries(pairs).map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`).join(', ')}}`;
}

/** Reads a predictions Parquet back into a table; quantiles come from the y_pred_pXX column names. */
export async function readPredictions(store: ObjectStore, key: string, what: string): Promise<PredictionTable> {
  return (await readPredictionFile(store, key, what)).table;
}

/** Reads a predictions Parquet: its table and its key-value metadata. */
export async function readPredictionFile(store: ObjectStore, key: string, what: string): Promise<{ table: PredictionTable; metadata: Record<string, string> }> {
  const dir = await mkdtemp(tempDirPrefix('pred'));
  const { connection: db, close } = await openDuckDb();
  try {
    const file = join(dir, 'predictions.parquet');
    if (!(await store.getFile(key, file))) throw new Error(`no predictions for ${what} at ${store.location}/${key}: run \`stockcast predict\` first`);
    const cols = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRows().map((r) => String(r[0]));
    const qcols = cols.filter((c) => /^y_pred_p\d+$/.test(c)).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
    const quantiles = qcols.map((c) => Number(c.slice(8)) / 100);
    const kv = (await db.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(${sqlString(file)})`)).getRows();
    const metadata = Object.fromEntries(kv.map((r) => [String(r[0]), String(r[1])]));
    const modelTarget = metadata[MODEL_TARGET_KEY];
    const rows = (await db.runAndReadAll(`SELECT symbol, epoch_ms(timestamp)::DOUBLE, current_y, y, ${qcols.map(sqlIdent).join(', ')} FROM read_parquet(${sqlString(file)}) ORDER BY timestamp, symbol`)).getRows();
    const H = rows.length ? ((rows[0]![3] as { items: unknown[] }).items.length) : 0;
    const nQ = quantiles.length;
    const t: PredictionTable = {
      quantiles,
      horizon: H,
      symbols: new Array(rows.length),
      timestamps: new Float64Array(rows.length),
      currentY: new Float64Array(rows.length),
      y: new Float64Array(rows.length * H),
      pred: new Float64Array(rows.length * H * nQ),
    };
    if (modelTarget !== undefined) t.modelTarget = modelTarget;
    const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
    rows.forEach((r, i) => {
      t.symbols[i] = String(r[0]);
      t.timestamps[i] = Number(r[1]);
      t.currentY[i] = num(r[2]);
      const ys = (r[3] as { items: unknown[] }).items;
      for (let h = 0; h < H; h++) t.y[i * H + h] = num(ys[h]);
      for (let k = 0; k < nQ; k++) {
        const qs = (r[4 + k] as { items: unknown[] }).items;
        for (let h = 0; h < H; h++) t.pred[(i * H + h) * nQ + k] = num(qs[h]);
      }
    });
    return { table: t, metadata };
  } finally {
    close();
    await rm(dir, { recursive: true, force: true });
  }
}
