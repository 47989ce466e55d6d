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
    .option('--source <name>', `bar source (required: no default, so made-up prices never reach a real store): ${SOURCE_NAMES.join(', ')}`)
    .option('--earnings-source <name>', 'earnings source: nasdaq or synthetic (default: synthetic for --source synthetic, nasdaq otherwise)')
    .option('--allow-source-change', "let symbols switch from the real source recorded in the store's provenance to this one")
    .option('--csv <path>', 'CSV file for --source csv (symbol,date,open,high,low,close,adj_close,volume; .gz ok)')
    .option('--chunk-size <n>', 'symbols per checkpointed step', (v) => Number(v), 100)
    .addHelpText(
      'after',
      `
Examples:
  stockcast backfill --source synthetic --features open,close,volume,day_of_week --start 2020-01-01 --end 2020-12-31
  stockcast backfill --source alpaca --symbols-file symbols.txt --features open,close,high,low,trade_count,volume,vwap \\
      --start 2020-01-01 --end 2026-01-01
  stockcast backfill --source csv --csv ../shared/data/sp500-daily-2015-2018.csv.gz --features open,close,year,month \\
      --start 2015-01-01 --end 2018-12-31

A re-run of the same command after an interruption skips the steps that already landed; writes are merges,
so re-running never duplicates rows. The store records which source wrote each symbol and feature: it refuses
synthetic rows for symbols holding real data (and the reverse), and a second real source for a symbol unless
--allow-source-change. Exit code 1 when any symbol or date failed.`,
    )
    .action(async (opts: Record<string, string | number | boolean | undefined>) => {
      if (opts.source === undefined) throw new Error(`backfill: --source is required (${SOURCE_NAMES.join(', ')}); there is no default, so made-up prices never reach a real store by accident`);
      const source = String(opts.source) as SourceName;
      if (!SOURCE_NAMES.includes(source)) throw new Error(`unknown --source "${source}": expected one of ${SOURCE_NAMES.join(', ')}`);
      const chunkSize = Number(opts.chunkSize);
      if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`--chunk-size: expected a positive integer, got "${opts.chunkSize}"`);
      const runtime = await openRuntime();
      try {
        const bars = await runtime.barSource(source, { csvPath: opts.csv as string | undefined });
        const symbols = opts.symbolsFile
          ? await readSymbolsFile(String(opts.symbolsFile))
          : opts.symbols
            ? String(opts.symbols).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)
            : await runtime.defaultSymbols(source, bars);
        // made-up earnings days for real tickers would be refused by the store's provenance: real bars get real earnings
        const earningsSource = (opts.earningsSource as string | undefined) ?? (source === 'synthetic' ? 'synthetic' : 'nasdaq');
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
          earnings: () => runtime.earningsSource(earningsSource),
          store: await runtime.featureStore(),
          unavailableBarFeatures: runtime.unavailableBarFeatures(source),
          allowSourceChange: opts.allowSourceChange === true,
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
