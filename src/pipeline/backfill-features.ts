import { join } from 'node:path';
import type { MarketDataSource } from '../sources/market-data-source.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import { isMarketFeature, needsEarnings } from '../core/feature-catalog.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { backfillMarketFeatures } from '../features/market-covariates.js';
import type { FeatureStore } from '../store/feature-store.js';
import { backfillRequestId, runBackfill, validateBackfillRequest, type BackfillDeps, type BackfillRequest, type BackfillSummary } from '../features/backfill.js';
import { FileBackfillCheckpoint } from '../features/backfill-checkpoint.js';

/** What `backfillFeatures` needs. */
export interface BackfillFeaturesOptions {
  request: BackfillRequest;
  bars: MarketDataSource;
  /** Opened only when an earnings feature is asked for. */
  earnings: () => Promise<EarningsSource>;
  /** The VIX's source, opened only when vix_open or vix_close is asked for. */
  vix?: () => Promise<MarketDataSource>;
  store: FeatureStore;
  /** Bar features this bar source cannot provide (an error when asked for). */
  unavailableBarFeatures: string[];
  /** Let symbols switch from the real source recorded in the store's provenance to this one. */
  allowSourceChange?: boolean;
  /** Directory of the checkpoint files: a re-run of the same request resumes where it stopped. */
  checkpointDir: string;
  /** Called once the request is valid, before any network call. */
  onStart?: (request: BackfillRequest) => void;
  onProgress?: BackfillDeps['onProgress'];
}

/**
 * The seed's backfill: validate the request, open the sources it needs, and run it resumably and idempotently;
 * then the market covariates it asks for (after the bars, whose opens and closes the universe's return needs).
 */
export async function backfillFeatures(o: BackfillFeaturesOptions): Promise<BackfillSummary> {
  validateBackfillRequest(o.request, o.unavailableBarFeatures);
  const market = o.request.features.filter(isMarketFeature);
  if (market.length > 0 && formatTimeFrame(o.request.timeFrame) !== '1Day') throw new Error(`market features (${market.join(', ')}) are daily: backfill them with --time-frame 1Day`);
  const earnings = needsEarnings(o.request.features) ? await o.earnings() : undefined;
  const checkpoint = new FileBackfillCheckpoint(join(o.checkpointDir, `backfill-${backfillRequestId(o.request, o.bars.name)}.json`));
  o.onStart?.(o.request);
  const summary = await runBackfill(o.request, { bars: o.bars, earnings, store: o.store, checkpoint, unavailableBarFeatures: o.unavailableBarFeatures, allowSourceChange: o.allowSourceChange, onProgress: o.onProgress });
  if (market.length === 0) return summary;
  const vix = o.vix ?? (() => Promise.reject(new Error('vix_open / vix_close need a VIX source (--vix-csv or Yahoo)')));
  const m = await backfillMarketFeatures({ features: market, startDate: o.request.startDate, endDate: o.request.endDate }, { store: o.store, vix });
  for (const [f, n] of m.receivedRows) summary.receivedRows.set(f, n);
  for (const [f, n] of m.changedRows) summary.changedRows.set(f, n);
  return summary;
}
