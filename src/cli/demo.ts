import { join } from 'node:path';
import { parseTimeFrame } from '../core/time-frame.js';
import { backfillFeatures } from '../pipeline/backfill-features.js';
import { createProgress } from './progress.js';
import { formatBackfillSummary } from './backfill-report.js';
import { openRuntime } from './runtime.js';
import { demoConfig } from './demo-config.js';
import { runTraining } from './train.js';
import { runEvaluate, runPredict } from './evaluate.js';
import { runTrade } from './trade.js';
import { weeklyPerformance } from '../trade/trade-report.js';
import { planText } from '../trade/execute-trade.js';
import { SYNTHETIC_SIGNAL } from '../sources/synthetic-market.js';

/** Features the demo backfills: everything the seed's favourite configs use. */
export const DEMO_FEATURES = [
  'open', 'close', 'high', 'low', 'volume', 'trade_count', 'vwap',
  'surprise', 'is_earnings_day', 'year', 'month', 'day_of_month', 'day_of_week',
];

const out = process.stdout;

/** `stockcast demo`: the offline end-to-end run on embedded defaults (synthetic market, local store). */
export async function runDemoCommand(options: { start?: string; end?: string; backend?: string } = {}): Promise<void> {
  const runtime = await openRuntime();
  let failed = false;
  try {
    const market = await runtime.barSource('synthetic');
    const symbols = await runtime.defaultSymbols('synthetic', market);
    const req = {
      features: DEMO_FEATURES,
      symbols,
      startDate: options.start ?? '2019-01-01',
      endDate: options.end ?? '2024-12-31',
      timeFrame: parseTimeFrame('1Day'),
    };
    out.write(`stockcast demo — offline, on a synthetic market of ${symbols.length} symbols (seed 42)\n`);
    out.write(`data directory: ${runtime.home}\n\n[1/5] backfill ${req.startDate}..${req.endDate} into ${runtime.featureLocation}\n`);
    const progress = createProgress('backfill');
    const t0 = performance.now();
    const summary = await backfillFeatures({
      request: req,
      bars: market,
      earnings: () => runtime.earningsSource('synthetic'),
      store: await runtime.featureStore(),
      unavailableBarFeatures: runtime.unavailableBarFeatures('synthetic'),
      checkpointDir: join(runtime.home, 'checkpoints'),
      onProgress: (e) => progress.update(e.done, e.total, e.stage),
    });
    progress.stop();
    out.write(`${formatBackfillSummary(summary, (performance.now() - t0) / 1000)}\n`);
    const frame = await (await runtime.featureStore()).queryWide({ features: ['open', 'close', 'is_earnings_day'], timeFrame: '1Day' });
    out.write(`\nfeature store holds ${frame.length} daily rows for ${frame.symbols.length} symbols (wide frame read back by DuckDB)\n`);
    failed = summary.failures.length > 0;
  } finally {
    await runtime.close();
  }
  if (failed) {
    process.exitCode = 1;
    return;
  }
  const config = demoConfig();
  out.write(`\n[2/5] train a Temporal Fusion Transformer (config ${config.id}: ${config.features.join(', ')}; train ${config.trainStart}..${config.trainEnd}, validate to ${config.valEnd})\n`);
  out.write(`      the synthetic market's learnable signal: ${SYNTHETIC_SIGNAL}\n`);
  const res = await runTraining({ config, modelId: config.id, backend: options.backend, resume: true });
  const loss = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  out.write(`validation loss ${loss(res.bestValLoss)} vs naive last-value ${loss(res.naiveValLoss)}: the validation year chose the epoch, so the verdict comes from the test range in step 4\n`);
  out.write(`\n[3/5] batch inference over the test range ${config.valEnd}..${config.testEnd}\n`);
  await runPredict(config.id, { backend: options.backend });
  out.write(`\n[4/5] judge the model on the test range beside the naive, drift, seasonal-naive and moving-average forecasts, and evaluate strategies after 5 bps slippage per side (grid: interval 1–2 × stocks 5/10/20 × uncertainty 0.1–0.5)\n`);
  const { report, evaluation } = await runEvaluate({ modelId: config.id, config, grid: { intervalDays: [1, 2], numStocksPurchased: [5, 10, 20], uncertaintyMultiplier: [0.1, 0.2, 0.3, 0.4, 0.5] } });
  out.write(`\ntest-range verdict: ${evaluation.verdict.sentence}\nopen the report: ${report}\n`);
  out.write(`\n[5/5] paper-trade three simulated days with the local paper broker (fills at each day's open; nothing leaves this machine)\n`);
  for (const day of ['2025-01-02', '2025-01-03', '2025-01-06']) {
    out.write(`\n--- ${day} 10:00 New York ---\n`);
    await runTrade({ modelId: config.id, config, execute: true, broker: 'paper', source: 'synthetic', now: new Date(`${day}T15:00:00Z`), backend: options.backend, quiet: true });
  }
  const rt = await openRuntime();
  try {
    const ledger = await rt.orderLedger();
    out.write(`\nthe order ledger (${ledger.name}, ${rt.home}/ledger.duckdb):\n`);
    for (const run of (await ledger.listRuns(config.id)).reverse()) out.write(`${planText(run)}\n`);
    out.write(`\n${await weeklyPerformance(ledger)}\n`);
  } finally {
    await rt.close();
  }
}
