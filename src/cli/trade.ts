import { join } from 'node:path';
import type { Command } from 'commander';
import { initBackend, type BackendName } from '../model/backend.js';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { executeTrade, planText } from '../trade/execute-trade.js';
import { acquireLock } from '../trade/run-lock.js';
import { forecastLatest } from '../pipeline/forecast-latest.js';
import { loadArtifact, trainedConfig } from '../model/artifact.js';
import { baseParams } from '../backtest/evaluation.js';
import { pickSimpleXDaysAhead } from '../strategies/simple-x-days-ahead-buying.js';
import { runBackfill } from '../features/backfill.js';
import { parseTimeFrame } from '../core/time-frame.js';
import { addDays, nyDate } from '../core/ny-time.js';
import type { Broker } from '../broker/broker.js';
import type { OrderLedger } from '../store/order-ledger.js';
import type { FeatureStore } from '../store/feature-store.js';
import { openRuntime, type Runtime, type SourceName } from './runtime.js';
import { tradeStatus, weeklyPerformance } from '../trade/trade-report.js';

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
  /** Print one summary line instead of the whole plan (the demo prints the ledger afterwards). */
  quiet?: boolean;
}

/** Opens the order ledger: DynamoDB when ORDERS_TABLE is set, else the embedded file (`readOnly`: an existing one, for viewers). */
export async function openLedger(runtime: Runtime, options: { readOnly?: boolean } = {}): Promise<OrderLedger> {
  const s = runtime.settings;
  if (s.ordersTable) {
    const { DynamoDbOrderLedger } = await import('../store/dynamodb-order-ledger.js');
    const o = s.s3Options('unused');
    return new DynamoDbOrderLedger({ table: s.ordersTable, region: s.region, endpoint: s.get('AWS_ENDPOINT_URL_DYNAMODB') ?? s.get('AWS_ENDPOINT_URL'), credentials: o.credentials });
  }
  const { DuckDbOrderLedger } = await import('../store/duckdb-order-ledger.js');
  return DuckDbOrderLedger.open(join(runtime.home, 'ledger.duckdb'), options);
}

/** The broker: Alpaca (paper unless --live and live_trading) when chosen or keyed, else the local paper broker. */
async function openBroker(runtime: Runtime, o: TradeCommandOptions, features: FeatureStore): Promise<Broker> {
  const useAlpaca = o.broker === 'alpaca' || (o.broker === undefined && runtime.settings.get('ALPACA_KEY') !== undefined);
  if (useAlpaca) {
    const { AlpacaBroker } = await import('../broker/alpaca-broker.js');
    return new AlpacaBroker({
      keyId: runtime.settings.require('ALPACA_KEY'),
      secretKey: runtime.settings.require('ALPACA_SECRET'),
      live: o.live,
      liveConfirmed: o.live === true && o.config?.liveTrading === true,
      baseUrl: o.live ? undefined : runtime.settings.get('ALPACA_TRADING_URL'),
    });
  }
  if (o.live) throw new Error('--live needs the Alpaca broker (ALPACA_KEY/ALPACA_SECRET)');
  const { PaperBroker } = await import('../broker/paper-broker.js');
  const cache = new Map<string, Map<string, number>>();
  return new PaperBroker({
    statePath: join(runtime.home, 'paper-broker.json'),
    now: o.now ? () => o.now! : undefined,
    startingCash: 100_000,
    // orders fill at that trading day's open, read from the feature store (one query per day)
    priceOn: async (symbol, date) => {
      let day = cache.get(date);
      if (!day) {
        const f = await features.queryWide({ features: ['open'], timeFrame: '1Day', startDate: date, endDate: date }).catch(() => null);
        const open = f?.columns.get('open');
        day = new Map();
        for (let r = 0; f && open && r < f.length; r++) day.set(f.symbols[f.symbolIndex[r]!]!, open[r]!);
        if (day.size > 0) cache.set(date, day); // a day not yet in the store may arrive with the next refresh
      }
      return day.get(symbol) ?? null;
    },
  });
}

/** One trade run of a model, with the lock held. Prints the plan or the orders. */
export async function runTrade(o: TradeCommandOptions): Promise<string> {
  const runtime = await openRuntime();
  const release = await acquireLock(join(runtime.home, 'locks', `trade-${o.modelId}.lock`));
  let ledger: OrderLedger | undefined;
  try {
    const backend = await initBackend((o.backend ?? 'auto') as BackendName | 'auto');
    const features = await runtime.featureStore();
    const broker = await openBroker(runtime, o, features);
    ledger = await openLedger(runtime);
    // loaded before anything is sold, so a missing model stops the run while it still holds its positions
    const models = await runtime.modelStore();
    const artifact = await loadArtifact(models, o.modelId);
    // without a configs.yaml entry, trade as the model was trained: its stored strategy, features and limits
    const config = o.config ?? trainedConfig(artifact.meta);
    const params = baseParams(config);
    process.stderr.write(`trade ${o.modelId}: broker ${broker.mode}${o.execute ? '' : ', DRY RUN (pass --execute to send orders)'}; ledger ${ledger.name}; backend ${backend}\n`);
    const out = await executeTrade(
      { modelId: o.modelId, intervalDays: params.intervalDays, startingMoney: config.startingMoney ?? 25_000, dryRun: !o.execute, maxOrderNotional: config.maxOrderNotional, maxRunNotional: config.maxRunNotional },
      {
        broker,
        ledger,
        now: o.now ? () => o.now! : undefined,
        log: (line) => process.stderr.write(`${line}\n`),
        refresh: () => refreshRecent(runtime, features, { ...o, config }),
        pickBuys: async () => {
          const { table, asOf } = await forecastLatest({ modelId: o.modelId, features, models, artifact, until: nyDate(o.now ?? new Date()) });
          const rows = Array.from({ length: table.currentY.length }, (_, i) => i);
          const picks = pickSimpleXDaysAhead(table, rows, params).map((p) => ({ symbol: p.symbol, price: table.currentY[p.row]! }));
          process.stderr.write(`forecast ${rows.length} symbols as of ${asOf}; ${picks.length} picks\n`);
          return picks;
        },
      },
    );
    const plan = out.run ? planText(out.run) : '';
    const summary = out.run ? `${plan.split('\n')[0]}; ${out.run.orders.filter((x) => x.orderType === 'sell').length} sells, ${out.run.orders.filter((x) => x.orderType === 'buy').length} buys` : '';
    const text = !out.run ? out.message : o.quiet ? summary : `${out.message === plan ? '' : `${out.message}\n`}${plan}`;
    process.stdout.write(`${out.status}: ${text}\n`);
    return out.status;
  } finally {
    await ledger?.close();
    await runtime.close();
    await release();
  }
}

