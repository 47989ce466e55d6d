/**
 * `store migrate`: rewrites the seed's appended files into stockcast's layout, one seed directory
 * (`feature=<f>/time_frame=<Unit>/`) at a time. The seed's rows keep their value strings, types and
 * updated_timestamps verbatim; duplicates collapse the seed's way (newest updated_timestamp); a stockcast row is
 * replaced only by a different and newer value. Every partition is written whole (temp file, then one atomic put),
 * checked against the expected rows after it landed, and the directory's marker listing the migrated files is
 * written last, so a crash at any point is repaired by running again. The seed's files are never deleted.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ObjectStore } from './object-store.js';
import { openDuckDb, sqlString } from './duckdb-session.js';
import { partitionKey, periodSql } from './feature-sql.js';
import { isOwnPartitionFile, markerKey, NEWEST_FIRST, parseFeatureKey, readMarker, seedRowsSql, stockcastTimeFrame, type MigratedMarker } from './seed-layout.js';

/** The columns of stockcast's partition files, in file order (feature and time_frame are in the path only). */
const COLUMNS = ['timestamp', 'value', 'type', 'updated_timestamp', 'date', 'symbol'] as const;

/** What happened to one seed directory. Row counts are of distinct (symbol, timestamp) rows unless said. */
export interface DirectoryMigration {
  feature: string;
  /** The seed's `time_frame=` directory, e.g. `Day`. */
  directory: string;
  /** stockcast's time frame it went to, e.g. `1Day`; null when the directory's name is not a time frame. */
  timeFrame: string | null;
  status: 'migrated' | 'would-migrate' | 'up-to-date' | 'skipped' | 'failed';
  /** Seed files read now; files an earlier run migrated are not read again. */
  files: number;
  alreadyMigratedFiles: number;
  /** Rows in the files, duplicates included. */
  seedRows: number;
  /** Older versions of a row the seed appended again, collapsed to the newest. */
  duplicates: number;
  /** Rows stockcast's layout did not have. */
  inserted: number;
  /** stockcast rows replaced by a newer, different seed value. */
  replaced: number;
  /** Rows stockcast's layout already held with the same value. */
  identical: number;
  /** Rows where stockcast's layout holds a newer, different value (kept). */
  keptNewer: number;
  partitionsWritten: number;
  /** The landed partitions equal the expected merge, row for row and value for value. */
  verified: boolean;
  reason?: string;
}

/** Everything `migrateSeedLayout` did. */
export interface MigrationReport {
  dryRun: boolean;
  location: string;
  directories: DirectoryMigration[];
}

/** Options of a migration. */
export interface MigrateOptions {
  objects: ObjectStore;
  prefix: string;
  dryRun?: boolean;
  now?: Date;
  onDirectory?: (d: DirectoryMigration) => void;
}

