import type { FeatureStore } from '../store/feature-store.js';
import type { MarketDataSource } from '../sources/market-data-source.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import { featureSpec } from '../core/feature-catalog.js';
import { runBackfill } from '../features/backfill.js';
import { parseTimeFrame } from '../core/time-frame.js';
import { addDays } from '../core/ny-time.js';
import { SYNTHETIC } from '../store/feature-provenance.js';
import { findGaps, IncompleteDataError, STALE_TRADING_DAYS, type DataGaps } from './data-gaps.js';

export { IncompleteDataError } from './data-gaps.js';

/** Sources by name: the refresh opens the one recorded as having written each feature (or the one chosen). */
export interface RefreshSources {
  bars(name: string): Promise<MarketDataSource>;
  earnings(name: string): Promise<EarningsSource>;
  /** Bar features a bar source cannot provide (trade_count and vwap from CSV or Yahoo). */
  unavailableBarFeatures(name: string): string[];
}

/** What to make complete, and from where. */
export interface RefreshRecentOptions {
  features: FeatureStore;
  sources: RefreshSources;
  /** Every feature the model reads (inputs and target column); `open` is added (the local paper broker fills at it). */
  modelFeatures: string[];
  /** The trading day every feature must reach for every symbol traded. */
  day: string;
  /** A chosen bar source (`--source`): must agree with the store's provenance; needed where none is recorded. */
  source?: string;
  /**
   * Held for the whole check-and-refresh: runs refreshing one store at once (several models trading at the same
   * minute) take turns, so the first fetches the day and the others find it there; none reads a partition while
   * another replaces it.
   */
  lock?: () => Promise<{ release(): Promise<void> }>;
  log?: (line: string) => void;
}

/** What the refresh found and did. */
export interface RefreshOutcome {
  day: string;
  /** The symbols traded: every feature reaches `day` for each. */
  symbols: string[];
  /** Symbols left out: data that ended long before the rest (delisted, no longer backfilled), or no bar on the day at the source. */
  excluded: Array<{ symbol: string; lastDate: string; reason: string }>;
  /** One backfill per source: which features and symbols it fetched, from when. */
  fetched: Array<{ source: string; features: string[]; symbols: string[]; from: string; rows: number }>;
}

/**
 * Makes every feature the model needs reach `day` for every symbol it trades, or stops: finds the missing
 * (feature, symbol) days, refreshes each from the source recorded as having written it (or `--source`, checked
 * against that record), checks again, and throws naming what is still missing. A failed symbol stops the run
 * too: trading on stale or partial data is worse than not trading.
 */
export async function refreshRecent(o: RefreshRecentOptions): Promise<RefreshOutcome> {
  const lock = await o.lock?.();
  try {
    return await refreshLocked(o);
  } finally {
    await lock?.release();
  }
}

async function refreshLocked(o: RefreshRecentOptions): Promise<RefreshOutcome> {
  const wanted = [...new Set(['open', ...o.modelFeatures])];
  const before = await findGaps(o.features, wanted, o.day);
  const stale = `data ends more than ${STALE_TRADING_DAYS} trading days before the rest`;
  const outcome: RefreshOutcome = { day: o.day, symbols: before.symbols, excluded: before.excluded.map((e) => ({ ...e, reason: stale })), fetched: [] };
  if (before.excluded.length > 0) o.log?.(`not trading ${before.excluded.length} symbol(s) whose ${stale}: ${before.excluded.slice(0, 10).map((e) => `${e.symbol} (${e.lastDate})`).join(', ')}`);
  if (before.missing.size === 0) return outcome;
  for (const group of await planRefresh(o, before)) {
    const isEarnings = group.kind === 'earnings';
    const summary = await runBackfill(
      // one step of every symbol: a few days of bars are small, and each partition is then merged (read, rewritten)
      // once rather than once per 100 symbols; the sources split their requests themselves
      { features: group.features, symbols: group.symbols, startDate: group.from, endDate: o.day, timeFrame: parseTimeFrame('1Day'), chunkSize: group.symbols.length },
      {
        bars: isEarnings ? NO_BARS : await o.sources.bars(group.source),
        earnings: isEarnings ? await o.sources.earnings(group.source) : undefined,
        store: o.features,
        unavailableBarFeatures: isEarnings ? [] : o.sources.unavailableBarFeatures(group.source),
      },
    );
    const rows = [...summary.changedRows.values()].reduce((a, b) => a + b, 0);
    outcome.fetched.push({ source: group.source, features: group.features, symbols: group.symbols, from: group.from, rows });
    o.log?.(`refreshed ${group.from}..${o.day} from ${group.source} (${group.features.join(', ')}; ${group.symbols.length} symbols): ${rows} rows${summary.failures.length ? `, ${summary.failures.length} failures` : ''}`);
    if (summary.failures.length > 0) throw new IncompleteDataError(`refreshing recent features from ${group.source} failed for ${summary.failures.map((f) => `${f.symbol} (${f.reason})`).join(', ')}: not trading on stale data`);
  }
  let after = await findGaps(o.features, wanted, o.day, before.symbols);
  // a symbol its source answered for without a bar on the day (halted, delisted) has no price to trade at: left out
  const noBar = [...(after.missing.get('open') ?? new Map<string, string | null>())];
  if (noBar.length > 0) {
    o.log?.(`not trading ${noBar.length} symbol(s) without a bar on ${o.day} at the source: ${noBar.slice(0, 10).map(([s]) => s).join(', ')}`);
    outcome.excluded.push(...noBar.map(([symbol, last]) => ({ symbol, lastDate: last ?? '', reason: `no bar on ${o.day} at the source` })));
    outcome.symbols = outcome.symbols.filter((s) => !noBar.some(([x]) => x === s));
    after = await findGaps(o.features, wanted, o.day, outcome.symbols);
  }
  if (outcome.symbols.length === 0) throw new IncompleteDataError(`no symbol has a bar on ${o.day} at its source: nothing to trade on (is ${o.day} published yet?)`);
  if (after.missing.size > 0) throw new IncompleteDataError(`the feature store still lacks ${o.day} after refreshing: ${describeGaps(after)}; not trading on incomplete data`);
  return outcome;
}

