import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseTimeFrame } from '../core/time-frame.js';
import { FEATURE_NAMES } from '../core/feature-catalog.js';
import { backfillFeatures } from '../pipeline/backfill-features.js';
import { createProgress } from './progress.js';
import { formatBackfillSummary } from './backfill-report.js';
import { openRuntime, SOURCE_NAMES, type SourceName } from './runtime.js';

/** Reads a symbols file: one ticker per line, blank lines and `#` comments ignored. */
export async function readSymbolsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read symbols file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const symbols = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim().toUpperCase())
    .filter((l) => l.length > 0);
  if (symbols.length === 0) throw new Error(`symbols file ${path} is empty: expected one ticker per line`);
  const bad = symbols.filter((s) => !/^[A-Z0-9.\-]{1,12}$/.test(s));
  if (bad.length > 0) throw new Error(`symbols file ${path} has invalid tickers: ${bad.slice(0, 5).join(', ')}`);
  return [...new Set(symbols)];
}

/**
 * The earnings source of a backfill: the synthetic one only for the synthetic market or when asked for by name
 * (then with a warning for real bars), an earnings CSV when given, else Nasdaq.
 */
export function earningsSourceOf(barSource: string, asked: string | undefined, csvPath: string | undefined): { name: string; warning?: string } {
  if (asked !== undefined && !['nasdaq', 'csv', 'synthetic'].includes(asked)) throw new Error(`--earnings-source: expected nasdaq, csv or synthetic, got "${asked}"`);
  if (asked === 'csv' && !csvPath) throw new Error('--earnings-source csv needs --earnings-csv <path>');
  const chosen = asked ?? (csvPath ? 'csv' : barSource === 'synthetic' ? 'synthetic' : 'nasdaq');
  const warning = chosen === 'synthetic' && barSource !== 'synthetic' ? `WARNING: --earnings-source synthetic invents earnings dates and surprises for real ${barSource} bars; use nasdaq or --earnings-csv for real ones` : undefined;
  return { name: chosen, warning };
}

/** Registers `stockcast backfill`. */
export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('Pull features from a source into the feature store (idempotent, resumable).')
    .requiredOption('--features <list>', `comma-separated features (${FEATURE_NAMES.join(', ')})`)
    .requiredOption('--start <date>', 'first trading date, YYYY-MM-DD')
    .requiredOption('--end <date>', 'last trading date, YYYY-MM-DD (inclusive)')
    .option('--symbols-file <path>', 'file with one ticker per line (default: all symbols of the source for synthetic/csv)')
    .option('--symbols <list>', 'comma-separated tickers instead of a file')
    .option('--time-frame <tf>', 'bar time frame: 1Day, 1Hour, 10Min, …', '1Day')
    .option('--source <name>', `bar source: ${SOURCE_NAMES.join(', ')}`, 'synthetic')
    .option('--earnings-source <name>', 'earnings source: nasdaq, csv (--earnings-csv) or synthetic (default: synthetic for --source synthetic, csv with --earnings-csv, else nasdaq)')
    .option('--earnings-csv <path>', 'earnings dates from a CSV: symbol,date[,surprise] (.gz ok)')
    .option('--csv <path>', 'CSV file for --source csv (symbol,date,open,high,low,close,adj_close,volume; .gz ok; quoted fields ok)')
    .option('--vix-csv <path>', 'vix_open / vix_close from an index CSV (DATE,OPEN,HIGH,LOW,CLOSE, e.g. ../shared/data/vix-daily-2015-2018.csv); default: Yahoo ^VIX')
    .option('--adjust <mode>', 'csv/yahoo prices: all (split- and dividend-adjusted from adj_close; default when the CSV has adj_close) or none (raw)')
    .option('--chunk-size <n>', 'symbols per checkpointed step', (v) => Number(v), 100)
    .addHelpText(
      'after',
      `
Examples:
  stockcast backfill --source synthetic --features open,close,volume,day_of_week --start 2020-01-01 --end 2020-12-31
  stockcast backfill --source alpaca --symbols-file symbols.txt --features open,close,high,low,trade_count,volume,vwap \\
      --start 2020-01-01 --end 2026-01-01
  stockcast backfill --source csv --csv ../shared/data/sp500-daily-2015-2018.csv.gz --features open,close,month \\
      --start 2015-01-01 --end 2018-12-31             # prices adjusted from adj_close (--adjust none: raw)
  stockcast backfill --source csv --csv ../shared/data/sp500-daily-2015-2018.csv.gz --features vix_open,market_open_return \\
      --vix-csv ../shared/data/vix-daily-2015-2018.csv --start 2015-01-01 --end 2018-12-31   # market covariates, stored once
  stockcast backfill --source csv --csv bars.csv --earnings-csv earnings.csv --features open,is_earnings_day,surprise \\
      --start 2015-01-01 --end 2018-12-31

A re-run of the same command after an interruption skips the steps that already landed; writes are merges,
so re-running never duplicates rows. Exit code 1 when any symbol or date failed.`,
    )
    .action(async (opts: Record<string, string | number | undefined>) => {
      const source = String(opts.source) as SourceName;
      if (!SOURCE_NAMES.includes(source)) throw new Error(`unknown --source "${source}": expected one of ${SOURCE_NAMES.join(', ')}`);
      const chunkSize = Number(opts.chunkSize);
      if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`--chunk-size: expected a positive integer, got "${opts.chunkSize}"`);
      const adjust = opts.adjust as string | undefined;
      if (adjust !== undefined && adjust !== 'all' && adjust !== 'none') throw new Error(`--adjust: expected all or none, got "${adjust}"`);
      const earningsSource = earningsSourceOf(source, opts.earningsSource as string | undefined, opts.earningsCsv as string | undefined);
      const runtime = await openRuntime();
      try {
        const bars = await runtime.barSource(source, { csvPath: opts.csv as string | undefined, adjust });
        const symbols = opts.symbolsFile
          ? await readSymbolsFile(String(opts.symbolsFile))
          : opts.symbols
            ? String(opts.symbols).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)
            : await runtime.defaultSymbols(source, bars);
        const progress = createProgress('backfill');
        const t0 = performance.now();
        const summary = await backfillFeatures({
          request: {
            features: String(opts.features).split(',').map((s) => s.trim()).filter(Boolean),
            symbols,
            startDate: String(opts.start),
            endDate: String(opts.end),
            timeFrame: parseTimeFrame(String(opts.timeFrame)),
            chunkSize,
          },
          bars,
          vix: () => runtime.vixSource(opts.vixCsv as string | undefined),
          earnings: () => {
            if (earningsSource.warning) process.stderr.write(`${earningsSource.warning}\n`);
            return runtime.earningsSource(earningsSource.name, { csvPath: opts.earningsCsv as string | undefined });
          },
          store: await runtime.featureStore(),
          unavailableBarFeatures: runtime.unavailableBarFeatures(source),
          checkpointDir: join(runtime.home, 'checkpoints'),
          onStart: (req) =>
            process.stderr.write(`backfill: ${req.symbols.length} symbols, ${req.features.length} features, ${req.startDate}..${req.endDate} ${opts.timeFrame} from ${bars.name} into ${runtime.featureLocation}\n`),
          onProgress: (e) => progress.update(e.done, e.total, e.stage),
        });
        progress.stop();
        process.stdout.write(`${formatBackfillSummary(summary, (performance.now() - t0) / 1000)}\n`);
        if (summary.failures.length > 0) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}
