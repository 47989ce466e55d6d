import type { Command } from 'commander';
import { FEATURE_NAMES } from '../core/feature-catalog.js';
import { openRuntime, type Runtime } from './runtime.js';

/** One line of `store migrate` per seed directory. */
function migrationLine(d: import('../store/seed-migrate.js').DirectoryMigration): string {
  const where = `${d.feature}  time_frame=${d.directory} → ${d.timeFrame ?? '?'}`;
  if (d.status === 'skipped' || d.status === 'failed') return `${where}  ${d.status.toUpperCase()}: ${d.reason}`;
  if (d.status === 'up-to-date') return `${where}  up to date (${d.alreadyMigratedFiles} file(s) migrated before)`;
  const rows = `${d.files} file(s), ${d.seedRows} row(s) (${d.duplicates} duplicate(s)) → ${d.inserted} inserted, ${d.replaced} replaced, ${d.identical} identical, ${d.keptNewer} kept newer`;
  if (d.status === 'would-migrate') return `${where}  would migrate ${rows}`;
  return `${where}  migrated ${rows}; ${d.partitionsWritten} partition(s) written; verified`;
}

async function runMigrate(opts: { dryRun?: boolean; json?: boolean }): Promise<void> {
  const runtime = await openRuntime();
  try {
    const { migrateSeedLayout } = await import('../store/seed-migrate.js');
    const objects = await runtime.objectStore();
    process.stderr.write(`${opts.dryRun ? 'dry run: ' : ''}migrating the seed's files under ${runtime.featureLocation}\n`);
    const report = await migrateSeedLayout({ objects, prefix: runtime.settings.featurePrefix, dryRun: opts.dryRun, onDirectory: (d) => !opts.json && process.stdout.write(`${migrationLine(d)}\n`) });
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.directories.length === 0) process.stdout.write('no seed files found: nothing to migrate\n');
    if (report.directories.some((d) => d.status === 'failed')) process.exitCode = 1;
  } finally {
    await runtime.close();
  }
}

/** `s3://bucket/prefix/` of a bucket setting (`s3a://` for Spark), or the flag's location; a clear error without either. */
function s3Location(flag: string | undefined, bucket: string | undefined, path: string, engine: string, what: string): string {
  if (flag) return flag.endsWith('/') ? flag : `${flag}/`;
  if (!bucket) throw new Error(`store ddl: ${what} is not in S3 (${what === 'the feature store' ? 'S3_BUCKET_NAME' : 'S3_MODEL_OUTPUT_BUCKET_NAME'} is unset): set it, or pass ${what === 'the feature store' ? '--location' : '--predictions-location'} s3://bucket/path/`);
  return `${engine === 'spark' ? 's3a' : 's3'}://${bucket}/${path ? `${path}/` : ''}`;
}

async function runDdl(opts: { engine: string; database: string; table: string; location?: string; predictionsLocation?: string }): Promise<void> {
  const ddl = await import('../store/ddl.js');
  const engine = opts.engine as import('../store/ddl.js').DdlEngine;
  if (!ddl.DDL_ENGINES.includes(engine)) throw new Error(`--engine: expected one of ${ddl.DDL_ENGINES.join(', ')}, got "${opts.engine}"`);
  if (!['features', 'predictions', 'all'].includes(opts.table)) throw new Error(`--table: expected features, predictions or all, got "${opts.table}"`);
  const runtime = await openRuntime();
  try {
    const out: string[] = [];
    if (opts.table !== 'predictions') out.push(ddl.tableDdl(await featureTableSpec(runtime, engine, opts)));
    if (opts.table !== 'features') out.push(ddl.tableDdl(await predictionsTableSpec(runtime, engine, opts)));
    process.stdout.write(out.join('\n'));
  } finally {
    await runtime.close();
  }
}

async function featureTableSpec(runtime: Runtime, engine: import('../store/ddl.js').DdlEngine, opts: { database: string; location?: string }) {
  const { featureTable } = await import('../store/ddl.js');
  const { featurePartitions } = await import('../store/table-layout.js');
  const s = runtime.settings;
  const location = s3Location(opts.location, s.bucket, s.featurePrefix, engine, 'the feature store');
  let pairs = await featurePartitions(await runtime.objectStore(), s.featurePrefix);
  if (pairs.length === 0) process.stderr.write(`the feature store at ${runtime.featureLocation} holds no partitions yet: the statements name every feature at 1Day\n`);
  // Athena projects every enumerated value, so it also names the features stockcast can backfill, at least at 1Day
  if (engine === 'athena' || pairs.length === 0) pairs = [...pairs, ...FEATURE_NAMES.map((f): [string, string] => [f, '1Day'])];
  const unique = [...new Map(pairs.map((p) => [p.join('/'), p])).values()];
  return featureTable({ engine, database: opts.database, location, pairs: unique });
}

async function predictionsTableSpec(runtime: Runtime, engine: import('../store/ddl.js').DdlEngine, opts: { database: string; predictionsLocation?: string }) {
  const { predictionsTable } = await import('../store/ddl.js');
  const { predictionLayout } = await import('../store/table-layout.js');
  const location = s3Location(opts.predictionsLocation, runtime.settings.modelBucket, '', engine, 'the model store');
  const layout = await predictionLayout(await runtime.modelStore());
  const quantileColumns = layout.quantileColumns.length ? layout.quantileColumns : ['y_pred_p30', 'y_pred_p50', 'y_pred_p70'];
  return predictionsTable({ engine, database: opts.database, location, quantileColumns, modelIds: layout.modelIds });
}

/** Registers `stockcast store migrate` and `stockcast store ddl`. */
export function registerStore(program: Command): void {
  const store = program.command('store').description("The feature store's layout: migrate the seed's files, print table statements for Athena, Trino and Spark.");
  store
    .command('migrate')
    .description("Rewrite the seed's appended files (feature=X/time_frame=Day/historical_data_<ts>.parquet) into stockcast's layout, checked row for row; re-runnable, crash-safe, the seed's files kept.")
    .option('--dry-run', 'report what would be migrated, write nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', "\nRun it while no backfill writes to the store. Each seed directory gets a _stockcast_migrated.json marker once its\nrows are verified in stockcast's layout; readers then skip those files. Example:\n  stockcast store migrate --dry-run && stockcast store migrate\n")
    .action(runMigrate);
  store
    .command('ddl')
    .description('Print CREATE EXTERNAL TABLE statements for the feature store and the predictions (Athena with partition projection).')
    .option('--engine <name>', 'athena, trino or spark', 'athena')
    .option('--database <name>', 'database (schema) of the tables', 'stockcast')
    .option('--table <which>', 'features, predictions or all', 'all')
    .option('--location <uri>', 'the feature store location (default: s3://$S3_BUCKET_NAME/$ATHENA_TABLE_S3_PREFIX/)')
    .option('--predictions-location <uri>', 'the model store location (default: s3://$S3_MODEL_OUTPUT_BUCKET_NAME/)')
    .addHelpText('after', '\nExamples:\n  stockcast store ddl --engine athena > tables.sql\n  stockcast store ddl --engine trino --table features\n  stockcast store ddl --engine spark --location s3a://my-bucket/historical_data_v2/\n')
    .action(runDdl);
}
