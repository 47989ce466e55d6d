import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import type { FeatureBatch } from '../../src/store/feature-store.js';

const DAY = 86_400_000;
/** NY midnight of a winter date in UTC. */
const ts = (date: string) => Date.parse(`${date}T05:00:00Z`);

function batch(
  rows: Array<[symbol: string, date: string, open: number, earnings: number, dow: number]>,
  updatedAt = new Date('2024-01-01T00:00:00Z'),
): FeatureBatch {
  return {
    timeFrame: '1Day',
    symbols: rows.map((r) => r[0]),
    timestamps: Float64Array.from(rows.map((r) => ts(r[1]))),
    dates: rows.map((r) => r[1]),
    values: new Map([
      ['open', Float64Array.from(rows.map((r) => r[2]))],
      ['is_earnings_day', Float64Array.from(rows.map((r) => r[3]))],
      ['day_of_week', Float64Array.from(rows.map((r) => r[4]))],
    ]),
    updatedAt,
  };
}

async function withStore(fn: (store: ParquetFeatureStore, objects: LocalObjectStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-fs-'));
  const objects = new LocalObjectStore(dir);
  const store = await ParquetFeatureStore.open({ objects, prefix: 'historical_data_v2' });
  try {
    await fn(store, objects);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('pivots long rows into a typed wide frame sorted by symbol and time', async () => {
  await withStore(async (store) => {
    await store.write(
      batch([
        ['MSFT', '2018-01-03', 86.06, 0, 2],
        ['AAPL', '2018-01-03', 172.53, 1, 2],
        ['AAPL', '2018-01-02', 170.16, 0, 1],
      ]),
    );
    const frame = await store.queryWide({ features: ['open', 'is_earnings_day', 'day_of_week'], timeFrame: '1Day' });
    assert.deepEqual(frame.symbols, ['AAPL', 'MSFT']);
    assert.equal(frame.length, 3);
    assert.deepEqual([...frame.symbolIndex], [0, 0, 1]);
    assert.deepEqual([...frame.timestamps], [ts('2018-01-02'), ts('2018-01-03'), ts('2018-01-03')]);
    assert.deepEqual([...frame.columns.get('open')!], [170.16, 172.53, 86.06]);
    assert.deepEqual([...frame.columns.get('is_earnings_day')!], [0, 1, 0]);
    assert.deepEqual([...frame.columns.get('day_of_week')!], [1, 2, 2]);
  });
});

test('stores the seed long format in hive partitions, one file per feature, time frame and year', async () => {
  await withStore(async (store, objects) => {
    await store.write(batch([['AAPL', '2017-12-29', 169.0, 0, 4], ['AAPL', '2018-01-02', 170.16, 0, 1]]));
    const keys = await objects.list('historical_data_v2/');
    assert.deepEqual(keys, [
      'historical_data_v2/feature=day_of_week/time_frame=1Day/2017.parquet',
      'historical_data_v2/feature=day_of_week/time_frame=1Day/2018.parquet',
      'historical_data_v2/feature=is_earnings_day/time_frame=1Day/2017.parquet',
      'historical_data_v2/feature=is_earnings_day/time_frame=1Day/2018.parquet',
      'historical_data_v2/feature=open/time_frame=1Day/2017.parquet',
      'historical_data_v2/feature=open/time_frame=1Day/2018.parquet',
    ]);
    const rows = await store.readLong('is_earnings_day', '1Day');
    assert.deepEqual(rows[1], {
      timestamp: '2018-01-02T05:00:00.000Z',
      value: 'false',
      type: 'bool',
      updated_timestamp: '2024-01-01T00:00:00.000Z',
      date: '2018-01-02',
      symbol: 'AAPL',
      feature: 'is_earnings_day',
      time_frame: '1Day',
    });
    const opens = await store.readLong('open', '1Day');
    assert.deepEqual(opens.map((r) => [r.value, r.type]), [['169.0', 'float'], ['170.16', 'float']]);
  });
});

test('writing the same rows twice leaves identical content and rewrites nothing', async () => {
  await withStore(async (store) => {
    const rows: Array<[string, string, number, number, number]> = [
      ['AAPL', '2018-01-02', 170.16, 0, 1],
      ['AAPL', '2018-01-03', 172.53, 1, 2],
    ];
    const first = await store.write(batch(rows, new Date('2024-01-01T00:00:00Z')));
    assert.equal(first.changedRows.get('open'), 2);
    const before = await store.readLong('open', '1Day');
    const second = await store.write(batch(rows, new Date('2024-02-01T00:00:00Z')));
    assert.equal(second.changedRows.get('open'), 0);
    assert.equal(second.filesWritten, 0);
    assert.deepEqual(await store.readLong('open', '1Day'), before);
  });
});

test('overlapping ranges merge without duplicates', async () => {
  await withStore(async (store) => {
    await store.write(batch([['AAPL', '2018-01-02', 1, 0, 1], ['AAPL', '2018-01-03', 2, 0, 2]]));
    const summary = await store.write(batch([['AAPL', '2018-01-03', 2, 0, 2], ['AAPL', '2018-01-04', 3, 0, 3]]));
    assert.equal(summary.changedRows.get('open'), 1);
    const frame = await store.queryWide({ features: ['open'], timeFrame: '1Day' });
    assert.deepEqual([...frame.columns.get('open')!], [1, 2, 3]);
    assert.equal((await store.readLong('open', '1Day')).length, 3);
  });
});

test('a newer updated_timestamp replaces an older value; an older one does not', async () => {
  await withStore(async (store) => {
    await store.write(batch([['AAPL', '2018-01-02', 100, 0, 1]], new Date('2024-01-02T00:00:00Z')));
    await store.write(batch([['AAPL', '2018-01-02', 99, 0, 1]], new Date('2024-01-01T00:00:00Z')));
    let frame = await store.queryWide({ features: ['open'], timeFrame: '1Day' });
    assert.deepEqual([...frame.columns.get('open')!], [100]);
    await store.write(batch([['AAPL', '2018-01-02', 101, 0, 1]], new Date('2024-01-03T00:00:00Z')));
    frame = await store.queryWide({ features: ['open'], timeFrame: '1Day' });
    assert.deepEqual([...frame.columns.get('open')!], [101]);
    const [row] = await store.readLong('open', '1Day');
    assert.equal(row!.updated_timestamp, '2024-01-03T00:00:00.000Z');
  });
});

test('queries filter by symbols and inclusive date range; missing features are NaN', async () => {
  await withStore(async (store) => {
    await store.write(
      batch([
        ['AAPL', '2018-01-02', 1, 0, 1],
        ['AAPL', '2018-01-03', 2, 0, 2],
        ['AAPL', '2018-01-04', 3, 0, 3],
        ['MSFT', '2018-01-03', 4, 0, 2],
      ]),
    );
    // close exists only for one row, so the other rows show NaN in that column
    await store.write({
      timeFrame: '1Day',
      symbols: ['AAPL'],
      timestamps: Float64Array.of(ts('2018-01-03')),
      dates: ['2018-01-03'],
      values: new Map([['close', Float64Array.of(2.5)]]),
      updatedAt: new Date('2024-01-01T00:00:00Z'),
    });
    const frame = await store.queryWide({
      features: ['open', 'close'],
      timeFrame: '1Day',
      symbols: ['AAPL'],
      startDate: '2018-01-03',
      endDate: '2018-01-04',
    });
    assert.deepEqual(frame.symbols, ['AAPL']);
    assert.deepEqual([...frame.columns.get('open')!], [2, 3]);
    const close = frame.columns.get('close')!;
    assert.equal(close[0], 2.5);
    assert.ok(Number.isNaN(close[1]));
    assert.equal(frame.timestamps[1], ts('2018-01-03') + DAY);
  });
});

test('reports per-symbol coverage', async () => {
  await withStore(async (store) => {
    await store.write(batch([['AAPL', '2017-12-29', 1, 0, 4], ['AAPL', '2018-01-03', 2, 0, 2], ['MSFT', '2018-01-02', 3, 0, 1]]));
    assert.deepEqual(await store.coverage('open', '1Day'), [
      { symbol: 'AAPL', firstDate: '2017-12-29', lastDate: '2018-01-03', rows: 2 },
      { symbol: 'MSFT', firstDate: '2018-01-02', lastDate: '2018-01-02', rows: 1 },
    ]);
    assert.deepEqual(await store.coverage('close', '1Day'), []);
  });
});

test('bad input gets clear errors', async () => {
  await withStore(async (store) => {
    const bad = batch([['AAPL', '2018-01-02', 1, 0, 1]]);
    bad.values.set('opne', Float64Array.of(1));
    await assert.rejects(store.write(bad), /unknown feature "opne": valid features are open, close/);
    await assert.rejects(
      store.queryWide({ features: ['open'], timeFrame: '1Day' }),
      /no data in the feature store for open at time frame 1Day: run `stockcast backfill` first/,
    );
  });
});

test('works the same over an S3-protocol object store (partitions uploaded, read back through the SDK)', async () => {
  const { startS3Server } = await import('../../src/bench/s3rver-process.js');
  const { S3ObjectStore } = await import('../../src/store/s3-object-store.js');
  const server = await startS3Server();
  const objects = new S3ObjectStore({ bucket: server.bucket, region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials });
  const store = await ParquetFeatureStore.open({ objects, prefix: 'historical_data_v2' });
  try {
    await store.write(batch([['AAPL', '2018-01-02', 170.16, 0, 1], ['MSFT', '2018-01-02', 86.13, 1, 1]]));
    const again = await store.write(batch([['AAPL', '2018-01-02', 170.16, 0, 1], ['AAPL', '2018-01-03', 172.53, 0, 2]]));
    assert.equal(again.changedRows.get('open'), 1);
    assert.deepEqual(await objects.list('historical_data_v2/feature=open/'), ['historical_data_v2/feature=open/time_frame=1Day/2018.parquet']);
    const frame = await store.queryWide({ features: ['open', 'is_earnings_day'], timeFrame: '1Day' });
    assert.deepEqual(frame.symbols, ['AAPL', 'MSFT']);
    assert.deepEqual([...frame.columns.get('open')!], [170.16, 172.53, 86.13]);
    assert.deepEqual([...frame.columns.get('is_earnings_day')!], [0, 0, 1]);
  } finally {
    await store.close();
    await server.close();
  }
});

test('conflicting duplicates in one write are reported and not written; exact repeats are stored once', async () => {
  await withStore(async (store) => {
    const summary = await store.write(
      batch([
        ['AAPL', '2018-01-02', 1, 0, 1],
        ['AAPL', '2018-01-02', 2, 0, 1],
        ['MSFT', '2018-01-02', 5, 0, 1],
        ['MSFT', '2018-01-02', 5, 0, 1],
        ['AAPL', '2018-01-03', 3, 0, 2],
      ]),
    );
    assert.deepEqual(summary.conflicts, [{ symbol: 'AAPL', date: '2018-01-02', timestamp: ts('2018-01-02'), values: { open: '1.0 vs 2.0' } }]);
    const opens = (await store.readLong('open', '1Day')).map((r) => [r.symbol, r.date, r.value]);
    assert.deepEqual(opens, [['AAPL', '2018-01-03', '3.0'], ['MSFT', '2018-01-02', '5.0']]);
    assert.equal((await store.readLong('day_of_week', '1Day')).length, 2, 'no feature of the conflicting row is written');
  });
});

test('a corrupt partition file is named in the error of a write and of a read', async () => {
  await withStore(async (store, objects) => {
    await store.write(batch([['AAPL', '2018-01-02', 1, 0, 1]]));
    const file = objects.localPath('historical_data_v2/feature=open/time_frame=1Day/2018.parquet');
    await writeFile(file, 'PAR1 this is not parquet PAR1');
    await assert.rejects(store.write(batch([['AAPL', '2018-01-03', 2, 0, 2]])), (e: Error) => e.message.includes(`${objects.location}/historical_data_v2/feature=open/time_frame=1Day/2018.parquet`));
    await assert.rejects(store.queryWide({ features: ['open'], timeFrame: '1Day' }), (e: Error) => e.message.includes(file) && !e.message.includes('.tmp'));
  });
});

test('readers in another store instance never see a torn partition while it is rewritten', async () => {
  await withStore(async (writer, objects) => {
    const reader = await ParquetFeatureStore.open({ objects, prefix: 'historical_data_v2' });
    try {
      await writer.write(batch([['AAPL', '2018-01-02', 0, 0, 1]]));
      let writing = true;
      const writes = (async () => {
        // each write adds a day of many symbols, so the partition file grows and is replaced every time
        for (let d = 0; d < 25; d++) {
          const date = new Date(Date.UTC(2018, 1, 1) + d * 86_400_000).toISOString().slice(0, 10);
          await writer.write(batch(Array.from({ length: 200 }, (_, i) => [`S${i}`, date, d, 0, 1] as [string, string, number, number, number])));
        }
        writing = false;
      })();
      let reads = 0;
      let last = 0;
      try {
        while (writing) {
          const frame = await reader.queryWide({ features: ['open'], timeFrame: '1Day' });
          assert.equal((frame.length - 1) % 200, 0, `a whole number of days, got ${frame.length} rows`);
          assert.ok(frame.length >= last, 'rows never disappear');
          last = frame.length;
          reads++;
        }
      } finally {
        await writes;
      }
      assert.ok(reads > 3, `the reader ran while writing (${reads} reads)`);
      assert.deepEqual((await readdir(join(objects.localPath('historical_data_v2/feature=open/time_frame=1Day/2018.parquet'), '..'))).sort(), ['2018.parquet'], 'no pin, lock or temp file is left');
    } finally {
      await reader.close();
    }
  });
});
