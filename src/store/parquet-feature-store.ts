import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { WideFrame } from '../core/wide-frame.js';
import { featureSpec } from '../core/feature-catalog.js';
import { pinFile, tempDirPrefix, tempPathFor } from '../core/atomic-file.js';
import type { ObjectStore } from './object-store.js';
import type { FeatureBatch, FeatureCoverage, FeatureStore, WideQuery, WriteSummary } from './feature-store.js';
import { openDuckDb, sqlIdent, sqlString } from './duckdb-session.js';
import { readWideResult } from './wide-result.js';
import { mergeSql, partitionKey, periodSql, pivotExpr } from './feature-sql.js';
import { dropConflictingDuplicates } from './duplicate-rows.js';
import { isOwnPartitionFile, longRowsSql, unmigratedSeedFiles } from './seed-layout.js';

export { partitionKey } from './feature-sql.js';

/** Local files a query reads: pinned copies of the partitions, removed once the query is done. */
interface ReadSet {
  paths: string[];
  /** The error of a query over these files, naming the stored partitions rather than their pinned copies. */
  explain(err: unknown): unknown;
  release(): Promise<void>;
}
import { FeatureProvenance } from './feature-provenance.js';

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
 *
 * Safe under concurrency: each partition's read-merge-write is one `ObjectStore.update` (a lock file per
 * partition locally, a conditional PUT on S3), so concurrent writers, in this process or others, never lose each
 * other's rows; readers query pinned snapshots of the files, so a partition replaced mid-query cannot tear a read.
 */
export class ParquetFeatureStore implements FeatureStore {
  private tableCounter = 0;
  private scratch: string | undefined;
  private readonly provenance: FeatureProvenance;

