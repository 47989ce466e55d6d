import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { openDuckDb, sqlString } from '../../src/store/duckdb-session.js';
import { DDL_ENGINES, engineType, FEATURE_FILE_COLUMNS, featureTable, predictionsTable, tableDdl, type ColumnType, type DdlEngine } from '../../src/store/ddl.js';
import { featurePartitions, predictionLayout } from '../../src/store/table-layout.js';
import { partKey } from '../../src/store/prediction-parts.js';
import { writePredictions } from '../../src/store/predictions-parquet.js';

const ts = (date: string) => Date.parse(`${date}T05:00:00Z`);

/** The column list of a CREATE statement: name and type of every column, partition columns last. */
function ddlColumns(engine: DdlEngine, ddl: string): Array<[string, string]> {
  const create = ddl.split(';')[0]!;
  const body = create.slice(create.indexOf('(\n') + 2, create.indexOf('\n)'));
  const cols = body.split(',\n').map((l) => l.trim().match(/^[`"](.+?)[`"] (.+)$/)!.slice(1, 3) as [string, string]);
  if (engine !== 'athena') return cols;
  const parts = /PARTITIONED BY \((.*)\)/.exec(create)![1]!.split(', ').map((p) => p.match(/^`(.+)` (\w+)$/)!.slice(1, 3) as [string, string]);
  return [...cols, ...parts];
}

/** DuckDB's column names and types of a read. */
async function describe(sql: string): Promise<Array<[string, string]>> {
  const { connection: db, close } = await openDuckDb();
  try {
    return (await db.runAndReadAll(`DESCRIBE ${sql}`)).getRows().map((r) => [String(r[0]), String(r[1])]);
  } finally {
    close();
  }
}

const PARTITION_TYPE: Record<DdlEngine, string> = { athena: 'string', trino: 'varchar', spark: 'STRING' };

test("the feature store's files hold no partition columns, and every engine's table has exactly DuckDB's hive-partitioned columns", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ddl-'));
  const objects = new LocalObjectStore(dir);
  const store = await ParquetFeatureStore.open({ objects, prefix: 'hd' });
  try {
    const dates = ['2019-12-31', '2020-01-02'];
    await store.write({ timeFrame: '1Day', symbols: ['AAPL', 'AAPL'], timestamps: Float64Array.from(dates.map(ts)), dates, values: new Map([['open', Float64Array.of(1, 2)], ['is_earnings_day', Float64Array.of(0, 1)]]), updatedAt: new Date('2024-01-01T00:00:00Z') });
    const files = `${sqlString(join(dir, 'hd', '*', '*', '*.parquet'))}`;
    const inFiles = await describe(`SELECT * FROM read_parquet(${files}, hive_partitioning = false)`);
    assert.deepEqual(inFiles, FEATURE_FILE_COLUMNS.map(([n, t]) => [n, t]), 'the files hold the data columns only');
    const hive = await describe(`SELECT * FROM read_parquet(${files}, hive_partitioning = true)`);
    assert.deepEqual(hive.map((c) => c[0]), [...FEATURE_FILE_COLUMNS.map((c) => c[0]), 'feature', 'time_frame']);
    const pairs = await featurePartitions(objects, 'hd');
    assert.deepEqual(pairs, [['is_earnings_day', '1Day'], ['open', '1Day']]);
    for (const engine of DDL_ENGINES) {
      const ddl = tableDdl(featureTable({ engine, database: 'stockcast', location: 's3://bucket/hd/', pairs }));
      const expected = hive.map(([n, t]) => [n, ['feature', 'time_frame'].includes(n) ? PARTITION_TYPE[engine] : engineType(engine, t as ColumnType)]);
      assert.deepEqual(ddlColumns(engine, ddl), expected, `${engine}:\n${ddl}`);
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('Athena: partition projection over the partitions present; Trino and Spark register each one', () => {
  const pairs: Array<[string, string]> = [['open', '1Day'], ['close', '1Day'], ['open', '1Hour']];
  const athena = tableDdl(featureTable({ engine: 'athena', database: 'stockcast', location: 's3://bucket/hd/', pairs }));
  assert.match(athena, /^CREATE EXTERNAL TABLE IF NOT EXISTS `stockcast`\.`features` \(/);
  assert.match(athena, /STORED AS PARQUET\nLOCATION 's3:\/\/bucket\/hd\/'/);
  assert.match(athena, /'projection\.enabled' = 'true'/);
  assert.match(athena, /'projection\.feature\.type' = 'enum',\n {2}'projection\.feature\.values' = 'close,open'/);
  assert.match(athena, /'projection\.time_frame\.values' = '1Day,1Hour'/);
  assert.match(athena, /'storage\.location\.template' = 's3:\/\/bucket\/hd\/feature=\$\{feature\}\/time_frame=\$\{time_frame\}\/'/);
  const trino = tableDdl(featureTable({ engine: 'trino', database: 'stockcast', location: 's3://bucket/hd/', pairs }));
  assert.match(trino, /partitioned_by = ARRAY\['feature', 'time_frame'\]/);
  assert.equal(trino.match(/CALL system\.register_partition/g)?.length, 3);
  assert.match(trino, /ARRAY\['open', '1Hour'\], 's3:\/\/bucket\/hd\/feature=open\/time_frame=1Hour\/'\);/);
  const spark = tableDdl(featureTable({ engine: 'spark', database: 'stockcast', location: 's3a://bucket/hd/', pairs }));
  assert.match(spark, /USING PARQUET\nPARTITIONED BY \(`feature`, `time_frame`\)/);
  assert.match(spark, /ADD IF NOT EXISTS PARTITION \(`feature` = 'close', `time_frame` = '1Day'\) LOCATION 's3a:\/\/bucket\/hd\/feature=close\/time_frame=1Day\/';/);
});

test("predictions: the parts' columns, model_id projected from the path and never a file column", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ddl-'));
  const models = new LocalObjectStore(dir);
  try {
    const table = (quantiles: number[]) => ({ quantiles, horizon: 2, symbols: ['AAPL'], timestamps: Float64Array.of(ts('2020-01-02')), currentY: Float64Array.of(1), y: Float64Array.of(1, 2), pred: new Float64Array(2 * quantiles.length).fill(1) });
    await writePredictions(models, partKey('m1', 1, 1), table([0.3, 0.5, 0.7]));
    await writePredictions(models, partKey('m2', 2, 2), table([0.1, 0.5, 0.9]));
    await writePredictions(models, 'm2/output/model-notes.parquet', table([0.5]));
    const layout = await predictionLayout(models);
    assert.deepEqual(layout, { modelIds: ['m1', 'm2'], quantileColumns: ['y_pred_p10', 'y_pred_p30', 'y_pred_p50', 'y_pred_p70', 'y_pred_p90'] });
    const inFile = await describe(`SELECT * FROM read_parquet(${sqlString(models.localPath(partKey('m1', 1, 1)))})`);
    for (const engine of DDL_ENGINES) {
      const ddl = tableDdl(predictionsTable({ engine, database: 'stockcast', location: 's3://models/', ...layout }));
      const cols = ddlColumns(engine, ddl);
      assert.deepEqual(cols.at(-1), ['model_id', PARTITION_TYPE[engine]]);
      // every column of a part is in the table with its type; the other models' quantiles read as NULL there
      for (const [n, t] of inFile) assert.deepEqual(cols.find((c) => c[0] === n), [n, engineType(engine, t as ColumnType)], `${engine} ${n}`);
      assert.ok(!inFile.some(([n]) => n === 'model_id'));
    }
    const athena = tableDdl(predictionsTable({ engine: 'athena', database: 'stockcast', location: 's3://models/', ...layout }));
    assert.match(athena, /'projection\.model_id\.type' = 'injected'/);
    assert.match(athena, /'storage\.location\.template' = 's3:\/\/models\/\$\{model_id\}\/output\/predictions\/'/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a partition file that still holds the partition columns reads with the values of its path, and a rewrite drops them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ddl-'));
  const objects = new LocalObjectStore(dir);
  const store = await ParquetFeatureStore.open({ objects, prefix: 'hd' });
  const { connection: db, close } = await openDuckDb();
  try {
    const file = objects.localPath('hd/feature=open/time_frame=1Day/2021.parquet');
    await mkdir(join(file, '..'), { recursive: true });
    await db.run(`COPY (SELECT TIMESTAMP '2021-01-04 05:00:00' AS timestamp, '10.0' AS value, 'float' AS type, TIMESTAMP '2024-01-01 00:00:00' AS updated_timestamp,
      DATE '2021-01-04' AS date, 'AAPL' AS symbol, 'opn' AS feature, 'Day' AS time_frame) TO ${sqlString(file)} (FORMAT parquet)`);
    const frame = await store.queryWide({ features: ['open'], timeFrame: '1Day' });
    assert.deepEqual([...frame.columns.get('open')!], [10]);
    assert.deepEqual((await store.readLong('open', '1Day')).map((r) => [r.feature, r.time_frame]), [['open', '1Day']]);
    await store.write({ timeFrame: '1Day', symbols: ['AAPL'], timestamps: Float64Array.of(ts('2021-01-05')), dates: ['2021-01-05'], values: new Map([['open', Float64Array.of(11)]]), updatedAt: new Date('2024-02-01T00:00:00Z') });
    assert.deepEqual((await describe(`SELECT * FROM read_parquet(${sqlString(file)}, hive_partitioning = false)`)).map((c) => c[0]), FEATURE_FILE_COLUMNS.map((c) => c[0]));
    assert.deepEqual([...(await store.queryWide({ features: ['open'], timeFrame: '1Day' })).columns.get('open')!], [10, 11]);
  } finally {
    close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