/** A bar source for refreshes of earnings features only (runBackfill then never asks it for bars). */
const NO_BARS: MarketDataSource = {
  name: 'none',
  fetchBars: () => Promise.reject(new Error('no bar features were asked for')),
};

/** One backfill of the refresh: a source, the features it wrote, the symbols missing some of them, from the earliest gap. */
interface RefreshGroup {
  source: string;
  kind: 'bars' | 'earnings';
  features: string[];
  symbols: string[];
  from: string;
}

/** Groups the missing (feature, symbol) days by the source that must refresh them; refuses what cannot be refreshed. */
async function planRefresh(o: RefreshRecentOptions, gaps: DataGaps): Promise<RefreshGroup[]> {
  const recorded = await o.features.recordedSources([...gaps.missing.keys()], '1Day');
  const groups = new Map<string, { source: string; kind: 'bars' | 'earnings'; features: Set<string>; symbols: Set<string>; from: string }>();
  const problems: string[] = [];
  for (const [feature, symbols] of gaps.missing) {
    const kind = featureSpec(feature).origin === 'earnings' ? 'earnings' : 'bars';
    for (const [symbol, last] of symbols) {
      if (last === null) {
        problems.push(`${feature} has no rows at all for ${symbol} (backfill its history first)`);
        continue;
      }
      const source = refreshSource(kind, recorded.get(feature)?.get(symbol), o.source, `${feature} of ${symbol}`, problems);
      if (source === undefined) continue;
      const key = `${kind}:${source}`;
      const g = groups.get(key) ?? { source, kind, features: new Set<string>(), symbols: new Set<string>(), from: o.day };
      g.features.add(feature);
      g.symbols.add(symbol);
      g.from = [g.from, addDays(last, 1)].sort()[0]!;
      groups.set(key, g);
    }
  }
  if (problems.length > 0) throw new IncompleteDataError(`cannot refresh the feature store to ${o.day}: ${summarise(problems)}`);
  return [...groups.values()].map((g) => ({ ...g, features: [...g.features], symbols: [...g.symbols].sort() }));
}

/**
 * The source to refresh one feature of one symbol from: the one recorded; `--source` only where it agrees (for
 * earnings features: synthetic earnings go with synthetic bars, Nasdaq with real ones) or nothing is recorded.
 */
function refreshSource(kind: 'bars' | 'earnings', recorded: string | undefined, chosen: string | undefined, what: string, problems: string[]): string | undefined {
  const fromChoice = chosen === undefined ? undefined : kind === 'bars' ? chosen : chosen === SYNTHETIC ? SYNTHETIC : 'nasdaq';
  if (recorded === undefined && fromChoice === undefined) {
    problems.push(`no source is recorded for ${what} (written before stockcast recorded sources): pass --source`);
    return undefined;
  }
  if (recorded !== undefined && fromChoice !== undefined && recorded !== fromChoice) {
    problems.push(`${what} was written from ${recorded}, not ${fromChoice} (--source ${chosen}): refresh it from ${recorded}, or switch it with \`stockcast backfill --allow-source-change\``);
    return undefined;
  }
  return recorded ?? fromChoice;
}

/** Missing days as `feature: SYMBOL (last date), …`, at most a dozen. */
export function describeGaps(gaps: DataGaps): string {
  const parts: string[] = [];
  for (const [feature, symbols] of gaps.missing) {
    const shown = [...symbols].slice(0, 6).map(([s, last]) => `${s} (${last ?? 'no rows'})`);
    parts.push(`${feature}: ${shown.join(', ')}${symbols.size > 6 ? ` and ${symbols.size - 6} more` : ''}`);
  }
  return summarise(parts);
}

function summarise(items: string[]): string {
  return items.length <= 12 ? items.join('; ') : `${items.slice(0, 12).join('; ')}; and ${items.length - 12} more`;
}

