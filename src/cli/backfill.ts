import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseTimeFrame } from '../core/time-frame.js';
import { FEATURE_NAMES } from '../core/feature-catalog.js';
import { validateSymbols } from '../core/identifiers.js';
import { backfillFeatures } from '../pipeline/backfill-features.js';
import { createProgress } from './progress.js';
import { backfillJson, formatBackfillSummary } from './backfill-report.js';
import { openRuntime, SOURCE_NAMES, type SourceName } from './runtime.js';
import { choiceFlag, dateFlag, flag, intFlag, symbolListFlag } from './flags.js';
import { jsonOption, logLine, printResult } from './output.js';

/** Reads a symbols file: one ticker per line, blank lines and `#` comments ignored; every ticker validated. */
export async function readSymbolsFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read symbols file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const lines = text.split(/\r?\n/).map((l) => l.replace(/#.*/, ''));
  const symbols = validateSymbols(lines, `symbols file ${path}`);
  if (symbols.length === 0) throw new Error(`symbols file ${path} is empty: expected one ticker per line`);
  return symbols;
}

/** Options of `stockcast backfill` after parsing. */
interface BackfillOptions {
  features: string;
  start: string;
  end: string;
  symbolsFile?: string;
  symbols?: string[];
  timeFrame: string;
  source?: SourceName;
  earningsSource?: string;
  csv?: string;
  earningsCsv?: string;
  vixCsv?: string;
  adjust?: 'all' | 'none';
  allowSourceChange?: boolean;
  chunkSize: number;
  json?: boolean;
}

/**
 * The earnings source of a backfill: the synthetic one only for the synthetic market or when asked for by name
 * (then with a warning for real bars), an earnings CSV when given, else Nasdaq.
 */
export function earningsSourceOf(barSource: string, asked: string | undefined, csvPath: string | undefined): { name: string; warning?: string } {
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
    .addOption(flag('--start <date>', 'first trading date, YYYY-MM-DD', dateFlag()).makeOptionMandatory())
    .addOption(flag('--end <date>', 'last trading date, YYYY-MM-DD (inclusive)', dateFlag()).makeOptionMandatory())
    .option('--symbols-file <path>', 'file with one ticker per line (default: all symbols of the source for synthetic/csv)')
    .addOption(flag('--symbols <list>', 'comma-separated tickers instead of a file', symbolListFlag()))
    .option('--time-frame <tf>', 'bar time frame: 1Day, 1Hour, 10Min, …', '1Day')
    .addOption(flag('--source <name>', `bar source (required: no default, so made-up prices never reach a real store): ${SOURCE_NAMES.join(', ')}`, choiceFlag(SOURCE_NAMES)))
    .addOption(flag('--earnings-source <name>', 'earnings source: nasdaq, csv (--earnings-csv) or synthetic (default: synthetic for --source synthetic, csv with --earnings-csv, else nasdaq)', choiceFlag(['nasdaq', 'csv', 'synthetic'])))
    .option('--earnings-csv <path>', 'earnings dates from a CSV: symbol,date[,surprise] (.gz ok)')
    .option('--allow-source-change', "let symbols switch from the real source recorded in the store's provenance to this one")
    .option('--csv <path>', 'CSV file for --source csv (symbol,date,open,high,low,close,adj_close,volume; .gz ok; quoted fields ok)')
    .option('--vix-csv <path>', 'vix_open / vix_close from an index CSV (DATE,OPEN,HIGH,LOW,CLOSE, e.g. ../shared/data/vix-daily-2015-2018.csv); default: Yahoo ^VIX')
    .addOption(flag('--adjust <mode>', 'csv/yahoo prices: all (split- and dividend-adjusted from adj_close; default when the CSV has adj_close) or none (raw)', choiceFlag(['all', 'none'])))
    .addOption(flag('--chunk-size <n>', 'symbols per checkpointed step, 1–100000', intFlag({ min: 1, max: 100_000 }), 100))
    .addOption(jsonOption())
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
so re-running never duplicates rows. The store records which source wrote each symbol and feature: it refuses
synthetic rows for symbols holding real data (and the reverse), and a second real source for a symbol unless
--allow-source-change. Exit code 1 when any symbol or date failed.`,
    )
    .action(async (opts: BackfillOptions) => {
      if (opts.source === undefined) throw new Error(`backfill: --source is required (${SOURCE_NAMES.join(', ')}); there is no default, so made-up prices never reach a real store by accident`);
      if (opts.symbols && opts.symbolsFile) throw new Error('backfill: give --symbols or --symbols-file, not both');
      // made-up earnings days for real tickers would be refused by the store's provenance: real bars get real earnings
      const earningsSource = earningsSourceOf(opts.source, opts.earningsSource, opts.earningsCsv);
      const runtime = await openRuntime();
      try {
        const bars = await runtime.barSource(opts.source, { csvPath: opts.csv, adjust: opts.adjust });
        const symbols = opts.symbolsFile ? await readSymbolsFile(opts.symbolsFile) : (opts.symbols ?? validateSymbols(await runtime.defaultSymbols(opts.source, bars), `symbols of --source ${opts.source}`));
        const progress = createProgress('backfill');
        const t0 = performance.now();
        const request = {
          features: opts.features.split(',').map((s) => s.trim()).filter(Boolean),
          symbols,
          startDate: opts.start,
          endDate: opts.end,
          timeFrame: parseTimeFrame(opts.timeFrame),
          chunkSize: opts.chunkSize,
        };
        const summary = await backfillFeatures({
          request,
          bars,
          vix: () => runtime.vixSource(opts.vixCsv),
          earnings: () => {
            if (earningsSource.warning) process.stderr.write(`${earningsSource.warning}\n`);
            return runtime.earningsSource(earningsSource.name, { csvPath: opts.earningsCsv });
          },
          store: await runtime.featureStore(),
          unavailableBarFeatures: runtime.unavailableBarFeatures(opts.source),
          allowSourceChange: opts.allowSourceChange === true,
          checkpointDir: runtime.homePath('checkpoints'),
          onStart: (req) =>
            logLine(`backfill: ${req.symbols.length} symbols, ${req.features.length} features, ${req.startDate}..${req.endDate} ${opts.timeFrame} from ${bars.name} into ${runtime.featureLocation}`),
          onProgress: (e) => progress.update(e.done, e.total, e.stage),
        });
        progress.stop();
        const seconds = (performance.now() - t0) / 1000;
        const context = { source: opts.source, timeFrame: opts.timeFrame, startDate: opts.start, endDate: opts.end, store: runtime.featureLocation, symbols: symbols.length, seconds };
        printResult(opts, backfillJson(summary, context), () => formatBackfillSummary(summary, seconds));
        if (summary.failures.length > 0) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}
