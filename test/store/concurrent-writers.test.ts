import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startS3Server } from '../../src/bench/s3rver-process.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { S3ObjectStore } from '../../src/store/s3-object-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';

// Issue 14 item 1: two backfills into one store at once, one symbol per checkpointed step, used to lose about half
// the symbols (one run failed reading a partition the other was replacing, the other exited 0 over lost rows).

const CSV = fileURLToPath(new URL('../fixtures/sp500-6-symbols-2015-2018.csv.gz', import.meta.url));
const FEATURES = ['open', 'day_of_week'];
const RUN_A = ['AAPL', 'JNJ', 'JPM'];
const RUN_B = ['KO', 'MSFT', 'XOM'];
const backfill = (symbols: string[]) => ['backfill', '--source', 'csv', '--csv', CSV, '--symbols', symbols.join(','), '--features', FEATURES.join(','), '--start', '2015-01-01', '--end', '2018-12-31', '--chunk-size', '1'];

/** Runs both backfills at once (while `read` queries the store from this process); both must succeed. */
async function racingBackfills(dir: string, env: Record<string, string>, read: () => Promise<void>): Promise<void> {
  let running = true;
  const both = Promise.all([runCli(backfill(RUN_A), dir, env), runCli(backfill(RUN_B), dir, env)]).finally(() => (running = false));
  // a reader in another process (this one) meanwhile: its queries must never fail on a partition being replaced
  while (running) await read();
  for (const r of (await both) as CliRun[]) {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no failures/);
  }
}

/** Every symbol of both runs is in every feature, each with all 1,000 trading days, and nothing else. */
async function assertEverySymbol(objects: ObjectStore, prefix: string): Promise<void> {
  const store = await ParquetFeatureStore.open({ objects, prefix });
  try {
    for (const f of FEATURES) {
      const coverage = await store.coverage(f, '1Day');
      assert.deepEqual(coverage.map((c) => [c.symbol, c.rows]), [...RUN_A, ...RUN_B].sort().map((s) => [s, 1000]), `feature ${f}`);
    }
  } finally {
    await store.close();
  }
}

/** A reader's step: the wide query either finds no data yet or a well-formed frame. */
async function readStep(store: ParquetFeatureStore): Promise<void> {
  try {
    const frame = await store.queryWide({ features: ['open'], timeFrame: '1Day' });
    assert.ok(frame.length <= 6000);
  } catch (err) {
    if (!/no data in the feature store/.test((err as Error).message)) throw err;
  }
  await new Promise((r) => setTimeout(r, 100));
}

test('two backfills into one local store at once, repeated: every symbol of both runs lands in every feature', async () => {
  for (let round = 1; round <= 3; round++) {
    const dir = await mkdtemp(join(tmpdir(), 'sc-race-'));
    const objects = new LocalObjectStore(join(dir, 'home', 'store'));
    const reader = await ParquetFeatureStore.open({ objects, prefix: 'historical_data_v2' });
    try {
      await racingBackfills(dir, {}, () => readStep(reader));
      await assertEverySymbol(objects, 'historical_data_v2');
      const leftovers = (await readdir(join(dir, 'home'), { recursive: true })).filter((f) => /\.(tmp|lock)$|\.break-/.test(f));
      assert.deepEqual(leftovers, [], `round ${round}: no lock or temp file is left`);
    } finally {
      await reader.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
});

test('two backfills into one S3 store at once (conditional writes against s3rver), repeated: no symbol is lost', async () => {
  const server = await startS3Server();
  const dir = await mkdtemp(join(tmpdir(), 'sc-race-s3-'));
  try {
    for (let round = 1; round <= 2; round++) {
      const prefix = `round-${round}`;
      const env = { S3_BUCKET_NAME: server.bucket, AWS_ENDPOINT_URL_S3: server.endpoint, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey, ATHENA_TABLE_S3_PREFIX: prefix };
      const objects = new S3ObjectStore({ bucket: server.bucket, region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials });
      const reader = await ParquetFeatureStore.open({ objects, prefix });
      try {
        await racingBackfills(dir, env, () => readStep(reader));
      } finally {
        await reader.close();
      }
      await assertEverySymbol(objects, prefix);
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