/** Migrates every seed directory under the prefix; a failed directory is reported and the others still run. */
export async function migrateSeedLayout(o: MigrateOptions): Promise<MigrationReport> {
  const report: MigrationReport = { dryRun: o.dryRun ?? false, location: `${o.objects.location}/${o.prefix}`, directories: [] };
  const scratch = await mkdtemp(join(tmpdir(), 'stockcast-migrate-'));
  const { connection: db, close } = await openDuckDb();
  try {
    await db.run("SET TimeZone = 'UTC'");
    for (const [dirKey, files] of await seedDirectories(o.objects, o.prefix)) {
      const [feature, directory] = dirKey.split('\u0000') as [string, string];
      const d = await migrateDirectory({ ...o, db, scratch: join(scratch, String(report.directories.length)) }, feature, directory, files).catch(
        (err: unknown): DirectoryMigration => ({ ...emptyResult(feature, directory), status: 'failed', reason: (err as Error).message }),
      );
      report.directories.push(d);
      o.onDirectory?.(d);
    }
    return report;
  } finally {
    close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Seed-format Parquet files grouped by (feature, time_frame directory), in key order. */
async function seedDirectories(objects: ObjectStore, prefix: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const key of await objects.list(`${prefix}/`)) {
    const parts = parseFeatureKey(prefix, key);
    if (!parts || !parts.file.endsWith('.parquet') || isOwnPartitionFile(parts.file)) continue;
    const dirKey = `${parts.feature}\u0000${parts.directory}`;
    out.set(dirKey, [...(out.get(dirKey) ?? []), parts.file]);
  }
  return out;
}

function emptyResult(feature: string, directory: string): DirectoryMigration {
  const timeFrame = stockcastTimeFrame(directory);
  return { feature, directory, timeFrame, status: 'up-to-date', files: 0, alreadyMigratedFiles: 0, seedRows: 0, duplicates: 0, inserted: 0, replaced: 0, identical: 0, keptNewer: 0, partitionsWritten: 0, verified: false };
}

type Ctx = MigrateOptions & { db: DuckDBConnection; scratch: string };

/** Migrates the files of one seed directory that its marker does not list yet. */
async function migrateDirectory(c: Ctx, feature: string, directory: string, files: string[]): Promise<DirectoryMigration> {
  const d = emptyResult(feature, directory);
  if (!d.timeFrame) return { ...d, status: 'skipped', reason: `time_frame=${directory} is not a time frame stockcast knows (Day, Hour, Min, Week, Month or 1Day, 15Min, …)` };
  const marker = await readMarker(c.objects, markerKey(c.prefix, feature, directory));
  const done = new Set(marker?.files ?? []);
  const todo = files.filter((f) => !done.has(f));
  d.alreadyMigratedFiles = files.length - todo.length;
  if (todo.length === 0) return { ...d, verified: true };
  d.files = todo.length;
  await loadSeedRows(c, feature, directory, todo, d);
  const periods = (await c.db.runAndReadAll('SELECT DISTINCT period FROM seed ORDER BY period')).getRows().map((r) => String(r[0]));
  await c.db.run('CREATE OR REPLACE TABLE expected (period VARCHAR, timestamp TIMESTAMP, value VARCHAR, type VARCHAR, updated_timestamp TIMESTAMP, date DATE, symbol VARCHAR)');
  const written: string[] = [];
  for (const period of periods) {
    const key = partitionKey(c.prefix, feature, d.timeFrame, period);
    if (await mergePeriod(c, key, period, d)) written.push(key);
  }
  if (c.dryRun) return { ...d, status: 'would-migrate' };
  for (const key of written) await c.objects.putFile(key, localCopy(c, key, 'merged'));
  d.partitionsWritten = written.length;
  await verifyLanded(c, feature, d.timeFrame, periods);
  d.verified = true;
  const next: MigratedMarker = { files: [...done, ...todo].sort(), timeFrame: d.timeFrame, migratedAt: (c.now ?? new Date()).toISOString() };
  await c.objects.put(markerKey(c.prefix, feature, directory), JSON.stringify(next, null, 1));
  return { ...d, status: 'migrated' };
}

/** Downloads the files into table `seed`: one row per (symbol, timestamp), the newest version, with its period. */
async function loadSeedRows(c: Ctx, feature: string, directory: string, files: string[], d: DirectoryMigration): Promise<void> {
  const paths: string[] = [];
  for (const name of files) {
    const key = `${c.prefix}/feature=${feature}/time_frame=${directory}/${name}`;
    const local = join(c.scratch, 'seed', `${paths.length}.parquet`);
    if (!(await c.objects.getFile(key, local))) throw new Error(`${c.objects.location}/${key} disappeared while migrating`);
    paths.push(local);
  }
  await c.db.run(`CREATE OR REPLACE TABLE seed_raw AS ${seedRowsSql(feature, paths)}`);
  const count = async (sql: string) => Number((await c.db.runAndReadAll(sql)).getRows()[0]![0]);
  d.seedRows = await count('SELECT count(*) FROM seed_raw');
  const broken = await count('SELECT count(*) FROM seed_raw WHERE symbol IS NULL OR timestamp IS NULL OR date IS NULL');
  if (broken > 0) throw new Error(`${broken} row(s) of ${files.length} seed file(s) have no symbol, timestamp or date: nothing of this directory was migrated`);
  await c.db.run(`CREATE OR REPLACE TABLE seed AS
    SELECT timestamp, value, type, updated_timestamp, date, symbol, ${periodSql(d.timeFrame!, "strftime(date, '%Y-%m-%d')")} AS period
    FROM seed_raw QUALIFY row_number() OVER (PARTITION BY symbol, timestamp ORDER BY ${NEWEST_FIRST}) = 1`);
  d.duplicates = d.seedRows - (await count('SELECT count(*) FROM seed'));
}

/** The local scratch file of a partition key (`own`: as stored before; `merged`: as it will be written). */
function localCopy(c: Ctx, key: string, kind: 'own' | 'merged' | 'landed'): string {
  return join(c.scratch, kind, key);
}

/**
 * Merges the seed's rows of one period into the stored partition (in scratch space) and appends the result to
 * `expected`; returns true when the partition changes and must be written.
 */
async function mergePeriod(c: Ctx, key: string, period: string, d: DirectoryMigration): Promise<boolean> {
  const own = localCopy(c, key, 'own');
  const stored = await c.objects.getFile(key, own);
  const ownRows = stored
    ? `SELECT timestamp, value, type, updated_timestamp, date, symbol FROM read_parquet(${sqlString(own)}, hive_partitioning = false)`
    : 'SELECT NULL::TIMESTAMP AS timestamp, NULL::VARCHAR AS value, NULL::VARCHAR AS type, NULL::TIMESTAMP AS updated_timestamp, NULL::DATE AS date, NULL::VARCHAR AS symbol WHERE false';
  await c.db.run(`CREATE OR REPLACE TABLE joined AS
    WITH o AS (${ownRows}), n AS (SELECT * EXCLUDE (period) FROM seed WHERE period = ${sqlString(period)})
    SELECT o.symbol IS NOT NULL AS had, n.symbol IS NOT NULL AS offered,
      n.symbol IS NOT NULL AND (o.symbol IS NULL OR (n.value IS DISTINCT FROM o.value AND n.updated_timestamp > o.updated_timestamp)) AS take_new,
      n.value IS NOT DISTINCT FROM o.value AS same, ${COLUMNS.flatMap((col) => [`o.${col} AS o_${col}`, `n.${col} AS n_${col}`]).join(', ')}
    FROM o FULL OUTER JOIN n ON o.symbol = n.symbol AND o.timestamp = n.timestamp`);
  const [inserted, replaced, identical, keptNewer] = (await c.db.runAndReadAll(`SELECT
      count(*) FILTER (take_new AND NOT had), count(*) FILTER (take_new AND had),
      count(*) FILTER (offered AND had AND same), count(*) FILTER (offered AND had AND NOT same AND NOT take_new) FROM joined`)).getRows()[0]!.map(Number) as [number, number, number, number];
  Object.assign(d, { inserted: d.inserted + inserted, replaced: d.replaced + replaced, identical: d.identical + identical, keptNewer: d.keptNewer + keptNewer });
  const pick = (col: string) => `CASE WHEN take_new THEN n_${col} ELSE o_${col} END AS ${col}`;
  await c.db.run(`INSERT INTO expected SELECT ${sqlString(period)}, ${COLUMNS.map(pick).join(', ')} FROM joined`);
  if (inserted + replaced === 0) return false;
  const merged = localCopy(c, key, 'merged');
  await mkdir(join(merged, '..'), { recursive: true });
  await c.db.run(`COPY (SELECT * EXCLUDE (period) FROM expected WHERE period = ${sqlString(period)} ORDER BY symbol, timestamp)
    TO ${sqlString(merged)} (FORMAT parquet, COMPRESSION zstd)`);
  return true;
}

/**
 * Reads every partition the seed's rows went to back from the store and compares it with `expected` both ways,
 * row for row and value for value (types, updated_timestamps and dates included).
 */
async function verifyLanded(c: Ctx, feature: string, timeFrame: string, periods: string[]): Promise<void> {
  const landed: string[] = [];
  for (const period of periods) {
    const key = partitionKey(c.prefix, feature, timeFrame, period);
    const local = localCopy(c, key, 'landed');
    if (!(await c.objects.getFile(key, local))) throw new Error(`${c.objects.location}/${key} is missing after the migration wrote it`);
    landed.push(`SELECT ${sqlString(period)} AS period, * FROM read_parquet(${sqlString(local)}, hive_partitioning = false)`);
  }
  const diff = (await c.db.runAndReadAll(`WITH l AS (${landed.join(' UNION ALL ')})
    SELECT (SELECT count(*) FROM (SELECT * FROM l EXCEPT ALL SELECT * FROM expected)), (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM l)),
           (SELECT count(*) FROM seed s ANTI JOIN l ON l.symbol = s.symbol AND l.timestamp = s.timestamp)`)).getRows()[0]!.map(Number);
  if (diff.some((n) => n > 0)) {
    throw new Error(`verification failed for ${feature} ${timeFrame}: ${diff[0]} unexpected row(s), ${diff[1]} missing row(s), ${diff[2]} seed row(s) absent; the seed's files are untouched and the marker was not written`);
  }
}
