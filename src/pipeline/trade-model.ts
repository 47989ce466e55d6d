import type { Broker } from '../broker/broker.js';
import type { OrderLedger } from '../store/order-ledger.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import type { MarketDataSource } from '../sources/market-data-source.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import type { ModelConfig } from '../config/seed-config.js';
import { loadArtifact, trainedConfig } from '../model/artifact.js';
import type { EngineFactory } from '../model/trained-model.js';
import { baseParams } from '../backtest/evaluation.js';
import { executeTrade, type TradeOutcome } from '../trade/execute-trade.js';
import { refreshRecent } from '../trade/refresh-recent.js';
import { acquireLock } from '../trade/run-lock.js';
import { nyDate } from '../core/ny-time.js';
import { forecastPicks } from './forecast-picks.js';

/** The adapters one trade run uses, opened on first use (the wiring module owns and closes them). */
export interface TradePorts {
  broker(): Promise<Broker>;
  ledger(): Promise<OrderLedger>;
  features(): Promise<FeatureStore>;
  models(): Promise<ObjectStore>;
  /** Sources for the recent-days refresh: opened only when days are missing. */
  bars(): Promise<MarketDataSource>;
  earnings(): Promise<EarningsSource>;
  unavailableBarFeatures: string[];
}

/** One trade run of a model. */
export interface TradeModelOptions {
  modelId: string;
  /** The model's configs.yaml entry; without one, the config stored with the trained model. */
  config?: ModelConfig;
  /** Send orders; otherwise a dry run that records and sends nothing. */
  execute: boolean;
  /** Simulated time (local paper broker); the forecast reads no data after its day. */
  now?: Date;
  /** The model's run lock: one trade run per model at a time. */
  lockPath: string;
  /** The tensor backend in use, for the log. */
  backend: string;
  /** The engine the forward passes run on (default: TensorFlow.js on this thread; see model/inference-engines). */
  engine?: EngineFactory;
  ports: TradePorts;
  log: (line: string) => void;
}

/**
 * The seed's execute_buy, one run: take the model's lock, load the model (before anything is sold, so a missing
 * model stops the run while it still holds its positions), then the crash-safe workflow of trade/execute-trade:
 * refresh the missing recent days, sell this model's last buys, forecast, pick, buy.
 */
export async function tradeModel(o: TradeModelOptions): Promise<TradeOutcome> {
  const release = await acquireLock(o.lockPath);
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
    const today = nyDate(o.now ?? new Date());
    return await executeTrade(
      { modelId: o.modelId, intervalDays: params.intervalDays, startingMoney: config.startingMoney ?? 25_000, dryRun: !o.execute, maxOrderNotional: config.maxOrderNotional, maxRunNotional: config.maxRunNotional },
      {
        broker,
        ledger,
        now: o.now ? () => o.now! : undefined,
        log: o.log,
        refresh: () =>
          refreshRecent({ features, bars: () => o.ports.bars(), earnings: () => o.ports.earnings(), unavailableBarFeatures: o.ports.unavailableBarFeatures, modelFeatures: config.features, today, log: o.log }),
        pickBuys: async () => {
          const f = await forecastPicks({ modelId: o.modelId, features, models, config, until: today, artifact, earnings: () => o.ports.earnings(), engine: o.engine });
          o.log(`forecast ${f.table.currentY.length} symbols as of ${f.asOf}; ${f.picks.length} picks`);
          return f.picks.map((p) => ({ symbol: p.symbol, price: f.table.currentY[p.row]! }));
        },
      },
    );
  } finally {
    await release();
  }
}
