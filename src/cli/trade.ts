import type { Command } from 'commander';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { planText, type TradeOutcome } from '../trade/execute-trade.js';
import { tradeStatus, weeklyPerformance } from '../trade/trade-report.js';
import { tradeModel, type TradePorts } from '../pipeline/trade-model.js';
import { openRuntime, SOURCE_NAMES, type Runtime, type SourceName } from './runtime.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';

/** Options of one `trade` run. */
export interface TradeCommandOptions {
  modelId: string;
  config?: ModelConfig;
  execute?: boolean;
  live?: boolean;
  broker?: 'alpaca' | 'paper';
  source?: SourceName;
  now?: Date;
  backend?: string;
  /** Cores for the forecast's forward passes (default: every core, up to 8). */
  threads?: number;
  /** Print one summary line instead of the whole plan (the demo prints the ledger afterwards). */
  quiet?: boolean;
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
      now: o.now,
      lockPath: runtime.lockPath(`trade-${o.modelId}`),
      backend: inference.label,
      engine: inference.engine,
      ports: tradePorts(runtime, o),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${out.status}: ${outcomeText(out, o.quiet === true)}\n`);
    return out.status;
  } finally {
    await runtime.close();
  }
}

/** The runtime's adapters for one trade run: the chosen broker, the ledger, and the refresh sources. */
function tradePorts(runtime: Runtime, o: TradeCommandOptions): TradePorts {
  const source = o.source ?? 'synthetic';
  return {
    // live needs --live and the configs.yaml entry's live_trading, both (never the artifact's stored config)
    broker: () => runtime.broker({ kind: o.broker, live: o.live, liveConfirmed: o.live === true && o.config?.liveTrading === true, now: o.now }),
    ledger: () => runtime.orderLedger(),
    features: () => runtime.featureStore(),
    models: () => runtime.modelStore(),
    bars: () => runtime.barSource(source),
    earnings: () => runtime.earningsSource(source === 'synthetic' ? 'synthetic' : 'nasdaq'),
    unavailableBarFeatures: runtime.unavailableBarFeatures(source),
  };
}

/** The plan (or, quiet, its first line and the order counts). */
function outcomeText(out: TradeOutcome, quiet: boolean): string {
  if (!out.run) return out.message;
  const plan = planText(out.run);
  if (quiet) {
    const count = (side: 'buy' | 'sell') => out.run!.orders.filter((x) => x.orderType === side).length;
    return `${plan.split('\n')[0]}; ${count('sell')} sells, ${count('buy')} buys`;
  }
  return `${out.message === plan ? '' : `${out.message}\n`}${plan}`;
}

/** Registers `stockcast trade`, `trade status` and `performance`. */
export function registerTrade(program: Command): void {
  const trade = inferenceOptions(
    program
      .command('trade')
      .enablePositionalOptions()
      .description("The daily execute-trade workflow (the seed's execute_buy): sell this model's last buys, forecast, buy the new picks.")
      .option('--model-id <id>', 'the model to trade')
      .option('--config <path>', 'configs.yaml (strategy, starting_money, live_trading, notional caps)', 'configs.yaml')
      .option('--execute', 'send orders (default: a dry run that prints the plan)')
      .option('--dry-run', 'print the plan without sending anything (the default; stated for scripts)')
      .option('--live', 'trade the live account (also needs live_trading: true in the config)')
      .option('--broker <name>', 'alpaca (paper by default) or paper (local, offline); default: alpaca when ALPACA_KEY is set')
      .option('--source <name>', 'where to refresh recent bars from: synthetic, alpaca, yahoo', 'synthetic')
      .option('--now <iso>', 'simulated time for the local paper broker (e.g. 2025-01-06T15:00:00Z)'),
  )
    .action(async (opts: { modelId?: string; config: string; execute?: boolean; dryRun?: boolean; live?: boolean; broker?: 'alpaca' | 'paper'; source: SourceName; now?: string } & InferenceFlags) => {
      if (!opts.modelId) throw new Error('trade: --model-id is required (or use `stockcast trade status`)');
      if (opts.dryRun && opts.execute) throw new Error('trade: --dry-run and --execute contradict each other; pick one');
      const config = optionalConfig(opts.config, opts.modelId);
      if (!config) {
        if (opts.live) throw new Error(`trade --live: model ${opts.modelId} has no config in ${opts.config}; live trading never runs on defaults`);
        process.stderr.write(`trade ${opts.modelId}: no config for it in ${opts.config}; using the config stored with the trained model\n`);
      }
      if (opts.broker !== undefined && opts.broker !== 'alpaca' && opts.broker !== 'paper') throw new Error(`--broker: expected alpaca or paper, got "${String(opts.broker)}"`);
      if (!SOURCE_NAMES.includes(opts.source)) throw new Error(`--source: expected one of ${SOURCE_NAMES.join(', ')}, got "${opts.source}"`);
      await runTrade({ modelId: opts.modelId, config, execute: opts.execute, live: opts.live, broker: opts.broker, source: opts.source, now: parseNow(opts.now), backend: opts.backend, threads: opts.threads });
    });
  trade
    .command('status')
    .description('For each model: last run, whether a scheduled run was missed (exit code 2 if so), realised P&L.')
    .option('--interval-days <n>', 'expected trading days between runs', Number, 1)
    .option('--now <iso>', 'evaluate as of this time')
    .action(async (opts: { intervalDays: number; now?: string }) => {
      const now = parseNow(opts.now) ?? new Date();
      if (!Number.isInteger(opts.intervalDays) || opts.intervalDays < 1) throw new Error(`--interval-days: expected an integer >= 1, got ${opts.intervalDays}`);
      const runtime = await openRuntime();
      try {
        const r = await tradeStatus(await runtime.orderLedger(), now, opts.intervalDays);
        process.stdout.write(`${r.text}\n`);
        if (r.missed) process.exitCode = 2;
      } finally {
        await runtime.close();
      }
    });
  program
    .command('performance')
    .description('Models ranked by realised weekly performance, with per-week and per-symbol detail.')
    .action(async () => {
      const runtime = await openRuntime();
      try {
        process.stdout.write(`${await weeklyPerformance(await runtime.orderLedger())}\n`);
      } finally {
        await runtime.close();
      }
    });
}

/** `--now`: an ISO time, or undefined when not given. */
function parseNow(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const now = new Date(text);
  if (Number.isNaN(now.getTime())) throw new Error(`--now: expected an ISO time, got "${text}"`);
  return now;
}
