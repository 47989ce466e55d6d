import { brokerLabel, type Broker } from '../broker/broker.js';
import type { ObjectStore } from '../store/object-store.js';
import type { OrderLedger } from '../store/order-ledger.js';
import { optionalConfig } from '../config/seed-config.js';
import { loadArtifact, trainedConfig } from '../model/artifact.js';
import { baseParams } from '../backtest/evaluation.js';
import { tradeStatus, type ModelInterval, type TradeStatusReport } from '../trade/trade-report.js';
import { compareWithBroker, type ReconcileReport } from '../trade/reconcile.js';
import { heldPositions } from '../trade/run-accounting.js';

/**
 * A model's trading interval for `trade status`: `--interval-days` when given, else its configs.yaml entry's
 * preferred strategy, else the config stored in its artifact, else 1 (saying why).
 */
export async function modelInterval(o: { models: ObjectStore; modelId: string; configPath?: string; override?: number }): Promise<ModelInterval> {
  if (o.override !== undefined) return { intervalDays: o.override, from: '--interval-days' };
  const entry = o.configPath ? optionalConfig(o.configPath, o.modelId) : undefined;
  if (entry) return { intervalDays: baseParams(entry).intervalDays, from: o.configPath! };
  try {
    return { intervalDays: baseParams(trainedConfig((await loadArtifact(o.models, o.modelId)).meta)).intervalDays, from: 'the config stored with the model' };
  } catch (err) {
    return { intervalDays: 1, from: `the default of 1 (no configs.yaml entry; the model artifact: ${(err as Error).message.split('\n')[0]})` };
  }
}

/** `trade status`: every model of the ledger with its own interval. */
export function tradeStatusReport(o: { ledger: OrderLedger; models: ObjectStore; now: Date; configPath?: string; intervalDays?: number }): Promise<TradeStatusReport> {
  return tradeStatus(o.ledger, o.now, (modelId) => modelInterval({ models: o.models, modelId, configPath: o.configPath, override: o.intervalDays }));
}

/**
 * `trade reconcile`: one model's ledger against the broker's orders and positions (what every model in the
 * ledger holds is summed, since models share an account). Reads only; the next `trade` run settles orders.
 */
export async function reconcileReport(o: { ledger: OrderLedger; broker: Broker; modelId: string; recentRuns: number }): Promise<ReconcileReport> {
  const runs = await o.ledger.listRuns(o.modelId, 1_000_000);
  if (runs.length === 0) throw new Error(`the order ledger (${o.ledger.name}) has no runs of ${o.modelId}`);
  const here = brokerLabel(o.broker);
  const tradedOn = runs.find((r) => r.broker)?.broker;
  if (tradedOn !== undefined && tradedOn !== here) throw new Error(`${o.modelId} trades on ${tradedOn}, not ${here}: reconcile it against the broker its runs use (--broker, keys)`);
  // the account's positions are shared by every model trading on this broker (runs that name none count too)
  const allModelsHeld = new Map<string, number>();
  for (const model of await o.ledger.listModels()) {
    const modelRuns = model === o.modelId ? runs : await o.ledger.listRuns(model, 1_000_000);
    if ((modelRuns.find((r) => r.broker)?.broker ?? here) !== here) continue;
    for (const p of heldPositions(modelRuns)) allModelsHeld.set(p.symbol, (allModelsHeld.get(p.symbol) ?? 0) + p.qty);
  }
  return compareWithBroker({ modelId: o.modelId, runs, allModelsHeld, broker: o.broker, recentRuns: o.recentRuns });
}