/**
 * Backfills only the days missing between the store's last date and today (today's bar carries the open the
 * seed's strategy buys at; the model's features must be known by the open, as the favourite config's are).
 */
async function refreshRecent(runtime: Runtime, features: FeatureStore, o: TradeCommandOptions): Promise<void> {
  const cov = await features.coverage('open', '1Day');
  if (cov.length === 0) return;
  const last = cov.map((c) => c.lastDate).sort().at(-1)!;
  const today = nyDate(o.now ?? new Date());
  if (last >= today) return;
  const source = o.source ?? 'synthetic';
  const bars = await runtime.barSource(source);
  const wanted = [...new Set(['open', ...(o.config?.features ?? [])])];
  const earnings = wanted.some((f) => f === 'surprise' || f === 'is_earnings_day');
  const summary = await runBackfill(
    { features: wanted, symbols: cov.map((c) => c.symbol), startDate: addDays(last, 1), endDate: today, timeFrame: parseTimeFrame('1Day') },
    { bars, earnings: earnings ? await runtime.earningsSource(source === 'synthetic' ? 'synthetic' : 'nasdaq') : undefined, store: features, unavailableBarFeatures: runtime.unavailableBarFeatures(source) },
  );
  process.stderr.write(`refreshed ${addDays(last, 1)}..${today}: ${[...summary.changedRows.values()].reduce((a, b) => a + b, 0)} rows${summary.failures.length ? `, ${summary.failures.length} failures` : ''}\n`);
  if (summary.failures.length > 0) throw new Error(`refreshing recent features failed for ${summary.failures.map((f) => f.symbol).join(', ')}: not trading on stale data`);
}

/** Registers `stockcast trade`, `trade status` and `performance`. */
export function registerTrade(program: Command): void {
  const trade = program
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
    .option('--now <iso>', 'simulated time for the local paper broker (e.g. 2025-01-06T15:00:00Z)')
    .option('--backend <name>', 'wasm (default), cpu, tensorflow', 'auto')
    .action(async (opts: { modelId?: string; config: string; execute?: boolean; dryRun?: boolean; live?: boolean; broker?: 'alpaca' | 'paper'; source: SourceName; now?: string; backend: string }) => {
      if (!opts.modelId) throw new Error('trade: --model-id is required (or use `stockcast trade status`)');
      if (opts.dryRun && opts.execute) throw new Error('trade: --dry-run and --execute contradict each other; pick one');
      const config = optionalConfig(opts.config, opts.modelId);
      if (!config) {
        if (opts.live) throw new Error(`trade --live: model ${opts.modelId} has no config in ${opts.config}; live trading never runs on defaults`);
        process.stderr.write(`trade ${opts.modelId}: no config for it in ${opts.config}; using the config stored with the trained model\n`);
      }
      const now = opts.now ? new Date(opts.now) : undefined;
      if (now && Number.isNaN(now.getTime())) throw new Error(`--now: expected an ISO time, got "${opts.now}"`);
      await runTrade({ modelId: opts.modelId, config, execute: opts.execute, live: opts.live, broker: opts.broker, source: opts.source, now, backend: opts.backend });
    });
  trade
    .command('status')
    .description('For each model: last run, whether a scheduled run was missed (exit code 2 if so), realised P&L.')
    .option('--interval-days <n>', 'expected trading days between runs', Number, 1)
    .option('--now <iso>', 'evaluate as of this time')
    .action(async (opts: { intervalDays: number; now?: string }) => {
      const runtime = await openRuntime();
      const ledger = await openLedger(runtime);
      try {
        const r = await tradeStatus(ledger, opts.now ? new Date(opts.now) : new Date(), opts.intervalDays);
        process.stdout.write(`${r.text}\n`);
        if (r.missed) process.exitCode = 2;
      } finally {
        await ledger.close();
        await runtime.close();
      }
    });
  program
    .command('performance')
    .description('Models ranked by realised weekly performance, with per-week and per-symbol detail.')
    .action(async () => {
      const runtime = await openRuntime();
      const ledger = await openLedger(runtime);
      try {
        process.stdout.write(`${await weeklyPerformance(ledger)}\n`);
      } finally {
        await ledger.close();
        await runtime.close();
      }
    });
}
