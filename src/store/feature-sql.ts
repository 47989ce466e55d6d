import { featureSpec } from '../core/feature-catalog.js';
import { sqlString } from './duckdb-session.js';

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
