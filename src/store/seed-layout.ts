/**
 * The seed's feature layout, read as it is. The Python seed appends one file per backfill run,
 * `<prefix>/feature=<f>/time_frame=<Unit>/historical_data_<ts>.parquet`, with every column of the uniform format in
 * the file (feature and time_frame included), names its time frames by unit only (`Day`, `Hour`, `Min`), and
 * dedupes at read time by the newest updated_timestamp. stockcast keeps `time_frame=1Day/<year>.parquet` files
 * without the partition columns. This module finds the seed's files beside stockcast's and builds the SQL that reads
 * both as one set of long rows, deduped the seed's way.
 */
import { formatTimeFrame, parseTimeFrame, timeFrameFromSeed } from '../core/time-frame.js';
import type { ObjectStore } from './object-store.js';
import { sqlString } from './duckdb-session.js';

/** Name of the marker a migration leaves in a seed directory: the files it moved into stockcast's layout. */
export const MIGRATED_MARKER = '_stockcast_migrated.json';

/** What `store migrate` records about the seed files of one directory it has migrated. */
export interface MigratedMarker {
  files: string[];
  timeFrame: string;
  migratedAt: string;
}

/** A seed file of one feature: its key and the stockcast time frame its directory stands for. */
export interface SeedFile {
  key: string;
  feature: string;
  /** stockcast's name of the time frame, e.g. `1Day` for the seed's `Day`. */
  timeFrame: string;
  /** The `time_frame=` directory it sits in, as written (`Day`, `1Day`, …). */
  directory: string;
}

/** True for stockcast's own partition files: `<year>.parquet` or `<year>-<month>.parquet`. */
export function isOwnPartitionFile(name: string): boolean {
  return /^\d{4}(-\d{2})?\.parquet$/.test(name);
}

/**
 * stockcast's name of a seed `time_frame` directory: `Day` → `1Day`, `Hour` → `1Hour`, `Min`/`Minute` → `1Min`,
 * `Week`, `Month`; stockcast's own names map to themselves; null for anything else.
 */
export function stockcastTimeFrame(seedName: string): string | null {
  try {
    return formatTimeFrame(parseTimeFrame(seedName));
  } catch {
    try {
      return formatTimeFrame(timeFrameFromSeed(seedName, 1));
    } catch {
      return null;
    }
  }
}

/** Splits `<prefix>/feature=<f>/time_frame=<tf>/<file>` into its parts; null for any other key. */
export function parseFeatureKey(prefix: string, key: string): { feature: string; directory: string; file: string } | null {
  if (!key.startsWith(`${prefix}/`)) return null;
  const m = /^feature=([^/]+)\/time_frame=([^/]+)\/([^/]+)$/.exec(key.slice(prefix.length + 1));
  return m ? { feature: m[1]!, directory: m[2]!, file: m[3]! } : null;
}

/** Every seed-format Parquet file under `<prefix>/feature=<f>/` whose directory maps to a stockcast time frame. */
export async function listSeedFiles(objects: ObjectStore, prefix: string, feature?: string): Promise<SeedFile[]> {
  return seedFilesOf(prefix, await objects.list(feature ? `${prefix}/feature=${feature}/` : `${prefix}/`));
}

/** The seed-format Parquet files among listed keys (those under a directory that maps to a stockcast time frame). */
export function seedFilesOf(prefix: string, keys: string[]): SeedFile[] {
  const out: SeedFile[] = [];
  for (const key of keys) {
    const parts = parseFeatureKey(prefix, key);
    if (!parts || !parts.file.endsWith('.parquet') || isOwnPartitionFile(parts.file)) continue;
    const timeFrame = stockcastTimeFrame(parts.directory);
    if (timeFrame) out.push({ key, feature: parts.feature, timeFrame, directory: parts.directory });
  }
  return out;
}

/** The key of the migration marker of a seed directory. */
export function markerKey(prefix: string, feature: string, directory: string): string {
  return `${prefix}/feature=${feature}/time_frame=${directory}/${MIGRATED_MARKER}`;
}

