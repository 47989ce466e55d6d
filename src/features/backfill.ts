import { createHash } from 'node:crypto';
import type { SymbolFailure } from '../core/types.js';
import type { TimeFrame } from '../core/time-frame.js';
import { formatTimeFrame, isIntraday } from '../core/time-frame.js';
import { isRealDate, nyMidnightUtc } from '../core/ny-time.js';
import { tradingDaysBetween } from '../core/nyse-calendar.js';
import type { BarQualityReport, BarResult, MarketDataSource } from '../sources/market-data-source.js';
import { suspiciousJumps, type SuspiciousJump } from './price-checks.js';
import type { EarningsSource } from '../sources/earnings-source.js';
import type { DuplicateConflict, FeatureBatch, FeatureStore } from '../store/feature-store.js';
import type { SourceChange } from '../store/feature-provenance.js';
import { featureSpec, isKnownFeature } from '../core/feature-catalog.js';
import { barsToBatch, earningsToBatch } from './feature-rows.js';
import type { BackfillCheckpoint } from './backfill-checkpoint.js';

/** What to backfill. Dates are inclusive New-York trading dates `YYYY-MM-DD`. */
export interface BackfillRequest {
  features: string[];
  symbols: string[];
  startDate: string;
  endDate: string;
  timeFrame: TimeFrame;
  /** Symbols fetched and written per step; each finished step is checkpointed. */
  chunkSize?: number;
}

/** The adapters a backfill uses. */
export interface BackfillDeps {
  bars: MarketDataSource;
  earnings?: EarningsSource;
  store: FeatureStore;
  checkpoint?: BackfillCheckpoint;
  /** Bar features the bar source cannot provide (e.g. trade_count from a CSV file). */
  unavailableBarFeatures?: string[];
  /** Let symbols switch from the real source recorded in the store's provenance to this backfill's source. */
  allowSourceChange?: boolean;
  now?: () => Date;
  onProgress?: (event: { stage: 'bars' | 'earnings'; done: number; total: number }) => void;
  log?: (line: string) => void;
}

/** The closing summary of a backfill. */
export interface BackfillSummary {
  /** Feature → rows inserted or replaced. */
  changedRows: Map<string, number>;
  /** Feature → rows received from the sources (written or already identical). */
  receivedRows: Map<string, number>;
  failures: SymbolFailure[];
  /** Symbols the source answered for but with no bars in range (reported, not failed). */
  noData: string[];
  chunksSkipped: number;
  chunksTotal: number;
  /** Symbols switched from one real source to another (only with `allowSourceChange`). */
  sourceChanges: SourceChange[];
  /** Overnight moves beyond ±40 % in the bars received (unadjusted splits show up here). */
  suspiciousJumps: SuspiciousJump[];
  /** Repeated input rows the bar source merged, and those whose values disagreed (the last one was kept). */
  duplicatesMerged: number;
  conflictingDuplicates: BarQualityReport['conflictingDuplicates'];
  /** How the bar source adjusted prices, when it says. */
  adjusted?: BarQualityReport['adjusted'];
}

/** Checks a request before any network call; throws a readable error on bad input. */
export function validateBackfillRequest(req: BackfillRequest, unavailableBarFeatures: string[] = []): void {
  if (req.features.length === 0) throw new Error('backfill: no features given');
  for (const f of req.features) {
    const spec = featureSpec(f);
    if (spec.intradayOnly && !isIntraday(req.timeFrame)) {
      throw new Error(`feature ${f} needs an intraday time frame (e.g. 1Hour, 10Min), not ${formatTimeFrame(req.timeFrame)}`);
    }
    if (spec.origin === 'earnings' && isIntraday(req.timeFrame)) {
      throw new Error(`feature ${f} is a daily feature: backfill it with --time-frame 1Day`);
    }
    if (unavailableBarFeatures.includes(f)) throw new Error(`feature ${f} is not provided by this source`);
  }
  if (req.symbols.length === 0) throw new Error('backfill: the symbol list is empty');
  for (const d of [req.startDate, req.endDate]) {
    if (!isRealDate(d)) {
      throw new Error(`backfill: invalid date "${d}": expected YYYY-MM-DD`);
    }
  }
  if (req.endDate < req.startDate) {
    throw new Error(`backfill: end ${req.endDate} is before start ${req.startDate}`);
  }
}

