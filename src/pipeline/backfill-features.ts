import { join } from 'node:path';
import type { MarketDataSource } from '../sources/market-data-source.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import { needsEarnings } from '../core/feature-catalog.js';
import type { FeatureStore } from '../store/feature-store.js';
import { backfillRequestId, runBackfill, validateBackfillRequest, type BackfillDeps, type BackfillRequest, type BackfillSummary } from '../features/backfill.js';
import { FileBackfillCheckpoint } from '../features/backfill-checkpoint.js';

/** What `backfillFeatures` needs. */
export interface BackfillFeaturesOptions {
  request: BackfillRequest;
  bars: MarketDataSource;
  /** Opened only when an earnings feature is asked for. */
  earnings: () => Promise<EarningsSource>;
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

/** The seed's backfill: validate the request, open the sources it needs, and run it resumably and idempotently. */
export async function backfillFeatures(o: BackfillFeaturesOptions): Promise<BackfillSummary> {
  validateBackfillRequest(o.request, o.unavailableBarFeatures);
  const earnings = needsEarnings(o.request.features) ? await o.earnings() : undefined;
  const checkpoint = new FileBackfillCheckpoint(join(o.checkpointDir, `backfill-${backfillRequestId(o.request, o.bars.name)}.json`));
  o.onStart?.(o.request);
  return runBackfill(o.request, { bars: o.bars, earnings, store: o.store, checkpoint, unavailableBarFeatures: o.unavailableBarFeatures, allowSourceChange: o.allowSourceChange, onProgress: o.onProgress });
}
