import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent } from './duckdb-session.js';
import type { DuplicateConflict } from './feature-store.js';

let counter = 0;

/**
 * Finds the (symbol, time) keys a staged batch gives twice with different values of some feature, removes every
 * row of those keys from the stage (which value is right cannot be told, so neither is written) and returns them.
 * Exact repeats are left for the merge, which keeps one.
 */
export async function dropConflictingDuplicates(db: DuckDBConnection, stage: string, features: string[]): Promise<DuplicateConflict[]> {
  const dups = `dups_${++counter}`;
  const conflicts = `conflicts_${counter}`;
  // the common case (no repeated key) costs one grouped count
  await db.run(`CREATE TEMP TABLE ${dups} AS SELECT symbol, ts FROM ${stage} GROUP BY symbol, ts HAVING count(*) > 1`);
  try {
    if (Number((await db.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${dups}`)).getRows()[0]![0]) === 0) return [];
    const differs = features.map((f) => `count(DISTINCT ${sqlIdent(f)}) > 1`).join(' OR ');
    const detail = features
      .map((f) => `CASE WHEN count(DISTINCT ${sqlIdent(f)}) > 1 THEN string_agg(DISTINCT CAST(${sqlIdent(f)} AS VARCHAR), ' vs ' ORDER BY CAST(${sqlIdent(f)} AS VARCHAR)) END`)
      .join(', ');
    await db.run(`
      CREATE TEMP TABLE ${conflicts} AS
      SELECT s.symbol, min(s.date) AS date, s.ts, ${detail}
      FROM ${stage} s JOIN ${dups} d ON s.symbol = d.symbol AND s.ts = d.ts
      GROUP BY s.symbol, s.ts HAVING ${differs}`);
    await db.run(`DELETE FROM ${stage} USING ${conflicts} c WHERE ${stage}.symbol = c.symbol AND ${stage}.ts = c.ts`);
    const rows = (await db.runAndReadAll(`SELECT * FROM ${conflicts} ORDER BY symbol, ts`)).getRows();
    return rows.map((r) => ({
      symbol: String(r[0]),
      date: String(r[1]),
      timestamp: Number(r[2]),
      values: Object.fromEntries(features.map((f, i) => [f, r[3 + i]]).filter(([, v]) => v !== null).map(([f, v]) => [f, String(v)])),
    }));
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${dups}`);
    await db.run(`DROP TABLE IF EXISTS ${conflicts}`);
  }
}
