/**
 * CREATE EXTERNAL TABLE statements for the feature store and the predictions, for Athena (with partition
 * projection, so no crawler or MSCK is needed), Trino's Hive connector and Spark SQL. Partition columns are never
 * columns of the files (Spark refuses a file column that repeats a partition column, and Athena and Trino take the
 * value from the path); they come last, as Trino and Spark require. Pure text: tests compare the columns with
 * what DuckDB reads with hive_partitioning.
 */

/** Query engines `store ddl` writes for. */
export const DDL_ENGINES = ['athena', 'trino', 'spark'] as const;
export type DdlEngine = (typeof DDL_ENGINES)[number];

/** Column types of the Parquet files, in DuckDB's names. */
export type ColumnType = 'TIMESTAMP' | 'VARCHAR' | 'DATE' | 'DOUBLE' | 'DOUBLE[]';

/** The columns inside a feature partition file, in file order. */
export const FEATURE_FILE_COLUMNS: ReadonlyArray<[string, ColumnType]> = [
  ['timestamp', 'TIMESTAMP'],
  ['value', 'VARCHAR'],
  ['type', 'VARCHAR'],
  ['updated_timestamp', 'TIMESTAMP'],
  ['date', 'DATE'],
  ['symbol', 'VARCHAR'],
];
/** The feature store's partition columns, in path order. */
export const FEATURE_PARTITIONS = ['feature', 'time_frame'] as const;
/** The predictions' partition column (`<model_id>/output/predictions/part-*.parquet`). */
export const PREDICTION_PARTITIONS = ['model_id'] as const;

/** The columns inside a predictions file: the seed's, with one list column per quantile. */
export function predictionFileColumns(quantileColumns: string[]): Array<[string, ColumnType]> {
  return [['symbol', 'VARCHAR'], ['timestamp', 'TIMESTAMP'], ['current_y', 'DOUBLE'], ['y', 'DOUBLE[]'], ...quantileColumns.map((c): [string, ColumnType] => [c, 'DOUBLE[]'])];
}

const TYPES: Record<DdlEngine, Record<ColumnType, string>> = {
  athena: { TIMESTAMP: 'timestamp', VARCHAR: 'string', DATE: 'date', DOUBLE: 'double', 'DOUBLE[]': 'array<double>' },
  trino: { TIMESTAMP: 'timestamp', VARCHAR: 'varchar', DATE: 'date', DOUBLE: 'double', 'DOUBLE[]': 'array(double)' },
  // the files hold UTC wall-clock times without a zone (Parquet isAdjustedToUTC=false): TIMESTAMP_NTZ, Spark 3.4+
  spark: { TIMESTAMP: 'TIMESTAMP_NTZ', VARCHAR: 'STRING', DATE: 'DATE', DOUBLE: 'DOUBLE', 'DOUBLE[]': 'ARRAY<DOUBLE>' },
};

/** A column type in an engine's spelling. */
export function engineType(engine: DdlEngine, type: ColumnType): string {
  return TYPES[engine][type];
}

/** What a table statement needs. Locations end with `/`. */
export interface TableSpec {
  engine: DdlEngine;
  database: string;
  table: string;
  location: string;
  columns: ReadonlyArray<[string, ColumnType]>;
  partitions: readonly string[];
  /** Every partition (values in partition order) to project (Athena enum) or register (Trino, Spark). */
  partitionValues: string[][];
  /** Athena: partitions taking any value a query names (`injected`), rather than an enumerated list. */
  injected?: boolean;
  /** Path of one partition below the location, `${name}` standing for a partition value. */
  template: string;
}

/** The feature store's table: `<location>feature=<f>/time_frame=<tf>/`. */
export function featureTable(o: { engine: DdlEngine; database: string; table?: string; location: string; pairs: Array<[feature: string, timeFrame: string]> }): TableSpec {
  return { engine: o.engine, database: o.database, table: o.table ?? 'features', location: o.location, columns: FEATURE_FILE_COLUMNS, partitions: FEATURE_PARTITIONS, partitionValues: o.pairs, template: 'feature=${feature}/time_frame=${time_frame}/' };
}

