import type { Command } from 'commander';
import { performanceText, tradeStatusText, weeklyPerformanceReport } from '../trade/trade-report.js';
import { reconcileReport, tradeStatusReport } from '../pipeline/trade-reports.js';
import type { ReconcileReport } from '../trade/reconcile.js';
import { openRuntime } from './runtime.js';
import { choiceFlag, flag, intFlag, isoTimeFlag, modelIdOption } from './flags.js';
import { chooseConfig, commandConfig, configOption } from './common-options.js';
import { jsonOption } from './output.js';
import { alertChannels, notifyOption, notifyStatus } from './notify-status.js';

/** Registers `trade status`, `trade reconcile` and `performance`: they read the ledger (read-only) while runs write it. */
export function registerTradeReports(program: Command, trade: Command): void {
  trade
    .command('status')
    .description("For each model: last run, its own interval, whether a scheduled run was missed (exit code 2 if so), unsettled orders, realised P&L.")
    .addOption(configOption("each model's interval_days from its preferred strategy (else the model's stored config)"))
    .addOption(flag('--interval-days <n>', 'override: expected trading days between runs for every model (1–260)', intFlag({ min: 1, max: 260 })))
    .addOption(flag('--now <iso>', 'evaluate as of this time', isoTimeFlag()))
    .addOption(notifyOption())
    .addOption(jsonOption('print the report as JSON'))
    .action(async (opts: { config?: string; intervalDays?: number; now?: Date; notify?: true | string; json?: boolean }) => {
      const now = opts.now ?? new Date();
      const runtime = await openRuntime();
      try {
        const channels = opts.notify === undefined ? undefined : await alertChannels(runtime, opts.notify);
        const ledger = await runtime.openLedger({ readOnly: true });
        try {
          const report = ledger ? await tradeStatusReport({ ledger, models: await runtime.modelStore(), now, configPath: chooseConfig(opts.config).path, intervalDays: opts.intervalDays }) : { now: now.toISOString(), missed: false, models: [] };
          process.stdout.write(`${opts.json ? JSON.stringify(report, null, 1) : tradeStatusText(report)}\n`);
          if (report.missed) process.exitCode = 2;
          if (channels && ledger) {
            const interval = new Map(report.models.map((m) => [m.modelId, m.intervalDays]));
            await notifyStatus({ channels, ledger, now, intervalFor: (id) => interval.get(id) ?? opts.intervalDays ?? 1 });
          }
        } finally {
          await ledger?.close();
        }
      } finally {
        await runtime.close();
      }
    });
  trade
    .command('reconcile')
    .description("Compare one model's ledger with the broker's orders (by client order id) and positions; print every difference (exit code 1 when they differ). Changes nothing.")
    .addOption(modelIdOption('the model to check'))
    .addOption(configOption('(live_trading, for --live)'))
    .addOption(flag('--broker <name>', 'alpaca (paper by default) or paper (local); default: alpaca when ALPACA_KEY is set', choiceFlag(['alpaca', 'paper'] as const)))
    .option('--live', 'check the live account (needs live_trading: true in the config)')
    .addOption(flag('--now <iso>', "the local paper broker's clock", isoTimeFlag()))
    .addOption(flag('--runs <n>', 'check every order of this many newest runs (unsettled orders of any run are always checked); 1–1000000', intFlag({ min: 1, max: 1_000_000 }), 10))
    .addOption(jsonOption('print the report as JSON'))
    .action(async (opts: { modelId: string; config?: string; broker?: 'alpaca' | 'paper'; live?: boolean; now?: Date; runs: number; json?: boolean }) => {
      const recentRuns = opts.runs;
      const kind = opts.broker;
      const now = opts.now;
      const liveConfirmed = opts.live === true && commandConfig(opts.config, opts.modelId)?.liveTrading === true;
      const runtime = await openRuntime();
      try {
        const ledger = await runtime.openLedger({ readOnly: true });
        if (!ledger) throw new Error(`no order ledger yet: ${opts.modelId} has never traded`);
        const report = await reconcileReport({ ledger, broker: await runtime.broker({ kind, live: opts.live, liveConfirmed, now }), modelId: opts.modelId, recentRuns }).finally(() => ledger.close());
        process.stdout.write(`${opts.json ? JSON.stringify({ ...report, consistent: report.differences.length === 0 }, null, 1) : reconcileText(report)}\n`);
        if (report.differences.length > 0) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
  program
    .command('performance')
    .description('Models ranked by realised weekly performance, with per-week and per-symbol detail.')
    .addOption(jsonOption('print the report as JSON'))
    .action(async (opts: { json?: boolean }) => {
      const runtime = await openRuntime();
      try {
        const ledger = await runtime.openLedger({ readOnly: true });
        const report = ledger ? await weeklyPerformanceReport(ledger).finally(() => ledger.close()) : { models: [] };
        process.stdout.write(`${opts.json ? JSON.stringify(report, null, 1) : performanceText(report)}\n`);
      } finally {
        await runtime.close();
      }
    });
}

/** The reconcile report as text: what was checked, then every difference. */
function reconcileText(r: ReconcileReport): string {
  const lines = [`${r.modelId} against ${r.broker}: ${r.checkedOrders} order(s) of ${r.checkedRuns} run(s), ${r.positions.length} symbol(s)`];
  for (const d of r.differences) lines.push(`  ${d.message}`);
  lines.push(r.differences.length === 0 ? 'the ledger and the broker agree' : `${r.differences.length} difference(s); the next \`stockcast trade --execute\` settles the orders of earlier runs`);
  return lines.join('\n');
}
