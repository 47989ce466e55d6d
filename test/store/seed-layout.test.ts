import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { S3ObjectStore } from '../../src/store/s3-object-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { isOwnPartitionFile, listSeedFiles, stockcastTimeFrame } from '../../src/store/seed-layout.js';
import { startS3Server } from '../../src/bench/s3rver-process.js';
import { seedRows, writeSeedParquet, type SeedRow } from '../helpers/seed-files.js';

const P = 'historical_data_v2';
const ts = (date: string) => Date.parse(`${date}T05:00:00Z`);

/** Writes a seed file locally, then puts it at `key` in the store (as the seed's boto3 upload would). */
async function putSeedFile(objects: ObjectStore, scratch: string, key: string, rows: SeedRow[], timestamps?: 'utc-micros' | 'naive-nanos'): Promise<void> {
  const local = join(scratch, key.replaceAll('/', '_'));
  await writeSeedParquet(local, rows, timestamps);
  await objects.putFile(key, local);
}

test("maps the seed's time frame names to stockcast's", () => {
  assert.equal(stockcastTimeFrame('Day'), '1Day');
  assert.equal(stockcastTimeFrame('Hour'), '1Hour');
  assert.equal(stockcastTimeFrame('Minute'), '1Min');
  assert.equal(stockcastTimeFrame('Min'), '1Min');
  assert.equal(stockcastTimeFrame('Week'), '1Week');
  assert.equal(stockcastTimeFrame('Month'), '1Month');
  assert.equal(stockcastTimeFrame('1Day'), '1Day');
  assert.equal(stockcastTimeFrame('15Min'), '15Min');
  assert.equal(stockcastTimeFrame('Fortnight'), null);
  assert.ok(isOwnPartitionFile('2020.parquet') && isOwnPartitionFile('2020-03.parquet'));
  assert.ok(!isOwnPartitionFile('historical_data_1717171717.parquet'));
});

/** The seed's appended files: `open` in two runs (the second revises AAPL's 2020-01-03), `is_earnings_day` as Python booleans. */
async function writeSeedStore(objects: ObjectStore, scratch: string): Promise<void> {
  const dates = ['2020-01-02', '2020-01-03', '2020-01-06'];
  const first = seedRows({ feature: 'open', symbols: ['AAPL', 'MSFT'], dates, updated: '2024-01-01T00:00:00Z', value: (s, i) => String((s === 'AAPL' ? 100 : 200) + i) });
  await putSeedFile(objects, scratch, `${P}/feature=open/time_frame=Day/historical_data_1704067200.parquet`, first);
  const revised = seedRows({ feature: 'open', symbols: ['AAPL'], dates: ['2020-01-03', '2020-01-07'], updated: '2024-02-01T00:00:00Z', value: (_s, i) => (i === 0 ? '101.5' : '103') });
  await putSeedFile(objects, scratch, `${P}/feature=open/time_frame=Day/historical_data_1706745600.parquet`, revised, 'naive-nanos');
  const earnings = seedRows({ feature: 'is_earnings_day', type: 'bool', symbols: ['AAPL', 'MSFT'], dates, updated: '2024-01-01T00:00:00Z', value: (s, i) => (s === 'AAPL' && i === 1 ? 'True' : 'False') });
  await putSeedFile(objects, scratch, `${P}/feature=is_earnings_day/time_frame=Day/historical_data_1704067200.parquet`, earnings);
}

async function checkSeedReads(store: ParquetFeatureStore): Promise<void> {
  const frame = await store.queryWide({ features: ['open', 'is_earnings_day'], timeFrame: '1Day' });
  assert.deepEqual(frame.symbols, ['AAPL', 'MSFT']);
  assert.deepEqual([...frame.timestamps], [ts('2020-01-02'), ts('2020-01-03'), ts('2020-01-06'), ts('2020-01-07'), ts('2020-01-02'), ts('2020-01-03'), ts('2020-01-06')]);
  // the newer run's 101.5 replaces 101; a feature missing on a day is NaN
  assert.deepEqual([...frame.columns.get('open')!], [100, 101.5, 102, 103, 200, 201, 202]);
  assert.deepEqual([...frame.columns.get('is_earnings_day')!], [0, 1, 0, NaN, 0, 0, 0]);
  const coverage = await store.coverage('open', '1Day');
  assert.deepEqual(coverage, [
    { symbol: 'AAPL', firstDate: '2020-01-02', lastDate: '2020-01-07', rows: 4 },
    { symbol: 'MSFT', firstDate: '2020-01-02', lastDate: '2020-01-06', rows: 3 },
  ]);
  const long = await store.readLong('open', '1Day');
  assert.equal(long.length, 7, 'duplicates removed at read time, as the seed does');
  assert.deepEqual(long[1], { timestamp: '2020-01-03T05:00:00.000Z', value: '101.5', type: 'float', updated_timestamp: '2024-02-01T00:00:00.000Z', date: '2020-01-03', symbol: 'AAPL', feature: 'open', time_frame: '1Day' });
  const ranged = await store.queryWide({ features: ['open'], timeFrame: '1Day', symbols: ['AAPL'], startDate: '2020-01-03', endDate: '2020-01-06' });
  assert.deepEqual([...ranged.columns.get('open')!], [101.5, 102]);
}

test("reads the seed's layout as it is: appended files deduped by the newest updated_timestamp, Day read as 1Day", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-seed-'));
  const objects = new LocalObjectStore(join(dir, 'store'));
  await writeSeedStore(objects, dir);
  const store = await ParquetFeatureStore.open({ objects, prefix: P });
  try {
    await checkSeedReads(store);
    assert.equal((await listSeedFiles(objects, P)).length, 3);
    await assert.rejects(store.queryWide({ features: ['open'], timeFrame: '1Hour' }), /no data in the feature store for open at time frame 1Hour/);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("the seed's rows and stockcast's side by side: per symbol and time the newest updated_timestamp wins", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-seed-'));
  const objects = new LocalObjectStore(join(dir, 'store'));
  await writeSeedStore(objects, dir);
  const store = await ParquetFeatureStore.open({ objects, prefix: P });
  try {
    const write = (date: string, open: number, updated: string) =>
      store.write({ timeFrame: '1Day', symbols: ['AAPL'], timestamps: Float64Array.of(ts(date)), dates: [date], values: new Map([['open', Float64Array.of(open)]]), updatedAt: new Date(updated) });
    await write('2020-01-06', 102.25, '2024-03-01T00:00:00Z'); // newer than the seed's 102
    await write('2020-01-07', 99, '2023-06-01T00:00:00Z'); // older than the seed's 103
    await write('2020-01-08', 104, '2024-03-01T00:00:00Z'); // only stockcast has it
    const frame = await store.queryWide({ features: ['open'], timeFrame: '1Day', symbols: ['AAPL'] });
    assert.deepEqual([...frame.columns.get('open')!], [100, 101.5, 102.25, 103, 104]);
    assert.equal((await store.coverage('open', '1Day'))[0]!.rows, 5);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("reads the seed's layout from an S3-protocol server (s3rver)", async () => {
  const server = await startS3Server();
  const dir = await mkdtemp(join(tmpdir(), 'sc-seed-'));
  const objects = new S3ObjectStore({ bucket: server.bucket, region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials });
  const store = await ParquetFeatureStore.open({ objects, prefix: P });
  try {
    await writeSeedStore(objects, dir);
    await checkSeedReads(store);
  } finally {
    await store.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