/** A stable id of a request, so an interrupted backfill resumes only when re-run with the same request. */
export function backfillRequestId(req: BackfillRequest, sourceName: string): string {
  const body = JSON.stringify([sourceName, [...req.features].sort(), req.symbols, req.startDate, req.endDate, formatTimeFrame(req.timeFrame), req.chunkSize ?? 100]);
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/**
 * Pulls features from the sources into the feature store, chunk by chunk. Each chunk's write is an idempotent
 * merge and is checkpointed after it lands, so a re-run after a crash skips finished chunks and never duplicates.
 */
export async function runBackfill(req: BackfillRequest, deps: BackfillDeps): Promise<BackfillSummary> {
  validateBackfillRequest(req, deps.unavailableBarFeatures);
  const now = deps.now ?? (() => new Date());
  const barFeatures = req.features.filter((f) => featureSpec(f).origin === 'bars');
  const timeFeatures = req.features.filter((f) => featureSpec(f).origin === 'time');
  const earningsFeatures = req.features.filter((f) => featureSpec(f).origin === 'earnings');
  if (earningsFeatures.length > 0 && !deps.earnings) throw new Error('backfill: earnings features need an earnings source');
  const summary: BackfillSummary = {
    changedRows: new Map(req.features.map((f) => [f, 0])),
    receivedRows: new Map(req.features.map((f) => [f, 0])),
    failures: [],
    noData: [],
    chunksSkipped: 0,
    chunksTotal: 0,
    sourceChanges: [],
    suspiciousJumps: [],
    duplicatesMerged: 0,
    conflictingDuplicates: [],
  };
  const chunkSize = req.chunkSize ?? 100;
  const chunks: string[][] = [];
  for (let i = 0; i < req.symbols.length; i += chunkSize) chunks.push(req.symbols.slice(i, i + chunkSize));
  summary.chunksTotal = chunks.length;
  const start = nyMidnightUtc(req.startDate);
  const end = new Date(nyMidnightUtc(req.endDate).getTime() + 86_400_000 - 1);
  const done = new Set(deps.checkpoint ? await deps.checkpoint.completed() : []);
  let symbolsDone = 0;

  if (barFeatures.length + timeFeatures.length > 0) {
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      if (done.has(`bars:${c}`)) {
        summary.chunksSkipped++;
        symbolsDone += chunk.length;
        deps.onProgress?.({ stage: 'bars', done: symbolsDone, total: req.symbols.length });
        continue;
      }
      const result = await deps.bars.fetchBars({ symbols: chunk, start, end, timeFrame: req.timeFrame }, (d) =>
        deps.onProgress?.({ stage: 'bars', done: symbolsDone + d, total: req.symbols.length }),
      );
      summary.failures.push(...result.failures);
      noteQuality(summary, result);
      const failed = new Set(result.failures.map((f) => f.symbol));
      for (const s of chunk) {
        if (!failed.has(s) && (result.bars.get(s)?.length ?? 0) === 0) summary.noData.push(s);
      }
      const batch = { ...barsToBatch(result.bars, barFeatures, timeFeatures, req.timeFrame, now()), source: deps.bars.name, allowSourceChange: deps.allowSourceChange };
      const conflicts = await writeBatch(deps.store, batch, summary);
      // a chunk is complete once its write has landed with no failed symbol and no conflicting row: a re-run
      // retries the rest
      if (result.failures.length === 0 && conflicts === 0) await deps.checkpoint?.markCompleted(`bars:${c}`);
      symbolsDone += chunk.length;
      deps.onProgress?.({ stage: 'bars', done: symbolsDone, total: req.symbols.length });
    }
  }

  if (earningsFeatures.length > 0 && deps.earnings) {
    if (done.has('earnings')) {
      summary.chunksSkipped++;
    } else {
      const days = tradingDaysBetween(req.startDate, req.endDate);
      const result = await deps.earnings.fetchEarnings(req.symbols, start, end, (d, t) =>
        deps.onProgress?.({ stage: 'earnings', done: d, total: t }),
      );
      summary.failures.push(...result.failures);
      // a day whose calendar could not be read is left out rather than written as "no earnings"
      const failedDays = new Set(result.failures.filter((f) => f.symbol.startsWith('date:')).map((f) => f.symbol.slice(5)));
      const goodDays = days.filter((d) => !failedDays.has(d));
      const batch = { ...earningsToBatch(req.symbols, goodDays, result.events, earningsFeatures, now()), source: deps.earnings.name, allowSourceChange: deps.allowSourceChange };
      const conflicts = await writeBatch(deps.store, batch, summary);
      if (result.failures.length === 0 && conflicts === 0) await deps.checkpoint?.markCompleted('earnings');
    }
  }
  if (summary.failures.length === 0) await deps.checkpoint?.clear();
  return summary;
}

/** Writes a batch into the store and adds what it did to the summary; conflicting duplicates become failures. */
async function writeBatch(store: FeatureStore, batch: FeatureBatch, summary: BackfillSummary): Promise<number> {
  add(summary.receivedRows, new Map([...batch.values.keys()].map((f) => [f, batch.symbols.length])));
  const written = await store.write(batch);
  add(summary.changedRows, written.changedRows);
  summary.sourceChanges.push(...(written.sourceChanges ?? []));
  summary.failures.push(...conflictFailures(written.conflicts));
  return written.conflicts.length;
}

function add(target: Map<string, number>, from: Map<string, number>): void {
  for (const [f, n] of from) target.set(f, (target.get(f) ?? 0) + n);
}

/** One failure per symbol whose rows repeated a date with different values (a few examples, then a count). */
export function conflictFailures(conflicts: DuplicateConflict[]): SymbolFailure[] {
  const bySymbol = new Map<string, DuplicateConflict[]>();
  for (const c of conflicts) bySymbol.set(c.symbol, [...(bySymbol.get(c.symbol) ?? []), c]);
  return [...bySymbol].map(([symbol, list]) => {
    const examples = list.slice(0, 3).map((c) => `${c.date} ${Object.entries(c.values).map(([f, v]) => `${f} ${v}`).join(', ')}`);
    const more = list.length > 3 ? `; and ${list.length - 3} more` : '';
    return { symbol, reason: `${list.length} date(s) given twice with different values, not written (${examples.join('; ')}${more}): fix the source's duplicate rows` };
  });
}

/** Adds a bar fetch's suspicious jumps and the source's duplicate and adjustment report to the summary. */
function noteQuality(summary: BackfillSummary, result: BarResult): void {
  summary.suspiciousJumps.push(...suspiciousJumps(result.bars));
  if (!result.quality) return;
  summary.duplicatesMerged += result.quality.duplicatesMerged;
  summary.conflictingDuplicates.push(...result.quality.conflictingDuplicates);
  summary.adjusted = result.quality.adjusted;
}
