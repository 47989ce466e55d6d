import type { Command } from 'commander';
import { optionalConfig } from '../config/seed-config.js';
import { performanceText, tradeStatusText, weeklyPerformanceReport } from '../trade/trade-report.js';
import { reconcileReport, tradeStatusReport } from '../pipeline/trade-reports.js';
import type { ReconcileReport } from '../trade/reconcile.js';
import { openRuntime } from './runtime.js';
import { brokerKind, intFlag, parseNow } from './trade-flags.js';

/** Registers `trade status`, `trade reconcile` and `performance`: they read the ledger (read-only) while runs write it. */
export function registerTradeReports(program: Command, trade: Command): void {
  trade
    .command('status')
    .description("For each model: last run, its own interval, whether a scheduled run was missed (exit code 2 if so), unsettled orders, realised P&L.")
    .option('--config <path>', "configs.yaml: each model's interval_days from its preferred strategy (else the model's stored config)", 'configs.yaml')
    .option('--interval-days <n>', 'override: expected trading days between runs for every model')
    .option('--now <iso>', 'evaluate as of this time')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { config: string; intervalDays?: string; now?: string; json?: boolean }) => {
      const now = parseNow(opts.now) ?? new Date();
      const intervalDays = intFlag('--interval-days', opts.intervalDays, 1, 10_000);
      const runtime = await openRuntime();
      try {
        const ledger = await runtime.openLedger({ readOnly: true });
        const report = ledger ? await tradeStatusReport({ ledger, models: await runtime.modelStore(), now, configPath: opts.config, intervalDays }).finally(() => ledger.close()) : { now: now.toISOString(), missed: false, models: [] };
        process.stdout.write(`${opts.json ? JSON.stringify(report, null, 1) : tradeStatusText(report)}\n`);
        if (report.missed) process.exitCode = 2;
      } finally {
        await runtime.close();
      }
    });
  trade
    .command('reconcile')
    .description("Compare one model's ledger with the broker's orders (by client order id) and positions; print every difference (exit code 1 when they differ). Changes nothing.")
    .requiredOption('--model-id <id>', 'the model to check')
    .option('--config <path>', 'configs.yaml (live_trading, for --live)', 'configs.yaml')
    .option('--broker <name>', 'alpaca (paper by default) or paper (local); default: alpaca when ALPACA_KEY is set')
    .option('--live', 'check the live account (needs live_trading: true in the config)')
    .option('--now <iso>', "the local paper broker's clock")
    .option('--runs <n>', 'check every order of this many newest runs (unsettled orders of any run are always checked)', '10')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { modelId: string; config: string; broker?: string; live?: boolean; now?: string; runs: string; json?: boolean }) => {
      const recentRuns = intFlag('--runs', opts.runs, 1, 1_000_000)!;
      const kind = brokerKind(opts.broker);
      const now = parseNow(opts.now);
      const liveConfirmed = opts.live === true && optionalConfig(opts.config, opts.modelId)?.liveTrading === true;
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
    .option('--json', 'print the report as JSON')
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
