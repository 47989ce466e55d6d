import { featureSpec } from '../core/feature-catalog.js';
import { sqlIdent, sqlString } from './duckdb-session.js';
import type { FeatureBatch } from './feature-store.js';

/** Partition file key of one feature, time frame and period. */
export function partitionKey(prefix: string, feature: string, timeFrame: string, period: string): string {
  return `${prefix}/feature=${feature}/time_frame=${timeFrame}/${period}.parquet`;
}

/** SQL giving the partition period of a `YYYY-MM-DD` column: the year, or year-month for minute frames. */
export function periodSql(timeFrame: string, dateColumn: string): string {
  return timeFrame.endsWith('Min') ? `substr(${dateColumn}, 1, 7)` : `substr(${dateColumn}, 1, 4)`;
}

/** SQL turning a staged DOUBLE into the long format's string value for a feature type. */
export function valueSql(type: string, column: string): string {
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
export function pivotExpr(feature: string): string {
  const spec = featureSpec(feature);
  const f = sqlString(feature);
  if (spec.type === 'bool') {
    return `max(CASE WHEN feature = ${f} THEN (CASE lower(value) WHEN 'true' THEN 1.0 WHEN '1' THEN 1.0 WHEN 'false' THEN 0.0 WHEN '0' THEN 0.0 END) END)`;
  }
  return `max(CASE WHEN feature = ${f} THEN TRY_CAST(value AS DOUBLE) END)`;
}

/** The merge of the staged rows of one feature and period (`n`) with the stored partition file (`o`, if any). */
export function mergeSql(stage: string, batch: FeatureBatch, feature: string, period: string, current: string | null): string {
  const spec = featureSpec(feature);
  const updated = batch.updatedAt.toISOString().replace('T', ' ').replace('Z', '');
  const newRows = `
    SELECT make_timestamp((ts * 1000)::BIGINT) AS timestamp, ${valueSql(spec.type, sqlIdent(feature))} AS value,
           ${sqlString(spec.type)} AS type, TIMESTAMP ${sqlString(updated)} AS updated_timestamp,
           CAST(date AS DATE) AS date, symbol
    FROM ${stage} WHERE ${periodSql(batch.timeFrame, 'date')} = ${sqlString(period)}
    QUALIFY row_number() OVER (PARTITION BY symbol, ts ORDER BY ts) = 1`;
  const oldRows = current
    ? `SELECT timestamp, value, type, updated_timestamp, date, symbol FROM read_parquet(${sqlString(current)}, hive_partitioning = false)`
    : `SELECT NULL::TIMESTAMP AS timestamp, NULL::VARCHAR AS value, NULL::VARCHAR AS type, NULL::TIMESTAMP AS updated_timestamp, NULL::DATE AS date, NULL::VARCHAR AS symbol WHERE false`;
  return `
    WITH n AS (${newRows}), o AS (${oldRows})
    SELECT
      coalesce(o.symbol, n.symbol) AS symbol,
      coalesce(o.timestamp, n.timestamp) AS timestamp,
      (n.symbol IS NOT NULL AND (o.symbol IS NULL OR (n.value IS DISTINCT FROM o.value AND n.updated_timestamp > o.updated_timestamp))) AS take_new,
      o.value AS o_value, o.type AS o_type, o.updated_timestamp AS o_updated, o.date AS o_date,
      n.value AS n_value, n.type AS n_type, n.updated_timestamp AS n_updated, n.date AS n_date
    FROM o FULL OUTER JOIN n ON o.symbol = n.symbol AND o.timestamp = n.timestamp`;
}
