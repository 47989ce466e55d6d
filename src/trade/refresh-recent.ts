import type { FeatureStore } from '../store/feature-store.js';
import type { MarketDataSource } from '../sources/market-data-source.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import { needsEarnings } from '../core/feature-catalog.js';
import { runBackfill } from '../features/backfill.js';
import { parseTimeFrame } from '../core/time-frame.js';
import { addDays } from '../core/ny-time.js';

/** The ports a refresh reads and writes; sources are opened only when days are missing. */
export interface RefreshRecentOptions {
  features: FeatureStore;
  bars: () => Promise<MarketDataSource>;
  earnings: () => Promise<EarningsSource>;
  /** Bar features the bar source cannot provide (trade_count and vwap from CSV or Yahoo). */
  unavailableBarFeatures: string[];
  /** The features the model reads; `open` is always refreshed (the local paper broker fills at it). */
  modelFeatures: string[];
  /** The run's New-York date: the last day to fetch. */
  today: string;
  log?: (line: string) => void;
}

/**
 * Backfills only the days missing between the store's last date and today (today's bar carries the open the
 * seed's strategy buys at; the model's features must be known by the open, as the favourite config's are).
 * A failed symbol stops the run: trading on stale data is worse than not trading.
 */
export async function refreshRecent(o: RefreshRecentOptions): Promise<void> {
  const cov = await o.features.coverage('open', '1Day');
  if (cov.length === 0) return;
  const last = cov.map((c) => c.lastDate).sort().at(-1)!;
  if (last >= o.today) return;
  const wanted = [...new Set(['open', ...o.modelFeatures])];
  const symbols = cov.map((c) => c.symbol);
  // one chunk of every symbol: a few days of bars are small, and each partition is then merged (read, rewritten)
  // once rather than once per 100 symbols; the sources split their requests themselves
  const summary = await runBackfill(
    { features: wanted, symbols, startDate: addDays(last, 1), endDate: o.today, timeFrame: parseTimeFrame('1Day'), chunkSize: symbols.length },
    { bars: await o.bars(), earnings: needsEarnings(wanted) ? await o.earnings() : undefined, store: o.features, unavailableBarFeatures: o.unavailableBarFeatures },
  );
  const rows = [...summary.changedRows.values()].reduce((a, b) => a + b, 0);
  o.log?.(`refreshed ${addDays(last, 1)}..${o.today}: ${rows} rows${summary.failures.length ? `, ${summary.failures.length} failures` : ''}`);
  if (summary.failures.length > 0) throw new Error(`refreshing recent features failed for ${summary.failures.map((f) => f.symbol).join(', ')}: not trading on stale data`);
}
