import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3ObjectStore } from '../../src/store/s3-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { startS3Server, type S3Server } from '../../src/bench/s3rver-process.js';
import { startCountingProxy, type CountingProxy } from '../../src/bench/counting-proxy.js';
import type { FeatureBatch } from '../../src/store/feature-store.js';

interface Rig {
  server: S3Server;
  proxy: CountingProxy;
  dir: string;
  /** A store that reaches S3 through the counting proxy (a fresh instance = a fresh process's view). */
  reader(cacheDir?: string): S3ObjectStore;
  /** A store that writes straight to the server, without a cache (another machine's backfill). */
  writer: S3ObjectStore;
}

async function withRig(fn: (rig: Rig) => Promise<void>): Promise<void> {
  const server = await startS3Server();
  const proxy = await startCountingProxy(server.endpoint);
  const dir = await mkdtemp(join(tmpdir(), 'sc-s3cache-'));
  const options = (endpoint: string, cacheDir?: string) =>
    new S3ObjectStore({ bucket: server.bucket, prefix: 'pre', region: 'us-east-1', endpoint, forcePathStyle: true, credentials: server.credentials, cacheDir });
  try {
    await fn({ server, proxy, dir, reader: (cacheDir = join(dir, 'cache')) => options(proxy.url, cacheDir), writer: options(server.endpoint) });
  } finally {
    await proxy.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));

