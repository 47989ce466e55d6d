/**
 * Market covariates: index series shared by every symbol on a date (VIX, the universe's equal-weight return),
 * stored once under MARKET_SYMBOL and joined into every symbol's rows by date when the wide frame is read.
 */
import type { WideFrame } from '../core/wide-frame.js';
import { MARKET_SYMBOL, featureSpec, isMarketFeature } from '../core/feature-catalog.js';
import { addDays, nyDate, nyMidnightUtc } from '../core/ny-time.js';
import { parseTimeFrame } from '../core/time-frame.js';
import type { FeatureBatch, FeatureCoverage, FeatureStore, WideQuery, WriteSummary } from '../store/feature-store.js';
import type { MarketDataSource } from '../sources/market-data-source.js';

/** The symbol the VIX is asked for at its source (Yahoo's ticker; an index CSV serves it too). */
export const VIX_TICKER = '^VIX';

/** A feature store whose wide frames carry the market features joined into every symbol's rows by date. */
export class MarketJoinedFeatureStore implements FeatureStore {
  constructor(private readonly inner: FeatureStore) {}

  /** {@inheritDoc FeatureStore.write} */
  write(batch: FeatureBatch): Promise<WriteSummary> {
    return this.inner.write(batch);
  }

  /** {@inheritDoc FeatureStore.queryWide} */
  async queryWide(query: WideQuery): Promise<WideFrame> {
    const market = query.features.filter(isMarketFeature);
    if (market.length === 0) return this.inner.queryWide(query);
    const own = query.features.filter((f) => !isMarketFeature(f));
    const index = await this.inner.queryWide({ ...query, features: market, symbols: [MARKET_SYMBOL] });
    if (own.length === 0) return index;
    return joinByTimestamp(await this.inner.queryWide({ ...query, features: own }), index, market);
  }

  /** {@inheritDoc FeatureStore.coverage} */
  coverage(feature: string, timeFrame: string): Promise<FeatureCoverage[]> {
    return this.inner.coverage(feature, timeFrame);
  }

  /** {@inheritDoc FeatureStore.recordedSources} */
  recordedSources(features: string[], timeFrame: string): Promise<Map<string, Map<string, string>>> {
    return this.inner.recordedSources(features, timeFrame);
  }

  /** {@inheritDoc FeatureStore.close} */
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** `frame` with the columns `features` of `index` (one series) added to every row by timestamp; NaN where the index has no value. */
export function joinByTimestamp(frame: WideFrame, index: WideFrame, features: string[]): WideFrame {
  const columns = new Map(frame.columns);
  for (const f of features) {
    const src = index.columns.get(f)!;
    const byTime = new Map<number, number>();
    for (let i = 0; i < index.length; i++) byTime.set(index.timestamps[i]!, src[i]!);
    columns.set(f, Float64Array.from(frame.timestamps, (t) => byTime.get(t) ?? NaN));
  }
  return { ...frame, columns };
}

/**
 * The equal-weight return of the universe per date, standing in for the S&P 500: the mean over symbols of
 * price(t) / price(t − 1) − 1, where t − 1 is the previous date of the frame and the symbol traded on both.
 */
export function equalWeightReturns(frame: WideFrame, column: string): Map<number, number> {
  const prices = frame.columns.get(column)!;
  const times = Float64Array.from(new Set(frame.timestamps)).sort();
  const previous = new Map<number, number>();
  for (let i = 1; i < times.length; i++) previous.set(times[i]!, times[i - 1]!);
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  for (let r = 1; r < frame.length; r++) {
    const t = frame.timestamps[r]!;
    if (frame.symbolIndex[r] !== frame.symbolIndex[r - 1] || frame.timestamps[r - 1] !== previous.get(t)) continue;
    const ret = prices[r]! / prices[r - 1]! - 1;
    if (!Number.isFinite(ret)) continue;
    sum.set(t, (sum.get(t) ?? 0) + ret);
    count.set(t, (count.get(t) ?? 0) + 1);
  }
  return new Map([...sum].map(([t, s]) => [t, s / count.get(t)!]));
}

/** What a market backfill asks for: market features over inclusive New-York dates. */
export interface MarketBackfillRequest {
  features: string[];
  startDate: string;
  endDate: string;
}

/** Rows received and written per market feature. */
export interface MarketBackfillResult {
  receivedRows: Map<string, number>;
  changedRows: Map<string, number>;
}

/**
 * Backfills market features into the store under MARKET_SYMBOL: vix_open / vix_close from an index source (an
 * index CSV or Yahoo's ^VIX), market_open_return / market_close_return from the open / close of every symbol the
 * store holds (backfill those first).
 */
export async function backfillMarketFeatures(req: MarketBackfillRequest, deps: { store: FeatureStore; vix: () => Promise<MarketDataSource>; now?: () => Date }): Promise<MarketBackfillResult> {
  const features = req.features.filter(isMarketFeature);
  const out: MarketBackfillResult = { receivedRows: new Map(), changedRows: new Map() };
  const now = deps.now ?? (() => new Date());
  const write = async (feature: string, values: Map<number, number>) => {
    const times = [...values.keys()].filter((t) => nyDate(new Date(t)) >= req.startDate && nyDate(new Date(t)) <= req.endDate).sort((a, b) => a - b);
    const batch: FeatureBatch = {
      timeFrame: '1Day',
      symbols: times.map(() => MARKET_SYMBOL),
      timestamps: Float64Array.from(times),
      dates: times.map((t) => nyDate(new Date(t))),
      values: new Map([[feature, Float64Array.from(times, (t) => values.get(t)!)]]),
      updatedAt: now(),
    };
    out.receivedRows.set(feature, times.length);
    out.changedRows.set(feature, (await deps.store.write(batch)).changedRows.get(feature) ?? 0);
  };
  const vixFeatures = features.filter((f) => f === 'vix_open' || f === 'vix_close');
  if (vixFeatures.length > 0) {
    const source = await deps.vix();
    const r = await source.fetchBars({ symbols: [VIX_TICKER], start: nyMidnightUtc(req.startDate), end: nyMidnightUtc(req.endDate), timeFrame: parseTimeFrame('1Day') });
    if (r.failures.length > 0) throw new Error(`the VIX could not be read from ${source.name}: ${r.failures[0]!.reason}`);
    const bars = r.bars.get(VIX_TICKER) ?? [];
    if (bars.length === 0) throw new Error(`${source.name} has no VIX bars between ${req.startDate} and ${req.endDate}`);
    for (const f of vixFeatures) await write(f, new Map(bars.map((b) => [b.timestamp.getTime(), f === 'vix_open' ? b.open : b.close])));
  }
  for (const f of features.filter((x) => x === 'market_open_return' || x === 'market_close_return')) {
    const column = f === 'market_open_return' ? 'open' : 'close';
    // a week before the start, so the first day has a previous one
    const frame = await deps.store.queryWide({ features: [column], timeFrame: '1Day', startDate: addDays(req.startDate, -10), endDate: req.endDate });
    await write(f, equalWeightReturns(frame, column));
  }
  for (const f of features) featureSpec(f);
  return out;
}
