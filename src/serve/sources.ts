import type { ObjectStore } from '../store/object-store.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { OrderLedger } from '../store/order-ledger.js';

/**
 * What the dashboard reads, handed over by the `serve` command: the ports, never adapters it builds itself.
 * The dashboard only reads; it calls no write method of any of them.
 */
export interface DashboardSources {
  /** The model store: artifacts and the results `evaluate`, `forecast` and `explain` left there. */
  models: ObjectStore;
  /** The feature store, opened on first use. */
  features: () => Promise<FeatureStore>;
  /** The object store under the feature store and its key prefix, to find which features and time frames it holds. */
  featureObjects: () => Promise<ObjectStore>;
  featurePrefix: string;
  /**
   * Opens the order ledger for one request (closed right after, so a `trade` run is not locked out for long);
   * null when there is no ledger yet.
   */
  openLedger: () => Promise<OrderLedger | null>;
  /** The clock for missed-run warnings. */
  now: () => Date;
}