/** Every file under a folder, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

test('a second read of unchanged objects downloads nothing; a changed object is fetched again', () =>
  withRig(async ({ proxy, dir, reader, writer }) => {
    await writer.put('a/one.bin', 'first object');
    await writer.put('a/two.bin', 'second object, a little longer');
    const out = (name: string) => join(dir, 'out', name);

    const first = reader();
    assert.equal(await first.getFile('a/one.bin', out('1')), true);
    assert.equal(await first.getFile('a/two.bin', out('2')), true);
    assert.deepEqual(proxy.counts().byMethodStatus, { 'GET 200': 2 });
    assert.equal(proxy.counts().downloadedBytes, 'first object'.length + 'second object, a little longer'.length);

    proxy.reset();
    const second = reader();
    assert.equal(await second.getFile('a/one.bin', out('1b')), true);
    assert.equal(await second.getFile('a/two.bin', out('2b')), true);
    assert.deepEqual(proxy.counts().byMethodStatus, { 'GET 304': 2 }, 'only conditional GETs, answered Not Modified');
    assert.equal(proxy.counts().downloadedBytes, 0);
    assert.equal(await readFile(out('1b'), 'utf8'), 'first object');
    assert.equal(await readFile(out('2b'), 'utf8'), 'second object, a little longer');

    await writer.put('a/two.bin', 'second object, changed');
    proxy.reset();
    const third = reader();
    assert.equal(await third.getFile('a/one.bin', out('1c')), true);
    assert.equal(await third.getFile('a/two.bin', out('2c')), true);
    assert.deepEqual(proxy.counts().byMethodStatus, { 'GET 304': 1, 'GET 200': 1 });
    assert.equal(proxy.counts().downloadedBytes, 'second object, changed'.length);
    assert.equal(await readFile(out('2c'), 'utf8'), 'second object, changed');
    assert.equal(text(await reader().get('a/two.bin')), 'second object, changed', 'get() reads the refreshed entry');
    assert.deepEqual(await filesUnder(join(dir, 'cache')), [
      'stockcast-test/pre/a/one.bin',
      'stockcast-test/pre/a/one.bin.etag.json',
      'stockcast-test/pre/a/two.bin',
      'stockcast-test/pre/a/two.bin.etag.json',
    ]);
  }));

test('get() caches too, and a deleted object reads as missing and leaves the cache', () =>
  withRig(async ({ proxy, dir, reader, writer }) => {
    await writer.put('k.json', '{"v":1}');
    assert.equal(text(await reader().get('k.json')), '{"v":1}');
    proxy.reset();
    assert.equal(text(await reader().get('k.json')), '{"v":1}');
    assert.deepEqual(proxy.counts().byMethodStatus, { 'GET 304': 1 });
    await writer.delete('k.json');
    assert.equal(await reader().get('k.json'), null);
    assert.equal(await reader().getFile('k.json', join(dir, 'x')), false);
    assert.deepEqual(await filesUnder(join(dir, 'cache')), []);
  }));

test('a truncated or altered cache entry is detected and fetched again', () =>
  withRig(async ({ proxy, dir, reader, writer }) => {
    const body = 'x'.repeat(1000);
    await writer.put('p/data.parquet', body);
    const cached = join(dir, 'cache', 'stockcast-test', 'pre', 'p', 'data.parquet');
    await reader().getFile('p/data.parquet', join(dir, 'o1'));

    await truncate(cached, 10); // a crash half way through a copy, or a full disk
    proxy.reset();
    assert.equal(await reader().getFile('p/data.parquet', join(dir, 'o2')), true);
    assert.equal(await readFile(join(dir, 'o2'), 'utf8'), body);
    assert.deepEqual(proxy.counts().byMethodStatus, { 'GET 304': 1, 'GET 200': 1 }, 'Not Modified, then the damaged entry is refetched');

    await writeFile(cached, 'y'.repeat(1000)); // same size, different bytes
    proxy.reset();
    assert.equal(text(await reader().get('p/data.parquet')), body);
    assert.equal(proxy.counts().downloads, 1);
    assert.equal(await readFile(cached, 'utf8'), body, 'the entry is repaired');

    await writeFile(`${cached}.etag.json`, '{"etag": "half-writ'); // an unreadable sidecar is a miss
    proxy.reset();
    assert.equal(text(await reader().get('p/data.parquet')), body);
    assert.deepEqual(proxy.counts().byMethodStatus, { 'GET 200': 1 });
  }));

test('uploads seed the cache, and concurrent readers sharing it all get whole objects', () =>
  withRig(async ({ proxy, dir, reader }) => {
    const cacheDir = join(dir, 'cache');
    const writing = reader(cacheDir);
    await writing.put('w/small.txt', 'written here');
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(300_000, 7));
    await writing.putFile('w/big.bin', join(dir, 'big.bin'));
    proxy.reset();
    assert.equal(text(await reader(cacheDir).get('w/small.txt')), 'written here');
    assert.equal(await reader(cacheDir).getFile('w/big.bin', join(dir, 'big-copy.bin')), true);
    assert.equal(proxy.counts().downloads, 0, 'what this machine uploaded is not downloaded again');

    // many readers, each as a separate process would be, refresh the same changed objects at once
    const versions = Array.from({ length: 4 }, (_, v) => Buffer.alloc(200_000 + v, 65 + v));
    for (let round = 0; round < versions.length; round++) {
      await writing.put('w/big.bin', versions[round]!);
      const reads = await Promise.all(Array.from({ length: 6 }, (_, i) => reader(cacheDir).getFile('w/big.bin', join(dir, `r${round}-${i}`)).then(() => readFile(join(dir, `r${round}-${i}`)))));
      for (const got of reads) assert.ok(got.equals(versions[round]!), `round ${round}: a reader got a mixed or partial object`);
    }
    const leftovers = (await filesUnder(cacheDir)).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
    proxy.reset();
    assert.ok(Buffer.from((await reader(cacheDir).get('w/big.bin'))!).equals(versions.at(-1)!));
    assert.deepEqual(proxy.counts().byMethodStatus, { 'GET 304': 1 }, 'the shared entry ends consistent');
  }));

test('a feature store over S3 reads unchanged partitions from the cache on the next run', () =>
  withRig(async ({ proxy, reader, writer }) => {
    const rows = (day: string, open: number): FeatureBatch => ({
      symbols: ['AAPL', 'MSFT'],
      timestamps: Float64Array.of(Date.parse(`${day}T05:00:00Z`), Date.parse(`${day}T05:00:00Z`)),
      dates: [day, day],
      timeFrame: '1Day',
      updatedAt: new Date('2024-01-01T00:00:00Z'),
      values: new Map([['open', Float64Array.of(open, open + 100)]]),
    });
    const backfill = await ParquetFeatureStore.open({ objects: writer, prefix: 'hd' });
    await backfill.write(rows('2017-12-29', 169));
    await backfill.write(rows('2018-01-02', 170));
    await backfill.close();
    const run = async () => {
      const store = await ParquetFeatureStore.open({ objects: reader(), prefix: 'hd' });
      try {
        return [...(await store.queryWide({ features: ['open'], timeFrame: '1Day' })).columns.get('open')!];
      } finally {
        await store.close();
      }
    };
    assert.deepEqual(await run(), [169, 170, 269, 270]);
    assert.equal(proxy.counts().downloads, 2, 'one partition per year');
    assert.equal(proxy.counts().byMethodStatus['LIST 200'], 1);
    proxy.reset();
    assert.deepEqual(await run(), [169, 170, 269, 270]);
    assert.equal(proxy.counts().downloads, 0);
    const daily = await ParquetFeatureStore.open({ objects: writer, prefix: 'hd' });
    await daily.write(rows('2018-01-03', 171));
    await daily.close();
    proxy.reset();
    assert.deepEqual(await run(), [169, 170, 171, 269, 270, 271]);
    assert.equal(proxy.counts().downloads, 1, 'only the changed 2018 partition');
  }));
