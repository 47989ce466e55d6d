import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { FEATURE_NAMES, isKnownFeature } from '../core/feature-catalog.js';
import { addDays, nyDate } from '../core/ny-time.js';
import { tradingDaysBetween } from '../core/nyse-calendar.js';
import { ApiError, notYet } from './api-error.js';

/** Which features and time frames the store holds, from its hive layout `<prefix>/feature=<f>/time_frame=<tf>/…`. */
export async function storedPartitions(objects: ObjectStore, prefix: string): Promise<Array<{ feature: string; timeFrame: string }>> {
  const seen = new Map<string, { feature: string; timeFrame: string }>();
  const base = prefix ? `${prefix}/` : '';
  for (const key of await objects.list(base)) {
    const m = /^feature=([^/]+)\/time_frame=([^/]+)\/[^/]+\.parquet$/.exec(key.slice(base.length));
    if (m && isKnownFeature(m[1]!)) seen.set(`${m[1]}|${m[2]}`, { feature: m[1]!, timeFrame: m[2]! });
  }
  const order = (f: string) => FEATURE_NAMES.indexOf(f);
  return [...seen.values()].sort((a, b) => a.timeFrame.localeCompare(b.timeFrame) || order(a.feature) - order(b.feature));
}

/** Counts the trading days of a range, remembering ranges already counted (most symbols share one). */
function sessionCounter(): (first: string, last: string) => number {
  const memo = new Map<string, number>();
  return (first, last) => {
    const key = `${first}|${last}`;
    let n = memo.get(key);
    if (n === undefined) memo.set(key, (n = tradingDaysBetween(first, last).length));
    return n;
  };
}

/** Coverage of the feature store: per feature its symbols, date range, rows and gaps; per symbol and feature a cell. */
export async function dataCoverage(features: FeatureStore, objects: ObjectStore, prefix: string, timeFrame?: string) {
  const partitions = await storedPartitions(objects, prefix);
  const timeFrames = [...new Set(partitions.map((p) => p.timeFrame))];
  const tf = timeFrame ?? (timeFrames.includes('1Day') ? '1Day' : timeFrames[0]);
  if (tf === undefined) return { location: objects.location, timeFrames, timeFrame: null, features: [], cells: [], symbols: [] };
  if (!timeFrames.includes(tf)) throw new ApiError(404, `the feature store holds no time frame ${JSON.stringify(tf)} (it holds ${timeFrames.join(', ')})`);
  const coverage = [];
  for (const { feature } of partitions.filter((p) => p.timeFrame === tf)) coverage.push({ feature, cov: await features.coverage(feature, tf) });
  // behind: ends before the newest date of any feature, so a model reading it would lack those days
  const newest = coverage.flatMap((c) => c.cov.map((x) => x.lastDate)).sort().at(-1) ?? '';
  const rows = [];
  const cells = [];
  const symbols = new Set<string>();
  const sessions = sessionCounter();
  // days of a symbol's own range the store lacks (daily frames only: intraday sessions are not counted here)
  const missingDays = (first: string, last: string, rows: number) => (tf === '1Day' ? Math.max(0, sessions(first, last) - rows) : null);
  for (const { feature, cov } of coverage) {
    let missing = 0;
    for (const c of cov) {
      symbols.add(c.symbol);
      const gap = missingDays(c.firstDate, c.lastDate, c.rows);
      missing += gap ?? 0;
      cells.push({ feature, ...c, missingDays: gap, behind: c.lastDate < newest });
    }
    rows.push({
      feature,
      symbols: cov.length,
      firstDate: cov.map((c) => c.firstDate).sort()[0] ?? null,
      lastDate: cov.map((c) => c.lastDate).sort().at(-1) ?? null,
      rows: cov.reduce((a, c) => a + c.rows, 0),
      missingDays: tf === '1Day' ? missing : null,
      symbolsBehind: cov.filter((c) => c.lastDate < newest).length,
    });
  }
  return { location: objects.location, timeFrames, timeFrame: tf, newestDate: newest, features: rows, cells, symbols: [...symbols].sort() };
}

/** The trading days inside a symbol's own range that a daily feature lacks. */
export async function featureGaps(features: FeatureStore, feature: string, symbol: string) {
  if (!isKnownFeature(feature)) throw new ApiError(400, `unknown feature ${JSON.stringify(feature)}`);
  const cov = (await features.coverage(feature, '1Day')).find((c) => c.symbol === symbol);
  if (!cov) throw notYet(`the feature store has no daily ${feature} for ${JSON.stringify(symbol)}`, `stockcast backfill --features ${feature} --symbols ${symbol} --start … --end …`);
  const frame = await features.queryWide({ features: [feature], timeFrame: '1Day', symbols: [symbol], startDate: cov.firstDate, endDate: cov.lastDate });
  const have = new Set(Array.from(frame.timestamps, (t) => nyDate(new Date(t))));
  const missing = tradingDaysBetween(cov.firstDate, cov.lastDate).filter((d) => !have.has(d));
  return { feature, symbol, firstDate: cov.firstDate, lastDate: cov.lastDate, rows: cov.rows, missing };
}

/** A symbol's daily history of one feature up to `end` (and `after` days beyond it, to show what happened next). */
export async function featureHistory(features: FeatureStore, o: { feature: string; symbol: string; end: string; days: number; after: number }) {
  if (!isKnownFeature(o.feature)) throw new ApiError(400, `unknown feature ${JSON.stringify(o.feature)}`);
  if (!(o.days >= 1 && o.days <= 3660) || !(o.after >= 0 && o.after <= 366)) throw new ApiError(400, 'days: expected 1…3660 and after: 0…366');
  const cov = (await features.coverage(o.feature, '1Day')).find((c) => c.symbol === o.symbol);
  if (!cov) throw notYet(`the feature store has no daily ${o.feature} for ${JSON.stringify(o.symbol)}`, `stockcast backfill --features ${o.feature} --symbols ${o.symbol} --start … --end …`);
  const frame = await features.queryWide({ features: [o.feature], timeFrame: '1Day', symbols: [o.symbol], startDate: addDays(o.end, -o.days), endDate: addDays(o.end, o.after) });
  const values = frame.columns.get(o.feature)!;
  const points = Array.from(frame.timestamps, (t, i) => ({ date: nyDate(new Date(t)), value: Number.isFinite(values[i]!) ? values[i]! : null }));
  return { feature: o.feature, symbol: o.symbol, end: o.end, points };
}