/** The predictions' table: `<location><model_id>/output/predictions/`, one partition per model. */
export function predictionsTable(o: { engine: DdlEngine; database: string; table?: string; location: string; quantileColumns: string[]; modelIds: string[] }): TableSpec {
  return { engine: o.engine, database: o.database, table: o.table ?? 'predictions', location: o.location, columns: predictionFileColumns(o.quantileColumns), partitions: PREDICTION_PARTITIONS, partitionValues: o.modelIds.map((m) => [m]), injected: true, template: '${model_id}/output/predictions/' };
}

/** The statements creating the table (and, for Trino and Spark, registering its partitions). */
export function tableDdl(t: TableSpec): string {
  switch (t.engine) {
    case 'athena':
      return athenaDdl(t);
    case 'trino':
      return trinoDdl(t);
    case 'spark':
      return sparkDdl(t);
  }
}

const backtick = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const quote = (v: string) => `'${v.replaceAll("'", "''")}'`;
const dquote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A partition's location: the template with its values filled in. */
export function partitionLocation(t: TableSpec, values: string[]): string {
  return t.partitions.reduce((path, name, i) => path.replace(`\${${name}}`, values[i]!), `${t.location}${t.template}`);
}

function athenaDdl(t: TableSpec): string {
  const cols = t.columns.map(([n, ty]) => `  ${backtick(n)} ${engineType('athena', ty)}`).join(',\n');
  const props: Array<[string, string]> = [['projection.enabled', 'true']];
  t.partitions.forEach((p, i) => {
    if (t.injected) props.push([`projection.${p}.type`, 'injected']);
    else props.push([`projection.${p}.type`, 'enum'], [`projection.${p}.values`, [...new Set(t.partitionValues.map((v) => v[i]!))].sort().join(',')]);
  });
  props.push(['storage.location.template', `${t.location}${t.template}`]);
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${backtick(t.database)}.${backtick(t.table)} (
${cols}
)
PARTITIONED BY (${t.partitions.map((p) => `${backtick(p)} string`).join(', ')})
STORED AS PARQUET
LOCATION ${quote(t.location)}
TBLPROPERTIES (
${props.map(([k, v]) => `  ${quote(k)} = ${quote(v)}`).join(',\n')}
);
`;
}

function trinoDdl(t: TableSpec): string {
  const cols = [...t.columns.map(([n, ty]) => `  ${dquote(n)} ${engineType('trino', ty)}`), ...t.partitions.map((p) => `  ${dquote(p)} varchar`)].join(',\n');
  const create = `CREATE TABLE IF NOT EXISTS ${dquote(t.database)}.${dquote(t.table)} (
${cols}
)
WITH (
  format = 'PARQUET',
  external_location = ${quote(t.location)},
  partitioned_by = ARRAY[${t.partitions.map(quote).join(', ')}]
);
`;
  // registered one by one: sync_partition_metadata would also pick up the seed's own directories (time_frame=Day)
  const register = t.partitionValues.map(
    (v) => `CALL system.register_partition(${quote(t.database)}, ${quote(t.table)}, ARRAY[${t.partitions.map(quote).join(', ')}], ARRAY[${v.map(quote).join(', ')}], ${quote(partitionLocation(t, v))});`,
  );
  return [create, ...register].join('\n') + (register.length ? '\n' : '');
}

function sparkDdl(t: TableSpec): string {
  const cols = [...t.columns.map(([n, ty]) => `  ${backtick(n)} ${engineType('spark', ty)}`), ...t.partitions.map((p) => `  ${backtick(p)} STRING`)].join(',\n');
  const create = `CREATE TABLE IF NOT EXISTS ${backtick(t.database)}.${backtick(t.table)} (
${cols}
)
USING PARQUET
PARTITIONED BY (${t.partitions.map(backtick).join(', ')})
LOCATION ${quote(t.location)};
`;
  const add = t.partitionValues.map(
    (v) => `ALTER TABLE ${backtick(t.database)}.${backtick(t.table)} ADD IF NOT EXISTS PARTITION (${t.partitions.map((p, i) => `${backtick(p)} = ${quote(v[i]!)}`).join(', ')}) LOCATION ${quote(partitionLocation(t, v))};`,
  );
  return [create, ...add].join('\n') + (add.length ? '\n' : '');
}
