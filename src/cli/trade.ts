import type { Command } from 'commander';
import type { ModelConfig } from '../config/seed-config.js';
import { planText, type TradeOutcome } from '../trade/execute-trade.js';
import { changeText } from '../trade/reconcile.js';
import { tradeModel, type TradePorts } from '../pipeline/trade-model.js';
import type { RefreshSources } from '../trade/refresh-recent.js';
import { openRuntime, SOURCE_NAMES, type Runtime, type SourceName } from './runtime.js';
import { commandConfig, configOption } from './common-options.js';
import { choiceFlag, flag, isoTimeFlag, modelIdOption } from './flags.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';
import { jsonOption } from './output.js';
import { registerTradeReports } from './trade-reports.js';

/** Options of one `trade` run. */
export interface TradeCommandOptions {
  modelId: string;
  config?: ModelConfig;
  execute?: boolean;
  live?: boolean;
  broker?: 'alpaca' | 'paper';
  /** Refresh source: checked against the store's provenance; without it, the source recorded there. */
  source?: SourceName;
  /** The CSV file a `csv`-sourced store is refreshed from. */
  csv?: string;
  now?: Date;
  backend?: string;
  /** Cores for the forecast's forward passes (default: every core, up to 8). */
  threads?: number;
  /** Print one summary line instead of the whole plan (the demo prints the ledger afterwards). */
  quiet?: boolean;
  json?: boolean;
}

/** One trade run of a model (tradeModel with the runtime's adapters). Prints the plan or the orders. */
export async function runTrade(o: TradeCommandOptions): Promise<string> {
  const runtime = await openRuntime();
  try {
    const inference = await openInference(runtime, o, { quiet: true });
    const out = await tradeModel({
      modelId: o.modelId,
      config: o.config,
      execute: o.execute === true,
      source: o.source,
      now: o.now,
      locksDir: runtime.locksDir,
      backend: inference.label,
      engine: inference.engine,
      ports: tradePorts(runtime, o),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (o.json) process.stdout.write(`${JSON.stringify({ modelId: o.modelId, status: out.status, message: out.message, run: out.run ?? null, reconciled: out.reconciled }, null, 1)}\n`);
    else process.stdout.write(`${out.status}: ${outcomeText(out, o.quiet === true)}\n`);
    return out.status;
  } finally {
    await runtime.close();
  }
}

/** The runtime's adapters for one trade run: the chosen broker, the ledger, and the refresh sources by name. */
function tradePorts(runtime: Runtime, o: TradeCommandOptions): TradePorts {
  return {
    // live needs --live and the configs.yaml entry's live_trading, both (never the artifact's stored config)
    broker: () => runtime.broker({ kind: o.broker, live: o.live, liveConfirmed: o.live === true && o.config?.liveTrading === true, now: o.now }),
    ledger: () => runtime.orderLedger(),
    features: () => runtime.featureStore(),
    models: () => runtime.modelStore(),
    sources: refreshSources(runtime, o.csv),
  };
}

/** Bar and earnings sources by name, for a refresh from the source the store recorded (`csv` needs the file). */
export function refreshSources(runtime: Runtime, csv: string | undefined): RefreshSources {
  return {
    bars: (name) => {
      const source = sourceName(name, 'the refresh source');
      if (source === 'csv' && !csv) throw new Error('the store’s data was written from a CSV file: pass --csv <file> holding the new days (a CSV file cannot refresh itself), or backfill them first');
      return runtime.barSource(source, { csvPath: csv });
    },
    earnings: (name) => runtime.earningsSource(name),
    unavailableBarFeatures: (name) => runtime.unavailableBarFeatures(sourceName(name, 'the refresh source')),
  };
}

/** A bar source name, or an error naming where it came from. */
export function sourceName(name: string, what: string): SourceName {
  if (!(SOURCE_NAMES as readonly string[]).includes(name)) throw new Error(`${what}: expected one of ${SOURCE_NAMES.join(', ')}, got "${name}"`);
  return name as SourceName;
}

/** The plan (or, quiet, its first line and the order counts), after what reconciliation settled. */
function outcomeText(out: TradeOutcome, quiet: boolean): string {
  const settled = out.reconciled.length ? `reconciled ${out.reconciled.length} order(s) of earlier runs:\n${out.reconciled.map((c) => `  ${changeText(c)}`).join('\n')}\n` : '';
  if (!out.run) return `${settled}${out.message}`;
  const plan = planText(out.run);
  if (quiet) {
    const count = (side: 'buy' | 'sell') => out.run!.orders.filter((x) => x.orderType === side).length;
    return `${plan.split('\n')[0]}; ${count('sell')} sells, ${count('buy')} buys`;
  }
  return `${settled}${out.message === plan ? '' : `${out.message}\n`}${plan}`;
}

/** Registers `stockcast trade` (and `trade status`, `trade reconcile`, `performance`). */
export function registerTrade(program: Command): void {
  const trade = inferenceOptions(program
    .command('trade')
    .enablePositionalOptions()
    .description("The daily execute-trade workflow (the seed's execute_buy): reconcile earlier runs, complete the day's data, sell this model's holdings, forecast, buy the new picks.")
    .addOption(modelIdOption('the model to trade', { optional: true }))
    .addOption(configOption('(strategy, starting_money, live_trading, notional caps)'))
    .option('--execute', 'send orders (default: a dry run that prints the plan)')
    .option('--dry-run', 'print the plan without sending anything (the default; stated for scripts)')
    .option('--live', 'trade the live account (also needs live_trading: true in the config)')
    .addOption(flag('--broker <name>', 'alpaca (paper by default) or paper (local, offline); default: alpaca when ALPACA_KEY is set', choiceFlag(['alpaca', 'paper'] as const)))
    .addOption(flag('--source <name>', `refresh source (${SOURCE_NAMES.join(', ')}); default: the source recorded as having written the data`, choiceFlag(SOURCE_NAMES)))
    .option('--csv <path>', 'the CSV file to refresh a csv-sourced store from')
    .addOption(flag('--now <iso>', 'simulated time for the local paper broker (e.g. 2025-01-06T15:00:00Z)', isoTimeFlag()))
    .addOption(jsonOption('print the outcome as JSON (logs stay on stderr)')))
    .addHelpText('after', '\nExit codes: 0 the run finished (or had nothing to do: market closed, not due, already done, dry run); 1 it stopped (incomplete data, another run holds the lock, a ledger that disagrees with the broker, any error).')
    .action(async (opts: { modelId?: string; config?: string; execute?: boolean; dryRun?: boolean; live?: boolean; broker?: 'alpaca' | 'paper'; source?: SourceName; csv?: string; now?: Date; json?: boolean } & InferenceFlags) => {
      if (!opts.modelId) throw new Error('trade: --model-id is required (or use `stockcast trade status`)');
      if (opts.dryRun && opts.execute) throw new Error('trade: --dry-run and --execute contradict each other; pick one');
      const config = commandConfig(opts.config, opts.modelId);
      if (!config) {
        if (opts.live) throw new Error(`trade --live: model ${opts.modelId} has no config in ${opts.config ?? 'configs.yaml'}; live trading never runs on defaults`);
        process.stderr.write(`trade ${opts.modelId}: no config for it in ${opts.config ?? 'configs.yaml'}; using the config stored with the trained model\n`);
      }
      await runTrade({ modelId: opts.modelId, config, execute: opts.execute, live: opts.live, broker: opts.broker, source: opts.source, csv: opts.csv, now: opts.now, backend: opts.backend, threads: opts.threads, json: opts.json });
    });
  registerTradeReports(program, trade);
}