/** Reads a directory's migration marker; null when there is none. */
export async function readMarker(objects: ObjectStore, key: string): Promise<MigratedMarker | null> {
  const body = await objects.get(key);
  if (!body) return null;
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as MigratedMarker;
    if (!Array.isArray(parsed.files)) throw new Error('no "files" list');
    return parsed;
  } catch (err) {
    throw new Error(`${objects.location}/${key} is not a readable migration marker (${(err as Error).message}): delete it and run \`stockcast store migrate\` again`);
  }
}

/**
 * The seed files of these features and time frame that a reader still has to read: those a migration has not yet
 * copied into stockcast's layout (its marker lists them). Grouped by feature; `listed` holds each feature's keys
 * when the caller listed `<prefix>/feature=<f>/` already.
 */
export async function unmigratedSeedFiles(objects: ObjectStore, prefix: string, features: string[], timeFrame: string, listed?: Map<string, string[]>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const feature of features) {
    const keys = listed?.get(feature) ?? (await objects.list(`${prefix}/feature=${feature}/`));
    const files = seedFilesOf(prefix, keys).filter((f) => f.timeFrame === timeFrame);
    const done = new Set<string>();
    for (const dir of new Set(files.map((f) => f.directory))) {
      for (const name of (await readMarker(objects, markerKey(prefix, feature, dir)))?.files ?? []) done.add(`${dir}/${name}`);
    }
    const left = files.filter((f) => !done.has(`${f.directory}/${f.key.slice(f.key.lastIndexOf('/') + 1)}`)).map((f) => f.key);
    if (left.length > 0) out.set(feature, left);
  }
  return out;
}

/**
 * SQL of the seed's rows of one feature from local copies of its files, in stockcast's column types, duplicates
 * not yet removed. The feature comes from the directory (as Athena and DuckDB's hive partitioning take it), not
 * from the file's own column. `source` 0 ranks below stockcast's own rows on equal updated_timestamp.
 */
export function seedRowsSql(feature: string, paths: string[]): string {
  return `
    SELECT CAST(timestamp AS TIMESTAMP) AS timestamp, CAST(value AS VARCHAR) AS value, CAST(type AS VARCHAR) AS type,
           CAST(updated_timestamp AS TIMESTAMP) AS updated_timestamp, CAST(date AS DATE) AS date,
           CAST(symbol AS VARCHAR) AS symbol, ${sqlString(feature)} AS feature, 0 AS source, filename AS file
    FROM read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true, filename = true)`;
}

/** The seed's rule for duplicates: per feature, symbol and timestamp the newest updated_timestamp wins. */
export const NEWEST_FIRST = 'updated_timestamp DESC NULLS LAST, source DESC, file DESC, value DESC';

/**
 * SQL of the long rows `timestamp, value, type, updated_timestamp, date, symbol, feature, time_frame` read from
 * stockcast's files (`own`, hive-partitioned) and the seed's (`seed`, per feature). With no seed files it is the
 * plain read it always was; with some, duplicates across both are removed the seed's way.
 */
export function longRowsSql(own: string[], seed: Map<string, string[]>, timeFrame: string): string {
  const tf = sqlString(timeFrame);
  const ownSql = own.length
    ? `SELECT timestamp, value, type, updated_timestamp, date, symbol, feature, ${tf} AS time_frame FROM read_parquet([${own.map(sqlString).join(', ')}], hive_partitioning = true)`
    : '';
  if (seed.size === 0) return `(${ownSql})`;
  const branches = [...seed].map(([feature, paths]) => seedRowsSql(feature, paths));
  if (own.length) branches.push(`SELECT * EXCLUDE (time_frame), 1 AS source, '' AS file FROM (${ownSql})`);
  return `(
    SELECT timestamp, value, type, updated_timestamp, date, symbol, feature, ${tf} AS time_frame
    FROM (${branches.join('\n    UNION ALL BY NAME\n')})
    QUALIFY row_number() OVER (PARTITION BY feature, symbol, timestamp ORDER BY ${NEWEST_FIRST}) = 1)`;
}
