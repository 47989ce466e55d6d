import type { Command } from 'commander';
import { registerBackfill } from './backfill.js';
import { registerTrain } from './train.js';
import { registerEvaluate } from './evaluate.js';
import { registerExplain } from './explain.js';
import { registerForecast } from './forecast.js';
import { registerTrade } from './trade.js';
import { registerServe } from './serve.js';
import { registerModels } from './models.js';
import { backendOption, choiceFlag, dateFlag, flag, intFlag, numberFlag } from './flags.js';
import { registerWalkForward } from './walk-forward.js';
import { registerStore } from './store.js';

/** Registers every stockcast subcommand; heavy modules load lazily inside the actions. */
export function registerCommands(program: Command): void {
  program
    .command('demo')
    .description('Run the pipeline offline on a synthetic market (no account, no network).')
    .addOption(flag('--start <date>', 'first date of the synthetic history', dateFlag(), '2019-01-01'))
    .addOption(flag('--end <date>', 'last date of the synthetic history', dateFlag(), '2024-12-31'))
    .addOption(backendOption())
    .action(async (opts: { start: string; end: string; backend: string }) => {
      const { runDemoCommand } = await import('./demo.js');
      await runDemoCommand(opts);
    });
  registerBackfill(program);
  registerTrain(program);
  registerModels(program);
  registerEvaluate(program);
  registerWalkForward(program);
  registerExplain(program);
  registerForecast(program);
  registerTrade(program);
  registerServe(program);
  registerStore(program);
  program
    .command('bench')
    .description('Run benchmarks and print JSON figures (see README, Performance).')
    .argument('[name]', 'features, tft, evaluate, trade, ledger, s3-cache, or all of these; compare (on request only)', 'all')
    .option('--data <path>', 'daily bars CSV', '../shared/data/sp500-daily-2015-2018.csv.gz')
    .addOption(flag('--config <name>', 'tft: small or favourite (default: both); compare: required', choiceFlag(['small', 'favourite'] as const)))
    .addOption(flag('--budget-minutes <n>', 'tft, compare: also train this long and report the validation loss per epoch (REFERENCE.md: 15); > 0 and <= 1440', numberFlag({ above: 0, max: 1440 })))
    .option('--budget-only', 'tft: only the budget run')
    .addOption(flag('--threads <n>', 'tft, compare: cores to train and infer on, 1–64 (default: every core, up to 8)', intFlag({ min: 1, max: 64 })))
    .addOption(backendOption('tft, compare: auto (default: native where built, else wasm), native, wasm, cpu, tensorflow', undefined))
    .addOption(flag('--batches <n>', "tft, compare: smoke run: time n batches instead of 30 and use the first n validation batches (figures are then not the protocol's); 1–1000", intFlag({ min: 1, max: 1000 })))
    .addOption(flag('--repeats <n>', 'tft, compare: inference and forward-only runs to take the median of (default 3); 1–100', intFlag({ min: 1, max: 100 })))
    .option('--reference-dir <dir>', 'compare: the set-up copy of ../shared/bench/reference', '.bench-ref')
    .addHelpText(
      'after',
      `
Examples:
  npm run bench                                                     # every benchmark but compare, JSON on stdout
  stockcast bench tft --config favourite --backend native     # or --backend wasm
  stockcast bench compare --config small --data ../shared/data/sp500-daily-2015-2018.csv.gz
  stockcast bench compare --config favourite --budget-minutes 15    # also the 15-minute budget runs`,
    )
    .action(async (name: string, opts: import('../bench/run-bench.js').BenchOptions) => {
      const { runBenchCommand } = await import('../bench/run-bench.js');
      await runBenchCommand(name, opts);
    });
}
