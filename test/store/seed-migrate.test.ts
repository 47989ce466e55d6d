import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3ObjectStore } from '../../src/store/s3-object-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { migrateSeedLayout, type DirectoryMigration } from '../../src/store/seed-migrate.js';
import { openDuckDb, sqlString } from '../../src/store/duckdb-session.js';
import { startS3Server, type S3Server } from '../../src/bench/s3rver-process.js';
import { seedRows, writeSeedParquet } from '../helpers/seed-files.js';

// Every test gets its own prefix in one s3rver bucket: the seed's files in its exact shape, then stockcast's own rows.
const ts = (date: string) => Date.parse(`${date}T05:00:00Z`);
let server: S3Server;
let scratch = '';
let prefixes = 0;

before(async () => {
  server = await startS3Server();
  scratch = await mkdtemp(join(tmpdir(), 'sc-migrate-'));
});
after(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

function s3(): S3ObjectStore {
  return new S3ObjectStore({ bucket: server.bucket, region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials });
}

async function put(objects: ObjectStore, key: string, rows: Parameters<typeof writeSeedParquet>[1]): Promise<void> {
  const local = join(scratch, `${prefixes}-${key.replaceAll('/', '_')}`);
  await writeSeedParquet(local, rows);
  await objects.putFile(key, local);
}

/**
 * A store as a seed user leaves it after starting stockcast: two appended runs of `open` (the second revises AAPL's
 * 2020-01-02 and adds 2020-01-03), `is_earnings_day` as Python booleans, a directory of an unknown time frame, and
 * stockcast's own rows: one identical, one newer, one older than the seed's, one the seed lacks.
 */
async function seedUsersStore(objects: ObjectStore): Promise<{ prefix: string; store: ParquetFeatureStore }> {
  const prefix = `hd${++prefixes}`;
  const dates = ['2019-12-30', '2019-12-31', '2020-01-02'];
  await put(objects, `${prefix}/feature=open/time_frame=Day/historical_data_1704067200.parquet`, seedRows({ feature: 'open', symbols: ['AAPL', 'MSFT'], dates, updated: '2024-01-01T00:00:00Z', value: (s, i) => `${(s === 'AAPL' ? 100 : 200) + i}.0` }));
  await put(objects, `${prefix}/feature=open/time_frame=Day/historical_data_1706745600.parquet`, seedRows({ feature: 'open', symbols: ['AAPL'], dates: ['2020-01-02', '2020-01-03'], updated: '2024-02-01T00:00:00Z', value: (_s, i) => (i === 0 ? '102.5' : '103.0') }));
  await put(objects, `${prefix}/feature=is_earnings_day/time_frame=Day/historical_data_1704067200.parquet`, seedRows({ feature: 'is_earnings_day', type: 'bool', symbols: ['AAPL', 'MSFT'], dates, updated: '2024-01-01T00:00:00Z', value: (s, i) => (s === 'MSFT' && i === 2 ? 'True' : 'False') }));
  await put(objects, `${prefix}/feature=open/time_frame=Fortnight/historical_data_1.parquet`, seedRows({ feature: 'open', symbols: ['AAPL'], dates: ['2020-01-02'], updated: '2024-01-01T00:00:00Z', value: () => '1.0' }));
  const store = await ParquetFeatureStore.open({ objects, prefix });
  const own = (symbol: string, date: string, open: number, updated: string) =>
    store.write({ timeFrame: '1Day', symbols: [symbol], timestamps: Float64Array.of(ts(date)), dates: [date], values: new Map([['open', Float64Array.of(open)]]), updatedAt: new Date(updated) });
  await own('AAPL', '2019-12-31', 101, '2024-03-01T00:00:00Z');
  await own('MSFT', '2020-01-02', 202.75, '2024-05-01T00:00:00Z');
  await own('AAPL', '2020-01-03', 99, '2023-01-01T00:00:00Z');
  await own('MSFT', '2020-01-06', 205, '2024-03-01T00:00:00Z');
  return { prefix, store };
}

const byFeature = (ds: DirectoryMigration[]) => Object.fromEntries(ds.map((d) => [`${d.feature}/${d.directory}`, d]));
const snapshot = async (objects: ObjectStore, prefix: string) => Promise.all((await objects.list(`${prefix}/`)).map(async (k) => `${k}:${Buffer.from((await objects.get(k))!).toString('base64')}`));

test('migrate: a dry run reports the counts and writes nothing; the run moves every row, checked, keeping the seed files', async () => {
  const objects = s3();
  const { prefix, store } = await seedUsersStore(objects);
  try {
    const before = await store.queryWide({ features: ['open', 'is_earnings_day'], timeFrame: '1Day' });
    const untouched = await snapshot(objects, prefix);
    const dry = byFeature((await migrateSeedLayout({ objects, prefix, dryRun: true })).directories);
    assert.deepEqual(await snapshot(objects, prefix), untouched, 'a dry run writes nothing');
    assert.equal(dry['open/Day']!.status, 'would-migrate');

    const report = byFeature((await migrateSeedLayout({ objects, prefix })).directories);
    const open = report['open/Day']!;
    const counts = (d: DirectoryMigration) => [d.files, d.seedRows, d.duplicates, d.inserted, d.replaced, d.identical, d.keptNewer, d.partitionsWritten];
    assert.deepEqual(counts(dry['open/Day']!).slice(0, 7), counts(open).slice(0, 7), 'the dry run predicted the counts');
    // 8 seed rows, 1 older version → 7 rows: AAPL 12-30, 01-02 and MSFT 12-30, 12-31 new; AAPL 01-03 replaces the
    // older 99; AAPL 12-31 is already there; MSFT 01-02 keeps stockcast's newer 202.75; 2019 and 2020 rewritten
    assert.deepEqual(counts(open), [2, 8, 1, 4, 1, 1, 1, 2]);
    assert.equal(open.status, 'migrated');
    assert.ok(open.verified);
    assert.deepEqual(counts(report['is_earnings_day/Day']!), [1, 6, 0, 6, 0, 0, 0, 2], JSON.stringify(report['is_earnings_day/Day']));
    assert.equal(report['open/Fortnight']!.status, 'skipped');
    assert.match(report['open/Fortnight']!.reason!, /time_frame=Fortnight is not a time frame stockcast knows/);

    const keys = await objects.list(`${prefix}/`);
    for (const k of untouched.map((s) => s.split(':')[0]!).filter((k) => k.includes('historical_data_'))) assert.ok(keys.includes(k), `seed file ${k} kept`);
    assert.ok(keys.includes(`${prefix}/feature=open/time_frame=Day/_stockcast_migrated.json`));
    assert.ok(keys.includes(`${prefix}/feature=is_earnings_day/time_frame=1Day/2019.parquet`));

    // the same wide frame as before, now read from stockcast's files alone (the marker tells readers to skip the seed's)
    const after = await store.queryWide({ features: ['open', 'is_earnings_day'], timeFrame: '1Day' });
    assert.deepEqual(after, before);
    assert.deepEqual([...after.columns.get('open')!], [100, 101, 102.5, 103, 200, 201, 202.75, 205]);
    const long = await store.readLong('is_earnings_day', '1Day');
    assert.deepEqual(long.map((r) => `${r.symbol} ${r.date} ${r.value} ${r.type} ${r.updated_timestamp}`), [
      'AAPL 2019-12-30 False bool 2024-01-01T00:00:00.000Z', 'AAPL 2019-12-31 False bool 2024-01-01T00:00:00.000Z', 'AAPL 2020-01-02 False bool 2024-01-01T00:00:00.000Z',
      'MSFT 2019-12-30 False bool 2024-01-01T00:00:00.000Z', 'MSFT 2019-12-31 False bool 2024-01-01T00:00:00.000Z', 'MSFT 2020-01-02 True bool 2024-01-01T00:00:00.000Z',
    ], "the seed's value strings, types and updated_timestamps, verbatim");
  } finally {
    await store.close();
  }
});

test('migrate: a re-run writes nothing; a file the seed appends later is migrated on its own', async () => {
  const objects = s3();
  const { prefix, store } = await seedUsersStore(objects);
  try {
    await migrateSeedLayout({ objects, prefix });
    const migrated = await snapshot(objects, prefix);
    const again = byFeature((await migrateSeedLayout({ objects, prefix })).directories);
    assert.equal(again['open/Day']!.status, 'up-to-date');
    assert.equal(again['open/Day']!.alreadyMigratedFiles, 2);
    assert.deepEqual(await snapshot(objects, prefix), migrated, 'nothing rewritten');

    await put(objects, `${prefix}/feature=open/time_frame=Day/historical_data_1709251200.parquet`, seedRows({ feature: 'open', symbols: ['MSFT'], dates: ['2020-01-07'], updated: '2024-03-01T00:00:00Z', value: () => '206.0' }));
    const readBefore = await store.queryWide({ features: ['open'], timeFrame: '1Day', symbols: ['MSFT'] });
    assert.deepEqual([...readBefore.columns.get('open')!], [200, 201, 202.75, 205, 206], 'an unmigrated file is read where it is');
    const third = byFeature((await migrateSeedLayout({ objects, prefix })).directories)['open/Day']!;
    assert.deepEqual([third.files, third.alreadyMigratedFiles, third.inserted, third.partitionsWritten, third.status], [1, 2, 1, 1, 'migrated']);
    assert.deepEqual(await store.queryWide({ features: ['open'], timeFrame: '1Day', symbols: ['MSFT'] }), readBefore);
  } finally {
    await store.close();
  }
});

test('migrate: a crash between partition writes leaves the seed files and no marker; the re-run completes to the same content', async () => {
  const objects = s3();
  const { prefix, store } = await seedUsersStore(objects);
  const reference = await seedUsersStore(objects);
  try {
    let puts = 0;
    const crashing: ObjectStore = Object.assign(Object.create(objects) as ObjectStore, {
      putFile: async (key: string, path: string) => {
        if (key.includes('/feature=open/') && ++puts === 2) throw new Error('simulated crash');
        return objects.putFile(key, path);
      },
    });
    const crashed = byFeature((await migrateSeedLayout({ objects: crashing, prefix })).directories);
    assert.equal(crashed['open/Day']!.status, 'failed');
    assert.match(crashed['open/Day']!.reason!, /simulated crash/);
    assert.ok(!(await objects.exists(`${prefix}/feature=open/time_frame=Day/_stockcast_migrated.json`)), 'no marker for a half-done directory');
    const resumed = byFeature((await migrateSeedLayout({ objects, prefix })).directories);
    assert.equal(resumed['open/Day']!.status, 'migrated');
    assert.equal(resumed['open/Day']!.partitionsWritten, 1, 'the partition that landed before the crash is not written again');
    await migrateSeedLayout({ objects, prefix: reference.prefix });
    for (const feature of ['open', 'is_earnings_day']) {
      assert.deepEqual(await store.readLong(feature, '1Day'), await reference.store.readLong(feature, '1Day'));
    }
  } finally {
    await store.close();
    await reference.store.close();
  }
});

test("migrate: stockcast's partition files never hold the partition columns", async () => {
  const objects = s3();
  const { prefix, store } = await seedUsersStore(objects);
  const { connection: db, close } = await openDuckDb();
  try {
    await migrateSeedLayout({ objects, prefix });
    const file = join(scratch, 'landed.parquet');
    assert.ok(await objects.getFile(`${prefix}/feature=open/time_frame=1Day/2020.parquet`, file));
    const names = (await db.runAndReadAll(`SELECT name FROM parquet_schema(${sqlString(file)}) WHERE name <> 'duckdb_schema'`)).getRows().map((r) => String(r[0]));
    assert.deepEqual(names, ['timestamp', 'value', 'type', 'updated_timestamp', 'date', 'symbol']);
  } finally {
    close();
    await store.close();
  }
});