  private constructor(
    private readonly options: ParquetFeatureStoreOptions,
    private readonly db: DuckDBConnection,
    private readonly closeDb: () => void,
  ) {
    this.provenance = new FeatureProvenance({ objects: options.objects, prefix: options.prefix, storedSymbols: async (f, tf) => (await this.coverage(f, tf)).map((c) => c.symbol) });
  }

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
    if (batch.symbols.length === 0) return { changedRows, filesWritten: 0, conflicts: [] };
    const origin = batch.source === undefined ? undefined : { source: batch.source, allowSourceChange: batch.allowSourceChange };
    // provenance: refuse a write that would mix sources before anything lands; record the writer once it has
    const sourceChanges = origin ? await this.provenance.check(features, batch.timeFrame, [...new Set(batch.symbols)], origin) : [];
    const stage = await this.stageBatch(batch);
    let filesWritten = 0;
    try {
      const conflicts = await dropConflictingDuplicates(this.db, stage, features);
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
      if (origin) await this.provenance.record(features, batch.timeFrame, batch.symbols, origin, batch.updatedAt);
      return { changedRows, filesWritten, conflicts, ...(sourceChanges.length ? { sourceChanges } : {}) };
    } finally {
      await this.db.run(`DROP TABLE IF EXISTS ${stage}`);
    }
  }

  /** {@inheritDoc FeatureStore.recordedSources} */
  recordedSources(features: string[], timeFrame: string): Promise<Map<string, Map<string, string>>> {
    return this.provenance.sources(features, timeFrame);
  }

  /** {@inheritDoc FeatureStore.queryWide} */
  async queryWide(query: WideQuery): Promise<WideFrame> {
    if (query.features.length === 0) throw new Error('queryWide: at least one feature is required');
    return this.withLongRows(query.features, query.timeFrame, async (rows) => {
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
      const result = await this.db.run(`
        SELECT symbol, epoch_ms(timestamp)::DOUBLE AS ts,
          ${columns}
        FROM ${rows.sql}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        GROUP BY symbol, timestamp
        ORDER BY symbol, timestamp`);
      return readWideResult(result, query.features);
    }, query.startDate, query.endDate);
  }

  /** {@inheritDoc FeatureStore.coverage} */
  async coverage(feature: string, timeFrame: string): Promise<FeatureCoverage[]> {
    return this.withLongRows([feature], timeFrame, async (rows) => {
      if (rows.found.size === 0) return [];
      const reader = await this.db.runAndReadAll(`
        SELECT symbol, strftime(min(date), '%Y-%m-%d'), strftime(max(date), '%Y-%m-%d'), count(*)::DOUBLE
        FROM ${rows.sql}
        GROUP BY symbol ORDER BY symbol`);
      return reader.getRows().map((r) => ({ symbol: String(r[0]), firstDate: String(r[1]), lastDate: String(r[2]), rows: Number(r[3]) }));
    });
  }

  /** Reads the stored long rows of one feature (for inspection and tests), sorted by symbol and time. */
  async readLong(feature: string, timeFrame: string): Promise<Array<Record<string, string>>> {
    return this.withLongRows([feature], timeFrame, async (rows) => {
      if (rows.found.size === 0) return [];
      const reader = await this.db.runAndReadAll(`
        SELECT strftime(timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS timestamp, value, type,
               strftime(updated_timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS updated_timestamp,
               strftime(date, '%Y-%m-%d') AS date, symbol, feature, time_frame
        FROM ${rows.sql}
        ORDER BY symbol, timestamp`);
      return reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
    });
  }

  /** {@inheritDoc FeatureStore.close} */
  async close(): Promise<void> {
    this.closeDb();
    if (this.scratch) await rm(this.scratch, { recursive: true, force: true });
  }

  /** Appends the batch into a DuckDB staging table: symbol, ts (ms), date, one DOUBLE column per feature. */
  private async stageBatch(batch: FeatureBatch): Promise<string> {
    const name = `stage_${++this.tableCounter}`;
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
   * Merges one feature's staged rows of one period into its Parquet file, as one update of the object store (so
   * a concurrent writer's rows are never lost). A staged value replaces the stored one only when it differs and
   * is newer, so an identical re-run changes nothing (and rewrites nothing).
   */
  private async mergePartition(stage: string, batch: FeatureBatch, feature: string, period: string): Promise<number> {
    const key = partitionKey(this.options.prefix, feature, batch.timeFrame, period);
    const merged = `merged_${++this.tableCounter}`;
    return this.options.objects.update(key, async ({ current, output }) => {
      try {
        await this.db.run(`CREATE OR REPLACE TABLE ${merged} AS ${mergeSql(stage, batch, feature, period, current)}`);
        const changed = Number((await this.db.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${merged} WHERE take_new`)).getRows()[0]![0]);
        if (changed === 0) return { write: false, result: 0 };
        await this.db.run(`
          COPY (
            SELECT timestamp,
                   CASE WHEN take_new THEN n_value ELSE o_value END AS value,
                   CASE WHEN take_new THEN n_type ELSE o_type END AS type,
                   CASE WHEN take_new THEN n_updated ELSE o_updated END AS updated_timestamp,
                   CASE WHEN take_new THEN n_date ELSE o_date END AS date,
                   symbol
            FROM ${merged} ORDER BY symbol, timestamp
          ) TO ${sqlString(output)} (FORMAT parquet, COMPRESSION zstd)`);
        return { write: true, result: changed };
      } catch (err) {
        throw withPartitionPath(err, current ? `${this.options.objects.location}/${key}` : undefined);
      } finally {
        await this.db.run(`DROP TABLE IF EXISTS ${merged}`);
      }
    });
  }

  /** Stored partition files of the features, restricted to periods overlapping the date range. */
  private filesFor(
    listed: Map<string, string[]>,
    timeFrame: string,
    startDate?: string,
    endDate?: string,
  ): Array<{ feature: string; key: string }> {
    const out: Array<{ feature: string; key: string }> = [];
    for (const [feature, keys] of listed) {
      const dir = `${this.options.prefix}/feature=${feature}/time_frame=${timeFrame}/`;
      for (const key of keys) {
        if (!key.startsWith(dir) || key.slice(dir.length).includes('/') || !isOwnPartitionFile(key.slice(dir.length))) continue;
        const period = key.slice(dir.length, -'.parquet'.length);
        if (startDate && period < startDate.slice(0, period.length)) continue;
        if (endDate && period > endDate.slice(0, period.length)) continue;
        out.push({ feature, key });
      }
    }
    return out;
  }

  /**
   * Runs `use` over the long rows of the features, read from pinned copies of the files: stockcast's own, and the
   * seed's where it left files not yet migrated (seed-layout.ts). `found` names the features with any file.
   */
  private async withLongRows<T>(features: string[], timeFrame: string, use: (rows: { sql: string; found: Set<string> }) => Promise<T>, startDate?: string, endDate?: string): Promise<T> {
    // one listing per feature serves both layouts (each LIST is a request on S3)
    const listed = new Map<string, string[]>();
    for (const feature of features) {
      featureSpec(feature);
      listed.set(feature, await this.options.objects.list(`${this.options.prefix}/feature=${feature}/`));
    }
    const own = this.filesFor(listed, timeFrame, startDate, endDate);
    const seedKeys = await unmigratedSeedFiles(this.options.objects, this.options.prefix, features, timeFrame, listed);
    const reads: ReadSet[] = [];
    try {
      const ownRead = await this.pin(own.map((f) => f.key));
      reads.push(ownRead);
      const seed = new Map<string, string[]>();
      for (const [feature, keys] of seedKeys) {
        const read = await this.pin(keys);
        reads.push(read);
        seed.set(feature, read.paths);
      }
      const found = new Set([...own.map((f) => f.feature), ...seedKeys.keys()]);
      if (found.size === 0) return await use({ sql: '', found });
      return await use({ sql: longRowsSql(ownRead.paths, seed, timeFrame), found });
    } catch (err) {
      throw reads.reduce((e, r) => r.explain(e), err);
    } finally {
      await Promise.all(reads.map((r) => r.release()));
    }
  }

  /**
   * Local files DuckDB can read for the keys, each a private snapshot: a hard link beside a local file (DuckDB
   * opens a file more than once per query, and a writer may replace it in between), a download for a remote store.
   */
  private async pin(keys: string[]): Promise<ReadSet> {
    const objects = this.options.objects;
    const paths: string[] = [];
    const stored = new Map<string, string>();
    const release = async () => {
      await Promise.all(paths.map((p) => rm(p, { force: true })));
    };
    try {
      for (const key of keys) {
        let local: string | null;
        if (objects.localPath) {
          local = await pinFile(objects.localPath(key));
        } else {
          this.scratch ??= await mkdtemp(tempDirPrefix('fs'));
          local = tempPathFor(join(this.scratch, key));
          await mkdir(dirname(local), { recursive: true });
          if (!(await objects.getFile(key, local))) local = null;
        }
        if (local) paths.push(local);
        if (local) stored.set(local, objects.localPath ? objects.localPath(key) : `${objects.location}/${key}`);
      }
    } catch (err) {
      await release();
      throw err;
    }
    const explain = (err: unknown) => {
      if (!(err instanceof Error)) return err;
      let message = err.message;
      for (const [pinned, original] of stored) message = message.replaceAll(pinned, original);
      return message === err.message ? err : new Error(message, { cause: err });
    };
    return { paths, explain, release };
  }
}

/** A DuckDB error while reading a stored partition, with the partition named (a corrupt file is then found). */
function withPartitionPath(err: unknown, where: string | undefined): unknown {
  if (!where || !(err instanceof Error) || err.message.includes(where)) return err;
  return new Error(`merging into ${where} failed: ${err.message}`, { cause: err });
}
