import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startS3Server } from '../../src/bench/s3rver-process.js';
import { seedRows, writeSeedParquet } from '../helpers/seed-files.js';

// `store migrate` and `store ddl` as a user runs them, on the embedded store (<home>/store/historical_data_v2).
let dir = '';
const cli = (...args: string[]) => runCli(args, dir);
const seedDir = () => join(dir, 'home', 'store', 'historical_data_v2', 'feature=close', 'time_frame=Day');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-store-cli-'));
  const rows = seedRows({ feature: 'close', symbols: ['AAPL', 'MSFT'], dates: ['2020-01-02', '2020-01-03'], updated: '2024-01-01T00:00:00Z', value: (s, i) => `${(s === 'AAPL' ? 300 : 160) + i}.5` });
  await writeSeedParquet(join(seedDir(), 'historical_data_1704067200.parquet'), rows);
});
after(() => rm(dir, { recursive: true, force: true }));

test('store migrate: --dry-run reports, the run migrates and verifies, a re-run is up to date; the seed file stays', async () => {
  const dry = await cli('store', 'migrate', '--dry-run', '--json');
  assert.equal(dry.code, 0, dry.stderr);
  const report = JSON.parse(dry.stdout) as { dryRun: boolean; directories: Array<{ feature: string; status: string; inserted: number }> };
  assert.equal(report.dryRun, true);
  assert.deepEqual(report.directories.map((d) => [d.feature, d.status, d.inserted]), [['close', 'would-migrate', 4]]);
  const run = await cli('store', 'migrate');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^close {2}time_frame=Day → 1Day {2}migrated 1 file\(s\), 4 row\(s\) \(0 duplicate\(s\)\) → 4 inserted, 0 replaced, 0 identical, 0 kept newer; 1 partition\(s\) written; verified$/m);
  assert.match((await cli('store', 'migrate')).stdout, /close {2}time_frame=Day → 1Day {2}up to date \(1 file\(s\) migrated before\)/);
  await access(join(seedDir(), 'historical_data_1704067200.parquet'));
});

test('store ddl: Athena statements for both tables; Spark names the partitions present; missing locations and bad engines are clear errors', async () => {
  const athena = await cli('store', 'ddl', '--engine', 'athena', '--location', 's3://my-bucket/historical_data_v2', '--predictions-location', 's3://my-models/');
  assert.equal(athena.code, 0, athena.stderr);
  assert.match(athena.stdout, /CREATE EXTERNAL TABLE IF NOT EXISTS `stockcast`\.`features`/);
  assert.match(athena.stdout, /'projection\.feature\.values' = '[a-z_,]*close[a-z_,]*'/);
  assert.match(athena.stdout, /CREATE EXTERNAL TABLE IF NOT EXISTS `stockcast`\.`predictions`[\s\S]*`y_pred_p50` array<double>/);
  const spark = await cli('store', 'ddl', '--engine', 'spark', '--table', 'features', '--database', 'lake', '--location', 's3a://my-bucket/historical_data_v2/');
  assert.equal(spark.code, 0, spark.stderr);
  assert.match(spark.stdout, /ALTER TABLE `lake`\.`features` ADD IF NOT EXISTS PARTITION \(`feature` = 'close', `time_frame` = '1Day'\)/);
  assert.doesNotMatch(spark.stdout, /predictions/);
  const noBucket = await cli('store', 'ddl', '--engine', 'trino');
  assert.equal(noBucket.code, 1);
  assert.match(noBucket.stderr, /store ddl: the feature store is not in S3 \(S3_BUCKET_NAME is unset\): set it, or pass --location s3:\/\/bucket\/path\//);
  const server = await startS3Server('sagemaker-models');
  try {
    const s3 = { S3_MODEL_OUTPUT_BUCKET_NAME: 'sagemaker-models', AWS_ENDPOINT_URL_S3: server.endpoint, ACCESS_KEY: server.credentials.accessKeyId, SECRET_ACCESS_KEY: server.credentials.secretAccessKey };
    const fromSettings = await runCli(['store', 'ddl', '--engine', 'athena', '--table', 'predictions'], dir, s3);
    assert.equal(fromSettings.code, 0, fromSettings.stderr);
    assert.match(fromSettings.stdout, /'storage\.location\.template' = 's3:\/\/sagemaker-models\/\$\{model_id\}\/output\/predictions\/'/);
  } finally {
    await server.close();
  }
  const bad = await cli('store', 'ddl', '--engine', 'hive');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--engine: expected one of athena, trino, spark, got "hive"/);
});
