import type { Broker } from '../broker/broker.js';
import type { OrderLedger } from '../store/order-ledger.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ModelConfig } from '../config/seed-config.js';
import type { ArtifactMeta } from '../model/artifact.js';
import { loadArtifact, trainedConfig } from '../model/artifact.js';
import type { EngineFactory } from '../model/trained-model.js';
import { baseParams } from '../backtest/evaluation.js';
import { executeTrade, type TradeOutcome } from '../trade/execute-trade.js';
import { refreshRecent, type RefreshSources } from '../trade/refresh-recent.js';
import { acquireRunLock, refreshLock } from '../trade/run-lock.js';
import { validateModelId } from '../core/identifiers.js';
import { forecastPicks } from './forecast-picks.js';
import { recordedEarningsSource } from './earnings-schedule.js';
import { formatTimeFrame } from '../core/time-frame.js';

/** The adapters one trade run uses, opened on first use (the wiring module owns and closes them). */
export interface TradePorts {
  broker(): Promise<Broker>;
  ledger(): Promise<OrderLedger>;
  features(): Promise<FeatureStore>;
  models(): Promise<ObjectStore>;
  /** Sources by name for the refresh: opened only when days are missing, from the source that wrote them. */
  sources: RefreshSources;
}

/** One trade run of a model. */
export interface TradeModelOptions {
  modelId: string;
  /** The model's configs.yaml entry; without one, the config stored with the trained model. */
  config?: ModelConfig;
  /** Send orders; otherwise a dry run that records and sends nothing. */
  execute: boolean;
  /** A chosen refresh source (`--source`), checked against the store's provenance. */
  source?: string;
  /** Simulated time (the local paper broker's clock): the run's records are stamped with it. */
  now?: Date;
  /** Folder of the run locks: one trade run per model at a time (`<locksDir>/trade-<model id>/`). */
  locksDir: string;
  /** The tensor backend in use, for the log. */
  backend: string;
  /** The engine the forward passes run on (default: TensorFlow.js on this thread; see model/inference-engines). */
  engine?: EngineFactory;
  ports: TradePorts;
  log: (line: string) => void;
}

/** Every column a model reads from the store (its features and target column). */
export function modelColumns(meta: ArtifactMeta): string[] {
  return [...new Set([...meta.dataset.features, meta.dataset.targetColumn])];
}

/**
 * The seed's execute_buy, one run: take the model's lock, load the model (before anything is sold, so a missing
 * model stops the run while it still holds its positions), then the crash-safe workflow of trade/execute-trade:
 * reconcile earlier runs, make the run day's data complete, sell this model's holdings, forecast, pick, buy.
 */
export async function tradeModel(o: TradeModelOptions): Promise<TradeOutcome> {
  validateModelId(o.modelId); // before anything (the lock first of all) is built from it
  const release = await acquireRunLock(o.locksDir, `trade-${o.modelId}`);
  try {
    const features = await o.ports.features();
    const broker = await o.ports.broker();
    const ledger = await o.ports.ledger();
    const models = await o.ports.models();
    const artifact = await loadArtifact(models, o.modelId);
    // without a configs.yaml entry, trade as the model was trained: its stored strategy, features and limits
    const config = o.config ?? trainedConfig(artifact.meta);
    const params = baseParams(config);
    o.log(`trade ${o.modelId}: broker ${broker.mode}${o.execute ? '' : ', DRY RUN (pass --execute to send orders)'}; ledger ${ledger.name}; backend ${o.backend}`);
    return await executeTrade(
      { modelId: o.modelId, intervalDays: params.intervalDays, startingMoney: config.startingMoney ?? 25_000, dryRun: !o.execute, maxOrderNotional: config.maxOrderNotional, maxRunNotional: config.maxRunNotional },
      {
        broker,
        ledger,
        log: o.log,
        now: o.now ? () => o.now! : undefined,
        refresh: async (day) => {
          await refreshRecent({ features, sources: o.ports.sources, modelFeatures: modelColumns(artifact.meta), day, source: o.source, lock: () => refreshLock(o.locksDir), log: o.log });
        },
        pickBuys: async (day) => {
          const f = await forecastPicks({ modelId: o.modelId, features, models, config, until: day, artifact, earnings: () => recordedEarningsSource(features, formatTimeFrame(config.timeFrame), o.ports.sources.earnings), engine: o.engine });
          o.log(`forecast ${f.table.currentY.length} symbols as of ${f.asOf}; ${f.picks.length} picks`);
          return f.picks.map((p) => ({ symbol: p.symbol, price: f.table.currentY[p.row]! }));
        },
      },
    );
  } finally {
    await release();
  }
}
