import type { OrderLedger } from '../store/order-ledger.js';
import { modelInterval } from '../pipeline/trade-reports.js';
import { modelRunStatus, replayRuns, weeklyBreakdown } from '../trade/trade-report.js';
import { ApiError } from './api-error.js';
import type { DashboardSources } from './sources.js';

/** Runs a read against the ledger opened for this request only, closing it right after. */
export async function withLedger<T>(sources: DashboardSources, read: (ledger: OrderLedger) => Promise<T>): Promise<T | null> {
  let ledger: OrderLedger | null;
  try {
    ledger = await sources.openLedger();
  } catch (err) {
    const msg = (err as Error).message;
    if (/lock/i.test(msg)) throw new ApiError(503, `the order ledger is busy (a trade run holds it): ${msg}`, 'reload in a moment');
    throw new ApiError(500, `the order ledger cannot be opened: ${msg}`);
  }
  if (!ledger) return null;
  try {
    return await read(ledger);
  } finally {
    await ledger.close();
  }
}

/** Per model in the ledger: schedule health (missed runs), open positions, weekly P&L and its latest runs. */
export async function tradingOverview(sources: DashboardSources) {
  const now = sources.now();
  const models = await withLedger(sources, async (ledger) => {
    const out = [];
    for (const modelId of await ledger.listModels()) {
      const runs = await ledger.listRuns(modelId);
      if (runs.length === 0) continue;
      const { intervalDays, from } = await modelInterval({ models: sources.models, modelId });
      const { trades, positions } = replayRuns(runs);
      out.push({
        modelId,
        ledger: ledger.name,
        intervalDays,
        intervalFrom: from,
        status: modelRunStatus(modelId, runs, now, intervalDays),
        positions,
        weekly: weeklyBreakdown(trades),
        runCount: runs.length,
        recentRuns: runs.slice(0, 10),
      });
    }
    return out;
  });
  return { now: now.toISOString(), hasLedger: models !== null, models: models ?? [] };
}

/** Every run of one model in the ledger (newest first), with its orders. */
export async function tradingRuns(sources: DashboardSources, modelId: string, limit: number) {
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 10_000)) throw new ApiError(400, 'limit: expected an integer 1…10000');
  const runs = await withLedger(sources, (ledger) => ledger.listRuns(modelId, limit));
  if (!runs || runs.length === 0) throw new ApiError(404, `the order ledger has no runs of "${modelId}"`, `run \`stockcast trade --model-id ${modelId} --execute\``);
  return { modelId, runs };
}
