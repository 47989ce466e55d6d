import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimeFrame } from '../core/time-frame.js';
import type { Bar } from '../core/types.js';
import { CsvBarsSource } from '../sources/csv-bars.js';
import { barsToBatch } from '../features/feature-rows.js';
import { S3ObjectStore } from '../store/s3-object-store.js';
import { ParquetFeatureStore } from '../store/parquet-feature-store.js';
import { round, secondsSince } from './bench-stats.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { startS3Server } from './s3rver-process.js';

const BAR_FEATURES = ['open', 'high', 'low', 'close', 'volume'];
const TIME_FEATURES = ['year', 'month', 'day_of_month', 'day_of_week'];
const PREFIX = 'historical_data_v2';
/** The backfill ran up to here; the daily update adds the next trading day. */
const LAST_DAY = '2018-12-28';
const NEXT_DAY = '2018-12-31';

/**
 * The feature store over S3 (s3rver, behind a proxy that counts bytes on the wire), read as a daily `trade` or
 * `forecast` reads it: the coverage of `open`, then every feature of 2015–2018 as a wide frame. Each run is a
 * fresh store and client, as a new process would be. Compares a run without the cache (today's behaviour
 * before the cache), a first run with an empty cache, a second run with nothing changed, and a run after a
 * daily backfill changed one day (only that year's partitions).
 */
export async function benchS3Cache(opts: { data: string }): Promise<Record<string, unknown>> {
  const server = await startS3Server('stockcast-bench');
  const proxy = await startCountingProxy(server.endpoint);
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-s3-'));
  const store = (endpoint: string, cacheDir?: string) =>
    new S3ObjectStore({ bucket: server.bucket, region: 'us-east-1', endpoint, forcePathStyle: true, credentials: server.credentials, cacheDir });
  try {
    const t0 = performance.now();
    const source = new CsvBarsSource(opts.data);
    const { bars } = await source.fetchBars({ symbols: await source.listSymbols(), start: new Date('2015-01-01T00:00:00Z'), end: new Date('2019-01-01T00:00:00Z'), timeFrame: parseTimeFrame('1Day') });
    await backfill(store(server.endpoint), select(bars, (d) => d <= LAST_DAY));
    const setupSeconds = secondsSince(t0);
    const cacheDir = join(dir, 'cache');
    const read = (cache?: string) => dailyRead(store(proxy.url, cache), proxy);
    const withoutCache = await read();
    const firstRun = await read(cacheDir);
    const secondRun = await read(cacheDir);
    await backfill(store(server.endpoint), select(bars, (d) => d === NEXT_DAY));
    const afterDailyUpdate = await read(cacheDir);
    return {
      data: opts.data,
      partitions: (await store(server.endpoint).list(`${PREFIX}/`)).length,
      setupSeconds: round(setupSeconds),
      withoutCache,
      firstRun,
      secondRun,
      afterDailyUpdate,
      note: 'each run: coverage of open, then all 9 features 2015–2018 pivoted wide, in a fresh store and S3 client; bytes counted on the wire',
    };
  } finally {
    await proxy.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function backfill(objects: S3ObjectStore, bars: Map<string, Bar[]>): Promise<void> {
  const fs = await ParquetFeatureStore.open({ objects, prefix: PREFIX });
  try {
    await fs.write(barsToBatch(bars, BAR_FEATURES, TIME_FEATURES, parseTimeFrame('1Day'), new Date()));
  } finally {
    await fs.close();
  }
}

/** One daily read through a fresh store; returns its time and what crossed the wire. */
async function dailyRead(objects: S3ObjectStore, proxy: CountingProxy): Promise<Record<string, unknown>> {
  proxy.reset();
  const t0 = performance.now();
  const fs = await ParquetFeatureStore.open({ objects, prefix: PREFIX });
  let rows: number;
  try {
    await fs.coverage('open', '1Day');
    rows = (await fs.queryWide({ features: [...BAR_FEATURES, ...TIME_FEATURES], timeFrame: '1Day' })).length;
  } finally {
    await fs.close();
  }
  const seconds = secondsSince(t0);
  const c = proxy.counts();
  return { seconds: round(seconds), rows, objectDownloads: c.downloads, downloadedMB: round(c.downloadedBytes / 2 ** 20), notModified: c.byMethodStatus['GET 304'] ?? 0, requests: c.requests };
}

function select(bars: Map<string, Bar[]>, keep: (day: string) => boolean): Map<string, Bar[]> {
  return new Map([...bars].map(([s, b]) => [s, b.filter((x) => keep(x.timestamp.toISOString().slice(0, 10)))] as const));
}
