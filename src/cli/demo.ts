import { join } from 'node:path';
import { parseTimeFrame } from '../core/time-frame.js';
import { runBackfill } from '../features/backfill.js';
import { FileBackfillCheckpoint } from '../features/backfill-checkpoint.js';
import { createProgress } from './progress.js';
import { formatBackfillSummary } from './backfill-report.js';
import { openRuntime } from './runtime.js';

/** Features the demo backfills: everything the seed's favourite configs use. */
export const DEMO_FEATURES = [
  'open', 'close', 'high', 'low', 'volume', 'trade_count', 'vwap',
  'surprise', 'is_earnings_day', 'year', 'month', 'day_of_month', 'day_of_week',
];

/** `stockcast demo`: the offline end-to-end run on embedded defaults (synthetic market, local store). */
export async function runDemoCommand(options: { start?: string; end?: string } = {}): Promise<void> {
  const runtime = await openRuntime();
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
    const out = process.stdout;
    out.write(`stockcast demo — offline, on a synthetic market of ${symbols.length} symbols (seed 42)\n`);
    out.write(`data directory: ${runtime.home}\n\n[1/1] backfill ${req.startDate}..${req.endDate} into ${runtime.featureLocation}\n`);
    const progress = createProgress('backfill');
    const t0 = performance.now();
    const summary = await runBackfill(req, {
      bars: market,
      earnings: await runtime.earningsSource('synthetic'),
      store: await runtime.featureStore(),
      checkpoint: new FileBackfillCheckpoint(join(runtime.home, 'checkpoints', 'demo-backfill.json')),
      onProgress: (e) => progress.update(e.done, e.total, e.stage),
    });
    progress.stop();
    out.write(`${formatBackfillSummary(summary, (performance.now() - t0) / 1000)}\n`);
    const frame = await (await runtime.featureStore()).queryWide({ features: ['open', 'close', 'is_earnings_day'], timeFrame: '1Day' });
    out.write(`\nfeature store holds ${frame.length} daily rows for ${frame.symbols.length} symbols (wide frame read back by DuckDB)\n`);
    if (summary.failures.length > 0) process.exitCode = 1;
  } finally {
    await runtime.close();
  }
}
