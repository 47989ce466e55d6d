import { mkdtemp, rm, rename, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { WideFrame } from '../core/wide-frame.js';
import { featureSpec } from '../core/feature-catalog.js';
import type { ObjectStore } from './object-store.js';
import type { FeatureBatch, FeatureCoverage, FeatureStore, WideQuery, WriteSummary } from './feature-store.js';
import { openDuckDb, sqlIdent, sqlString } from './duckdb-session.js';
import { readWideResult } from './wide-result.js';
import { isOwnPartitionFile, longRowsSql, unmigratedSeedFiles } from './seed-layout.js';

/** Options of the Parquet feature store. */
export interface ParquetFeatureStoreOptions {
  objects: ObjectStore;
  /** Key prefix of the hive layout (the seed's ATHENA_TABLE_S3_PREFIX). */
  prefix: string;
  threads?: number;
}

/**
 * The feature store: the seed's long format as hive-partitioned Parquet,
 * `<prefix>/feature=<f>/time_frame=<tf>/<period>.parquet`, one file per year (per month for minute frames),
 * merged on write by DuckDB so re-runs leave the same content, and pivoted to a wide frame by DuckDB.
 */
export class ParquetFeatureStore implements FeatureStore {
  private stageCounter = 0;
  private scratch: string | undefined;

  private constructor(
    private readonly options: ParquetFeatureStoreOptions,
    private readonly db: DuckDBConnection,
    private readonly closeDb: () => void,
  ) {}

  /** Opens a store over an object store (local directory or S3). */
  static async open(options: ParquetFeatureStoreOptions): Promise<ParquetFeatureStore> {
    const { connection, close } = await openDuckDb({ threads: options.threads });
    await connection.run("SET TimeZone = 'UTC'");
    return new ParquetFeatureStore(options, connection, close);
  }

  /** {@inheritDoc FeatureStore.write} */
  async write(batch: FeatureBatch): Promise<WriteSummary> {
    const features = [...batch.values.keys()];
    for (const f of features) featureSpec(f);
    const changedRows = new Map<string, number>(features.map((f) => [f, 0]));
    if (batch.symbols.length === 0) return { changedRows, filesWritten: 0 };
    const stage = await this.stageBatch(batch);
    let filesWritten = 0;
    try {
      const periodExpr = periodSql(batch.timeFrame, 'date');
      const periods = (await this.db.runAndReadAll(`SELECT DISTINCT ${periodExpr} AS p FROM ${stage} ORDER BY p`))
        .getRows()
        .map((r) => String(r[0]));
      for (const feature of features) {
        for (const period of periods) {
          const changed = await this.mergePartition(stage, batch, feature, period);
          changedRows.set(feature, (changedRows.get(feature) ?? 0) + changed);
          if (changed > 0) filesWritten++;
        }
      }
    } finally {
      await this.db.run(`DROP TABLE IF EXISTS ${stage}`);
    }
    return { changedRows, filesWritten };
  }

  /** {@inheritDoc FeatureStore.queryWide} */
  async queryWide(query: WideQuery): Promise<WideFrame> {
    if (query.features.length === 0) throw new Error('queryWide: at least one feature is required');
    const rows = await this.longRows(query.features, query.timeFrame, query.startDate, query.endDate);
    const missing = query.features.filter((f) => !rows.found.has(f));
    if (missing.length > 0) {
      throw new Error(
        `no data in the feature store for ${missing.join(', ')} at time frame ${query.timeFrame}` +
          `${query.startDate ? ` from ${query.startDate}` : ''}${query.endDate ? ` to ${query.endDate}` : ''}: run \`stockcast backfill\` first`,
      );
    }
    const where: string[] = [];
    if (query.symbols && query.symbols.length > 0) where.push(`symbol IN (${query.symbols.map(sqlString).join(', ')})`);
    if (query.startDate) where.push(`date >= DATE ${sqlString(query.startDate)}`);
    if (query.endDate) where.push(`date <= DATE ${sqlString(query.endDate)}`);
    const columns = query.features.map((f) => `${pivotExpr(f)} AS ${sqlIdent(f)}`).join(',\n  ');
    const sql = `
      SELECT symbol, epoch_ms(timestamp)::DOUBLE AS ts,
        ${columns}
      FROM ${rows.sql}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY symbol, timestamp
      ORDER BY symbol, timestamp`;
    const result = await this.db.run(sql);
    return readWideResult(result, query.features);
  }

  /** {@inheritDoc FeatureStore.coverage} */
  async coverage(feature: string, timeFrame: string): Promise<FeatureCoverage[]> {
    const rows = await this.longRows([feature], timeFrame);
    if (rows.found.size === 0) return [];
    const reader = await this.db.runAndReadAll(`
      SELECT symbol, strftime(min(date), '%Y-%m-%d'), strftime(max(date), '%Y-%m-%d'), count(*)::DOUBLE
      FROM ${rows.sql}
      GROUP BY symbol ORDER BY symbol`);
    return reader.getRows().map((r) => ({
      symbol: String(r[0]),
      firstDate: String(r[1]),
      lastDate: String(r[2]),
      rows: Number(r[3]),
    }));
  }

  /** Reads the stored long rows of one feature (for inspection and tests), sorted by symbol and time. */
  async readLong(feature: string, timeFrame: string): Promise<Array<Record<string, string>>> {
    const rows = await this.longRows([feature], timeFrame);
    if (rows.found.size === 0) return [];
    const reader = await this.db.runAndReadAll(`
      SELECT strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS timestamp, value, type,
             strftime(updated_timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS updated_timestamp,
             strftime(date, '%Y-%m-%d') AS date, symbol, feature, time_frame
      FROM ${rows.sql}
      ORDER BY symbol, timestamp`);
    return reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
  }

  /** {@inheritDoc FeatureStore.close} */
  async close(): Promise<void> {
    this.closeDb();
    if (this.scratch) await rm(this.scratch, { recursive: true, force: true });
  }

  /** Appends the batch into a DuckDB staging table: symbol, ts (ms), date, one DOUBLE column per feature. */
  private async stageBatch(batch: FeatureBatch): Promise<string> {
    const name = `stage_${++this.stageCounter}`;
    const features = [...batch.values.keys()];
    const cols = features.map((f) => `${sqlIdent(f)} DOUBLE`).join(', ');
    await this.db.run(`CREATE TABLE ${name} (symbol VARCHAR, ts DOUBLE, date VARCHAR, ${cols})`);
    const appender = await this.db.createAppender(name);
    const columns = features.map((f) => batch.values.get(f)!);
    const n = batch.symbols.length;
    for (let i = 0; i < n; i++) {
      appender.appendVarchar(batch.symbols[i]!);
      appender.appendDouble(batch.timestamps[i]!);
      appender.appendVarchar(batch.dates[i]!);
      for (const col of columns) appender.appendDouble(col[i]!);
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
    return name;
  }

  /**
   * Merges one feature's staged rows of one period into its Parquet file. A staged value replaces the stored one
   * only when it differs and is newer, so an identical re-run changes nothing (and rewrites nothing).
   */
  private async mergePartition(stage: string, batch: FeatureBatch, feature: string, period: string): Promise<number> {
    const spec = featureSpec(feature);
    const key = partitionKey(this.options.prefix, feature, batch.timeFrame, period);
    const existing = await this.readablePath(key);
    const updated = batch.updatedAt.toISOString().replace('T', ' ').replace('Z', '');
    const newRows = `
      SELECT make_timestamp((ts * 1000)::BIGINT) AS timestamp, ${valueSql(spec.type, sqlIdent(feature))} AS value,
             ${sqlString(spec.type)} AS type, TIMESTAMP ${sqlString(updated)} AS updated_timestamp,
             CAST(date AS DATE) AS date, symbol
      FROM ${stage} WHERE ${periodSql(batch.timeFrame, 'date')} = ${sqlString(period)}
      QUALIFY row_number() OVER (PARTITION BY symbol, ts ORDER BY ts) = 1`;
    const oldRows = existing
      ? `SELECT timestamp, value, type, updated_timestamp, date, symbol FROM read_parquet(${sqlString(existing)}, hive_partitioning = false)`
      : `SELECT NULL::TIMESTAMP AS timestamp, NULL::VARCHAR AS value, NULL::VARCHAR AS type, NULL::TIMESTAMP AS updated_timestamp, NULL::DATE AS date, NULL::VARCHAR AS symbol WHERE false`;
    const merged = `merged_${this.stageCounter}`;
    await this.db.run(`
      CREATE OR REPLACE TABLE ${merged} AS
      WITH n AS (${newRows}), o AS (${oldRows})
      SELECT
        coalesce(o.symbol, n.symbol) AS symbol,
        coalesce(o.timestamp, n.timestamp) AS timestamp,
        (n.symbol IS NOT NULL AND (o.symbol IS NULL OR (n.value IS DISTINCT FROM o.value AND n.updated_timestamp > o.updated_timestamp))) AS take_new,
        o.value AS o_value, o.type AS o_type, o.updated_timestamp AS o_updated, o.date AS o_date,
        n.value AS n_value, n.type AS n_type, n.updated_timestamp AS n_updated, n.date AS n_date
      FROM o FULL OUTER JOIN n ON o.symbol = n.symbol AND o.timestamp = n.timestamp`);
    try {
      const changed = Number(
        (await this.db.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${merged} WHERE take_new`)).getRows()[0]![0],
      );
      if (changed === 0) return 0;
      const local = await this.localTarget(key);
      const tmp = `${local}.${process.pid}.${Date.now()}.tmp`;
      await mkdir(dirname(local), { recursive: true });
      await this.db.run(`
        COPY (
          SELECT timestamp,
                 CASE WHEN take_new THEN n_value ELSE o_value END AS value,
                 CASE WHEN take_new THEN n_type ELSE o_type END AS type,
                 CASE WHEN take_new THEN n_updated ELSE o_updated END AS updated_timestamp,
                 CASE WHEN take_new THEN n_date ELSE o_date END AS date,
                 symbol
          FROM ${merged} ORDER BY symbol, timestamp
        ) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
      if (this.options.objects.localPath) {
        await rename(tmp, local);
      } else {
        await this.options.objects.putFile(key, tmp);
        await rm(tmp, { force: true });
      }
      return changed;
    } finally {
      await this.db.run(`DROP TABLE IF EXISTS ${merged}`);
    }
  }

  /** Long rows of the features: stockcast's files, and the seed's where it left files not yet migrated (seed-layout.ts). */
  private async longRows(features: string[], timeFrame: string, startDate?: string, endDate?: string): Promise<{ sql: string; found: Set<string> }> {
    const own = await this.filesFor(features, timeFrame, startDate, endDate);
    const seed = await unmigratedSeedFiles(this.options.objects, this.options.prefix, features, timeFrame);
    for (const [feature, keys] of seed) seed.set(feature, await this.readablePaths(keys));
    const found = new Set([...own.map((f) => f.feature), ...seed.keys()]);
    return { sql: longRowsSql(await this.readablePaths(own.map((f) => f.key)), seed, timeFrame), found };
  }

  /** Stored partition files of the features, restricted to periods overlapping the date range. */
  private async filesFor(
    features: string[],
    timeFrame: string,
    startDate?: string,
    endDate?: string,
  ): Promise<Array<{ feature: string; key: string }>> {
    const out: Array<{ feature: string; key: string }> = [];
    for (const feature of features) {
      featureSpec(feature);
      const dir = `${this.options.prefix}/feature=${feature}/time_frame=${timeFrame}/`;
      for (const key of await this.options.objects.list(dir)) {
        if (!isOwnPartitionFile(key.slice(dir.length))) continue;
        const period = key.slice(dir.length, -'.parquet'.length);
        if (startDate && period < startDate.slice(0, period.length)) continue;
        if (endDate && period > endDate.slice(0, period.length)) continue;
        out.push({ feature, key });
      }
    }
    return out;
  }

  /** Local paths DuckDB can read for the keys (downloading from a remote store into scratch space). */
  private async readablePaths(keys: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const key of keys) {
      const p = await this.readablePath(key);
      if (p) out.push(p);
    }
    return out;
  }

  private async readablePath(key: string): Promise<string | undefined> {
    const objects = this.options.objects;
    if (objects.localPath) {
      const p = objects.localPath(key);
      return (await objects.exists(key)) ? p : undefined;
    }
    const local = await this.localTarget(key);
    return (await objects.getFile(key, local)) ? local : undefined;
  }

  /** Where a key lives on local disk: in place for a local store, in scratch space for a remote one. */
  private async localTarget(key: string): Promise<string> {
    const objects = this.options.objects;
    if (objects.localPath) return objects.localPath(key);
    this.scratch ??= await mkdtemp(join(tmpdir(), 'stockcast-fs-'));
    const p = join(this.scratch, key);
    await mkdir(dirname(p), { recursive: true });
    return p;
  }
}

/** Partition file key of one feature, time frame and period. */
export function partitionKey(prefix: string, feature: string, timeFrame: string, period: string): string {
  return `${prefix}/feature=${feature}/time_frame=${timeFrame}/${period}.parquet`;
}

/** SQL giving the partition period of a `YYYY-MM-DD` column: the year, or year-month for minute frames. */
export function periodSql(timeFrame: string, dateColumn: string): string {
  return timeFrame.endsWith('Min') ? `substr(${dateColumn}, 1, 7)` : `substr(${dateColumn}, 1, 4)`;
}

/** SQL turning a staged DOUBLE into the long format's string value for a feature type. */
function valueSql(type: string, column: string): string {
  switch (type) {
    case 'bool':
      return `CASE WHEN isnan(${column}) THEN 'NaN' WHEN ${column} <> 0 THEN 'true' ELSE 'false' END`;
    case 'int':
      return `CASE WHEN isnan(${column}) THEN 'NaN' ELSE CAST(CAST(${column} AS BIGINT) AS VARCHAR) END`;
    default:
      return `CAST(${column} AS VARCHAR)`;
  }
}

/** SQL pivoting one feature's string values into a typed DOUBLE column. */
function pivotExpr(feature: string): string {
  const spec = featureSpec(feature);
  const f = sqlString(feature);
  if (spec.type === 'bool') {
    return `max(CASE WHEN feature = ${f} THEN (CASE lower(value) WHEN 'true' THEN 1.0 WHEN '1' THEN 1.0 WHEN 'false' THEN 0.0 WHEN '0' THEN 0.0 END) END)`;
  }
  return `max(CASE WHEN feature = ${f} THEN TRY_CAST(value AS DOUBLE) END)`;
}
