import type { Command } from 'commander';
import { registerBackfill } from './backfill.js';
import { registerTrain } from './train.js';
import { registerEvaluate } from './evaluate.js';
import { registerExplain } from './explain.js';
import { registerForecast } from './forecast.js';
import { registerTrade } from './trade.js';
import { registerServe } from './serve.js';
import { registerModels } from './models.js';
import { registerStore } from './store.js';

/** Registers every stockcast subcommand; heavy modules load lazily inside the actions. */
export function registerCommands(program: Command): void {
  program
    .command('demo')
    .description('Run the pipeline offline on a synthetic market (no account, no network).')
    .option('--start <date>', 'first date of the synthetic history', '2019-01-01')
    .option('--end <date>', 'last date of the synthetic history', '2024-12-31')
    .option('--backend <name>', 'tensor backend: wasm (default), cpu, tensorflow', 'auto')
    .action(async (opts: { start: string; end: string; backend: string }) => {
      const { runDemoCommand } = await import('./demo.js');
      await runDemoCommand(opts);
    });
  registerBackfill(program);
  registerTrain(program);
  registerModels(program);
  registerEvaluate(program);
  registerExplain(program);
  registerForecast(program);
  registerTrade(program);
  registerServe(program);
  registerStore(program);
  program
    .command('bench')
    .description('Run benchmarks and print JSON figures.')
    .argument('[name]', 'which benchmark: features, tft, evaluate, trade (default: all)', 'all')
    .option('--data <path>', 'daily bars CSV', '../shared/data/sp500-daily-2015-2018.csv.gz')
    .option('--config <name>', 'tft: small or favourite (default: both)')
    .option('--budget-minutes <n>', 'tft: also train this long and report the validation loss (REFERENCE.md: 15)', Number)
    .option('--threads <n>', 'tft: cores to train on', Number)
    .option('--backend <name>', 'tft: wasm (default), native, cpu, tensorflow')
    .action(async (name: string, opts: { data: string; config?: string; budgetMinutes?: number; threads?: number; backend?: string }) => {
      const { runBenchCommand } = await import('../bench/run-bench.js');
      await runBenchCommand(name, opts);
    });
}
