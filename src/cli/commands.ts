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
  program
    .command('bench')
    .description('Run benchmarks and print JSON figures.')
    .argument('[name]', 'which benchmark: features, tft, evaluate, trade, ledger (default: all)', 'all')
    .option('--data <path>', 'daily bars CSV', '../shared/data/sp500-daily-2015-2018.csv.gz')
    .addOption(flag('--config <name>', 'tft: small or favourite (default: both)', choiceFlag(['small', 'favourite'] as const)))
    .addOption(flag('--budget-minutes <n>', 'tft: also train this long and report the validation loss (REFERENCE.md: 15); > 0 and <= 1440', numberFlag({ above: 0, max: 1440 })))
    .addOption(flag('--threads <n>', 'tft: cores to train on (1–256)', intFlag({ min: 1, max: 256 })))
    .addOption(backendOption('tft: wasm (default), native, cpu, tensorflow', undefined))
    .action(async (name: string, opts: { data: string; config?: string; budgetMinutes?: number; threads?: number; backend?: string }) => {
      const { runBenchCommand } = await import('../bench/run-bench.js');
      await runBenchCommand(name, opts);
    });
}
