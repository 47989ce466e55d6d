import type { BackfillSummary } from '../features/backfill.js';

/** Formats the closing summary of a backfill: rows per feature, then every failed symbol and why. */
export function formatBackfillSummary(summary: BackfillSummary, seconds: number): string {
  const lines: string[] = [];
  const width = Math.max(7, ...[...summary.receivedRows.keys()].map((f) => f.length));
  lines.push(`${'feature'.padEnd(width)}  ${'received'.padStart(10)}  ${'written'.padStart(10)}`);
  for (const [feature, received] of summary.receivedRows) {
    const changed = summary.changedRows.get(feature) ?? 0;
    lines.push(`${feature.padEnd(width)}  ${String(received).padStart(10)}  ${String(changed).padStart(10)}`);
  }
  if (summary.chunksSkipped > 0) {
    lines.push(`resumed: ${summary.chunksSkipped} step(s) had already landed in an earlier run and were skipped`);
  }
  for (const c of summary.sourceChanges ?? []) {
    lines.push(`source switched (--allow-source-change): ${c.feature} of ${c.symbols.join(', ')} from ${c.from} to ${c.to}`);
  }
  if (summary.noData.length > 0) {
    lines.push(`no data in range for ${summary.noData.length} symbol(s): ${summary.noData.join(', ')}`);
  }
  lines.push(...qualityLines(summary));
  if (summary.failures.length > 0) {
    lines.push(`FAILED: ${summary.failures.length} symbol(s)/date(s) — re-run the same command to retry them:`);
    for (const f of summary.failures) {
      lines.push(`  ${f.symbol}: ${f.reason}${f.attempts ? ` (after ${f.attempts} attempts)` : ''}`);
    }
  } else {
    lines.push('no failures');
  }
  lines.push(`done in ${seconds.toFixed(1)} s`);
  return lines.join('\n');
}

/** `stockcast backfill --json`: what was asked, what landed per feature, and every failure (documented in the README). */
export interface BackfillJson {
  source: string;
  timeFrame: string;
  startDate: string;
  endDate: string;
  /** Where the features were written (a directory or s3:// location; never credentials). */
  store: string;
  symbols: number;
  /** Rows received from the sources and rows inserted or replaced in the store, per feature. */
  features: Array<{ feature: string; received: number; written: number }>;
  /** Checkpointed steps; `skipped` had landed in an earlier, interrupted run. */
  steps: { total: number; skipped: number };
  /** Symbols the source answered for with no bars in range. */
  noData: string[];
  /** Failed symbols (or earnings dates) with the reason; the exit code is 1 when there is any. */
  failures: Array<{ symbol: string; reason: string; attempts: number | null }>;
  ok: boolean;
  seconds: number;
}

/** The JSON document of a finished backfill. */
export function backfillJson(
  summary: BackfillSummary,
  context: { source: string; timeFrame: string; startDate: string; endDate: string; store: string; symbols: number; seconds: number },
): BackfillJson {
  return {
    ...context,
    features: [...summary.receivedRows].map(([feature, received]) => ({ feature, received, written: summary.changedRows.get(feature) ?? 0 })),
    steps: { total: summary.chunksTotal, skipped: summary.chunksSkipped },
    noData: summary.noData,
    failures: summary.failures.map((f) => ({ symbol: f.symbol, reason: f.reason, attempts: f.attempts ?? null })),
    ok: summary.failures.length === 0,
    seconds: Math.round(context.seconds * 10) / 10,
  };
}

const pct = (v: number) => `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;

/** Price adjustment, merged and conflicting duplicates, and suspicious overnight jumps per symbol. */
function qualityLines(summary: BackfillSummary): string[] {
  const lines: string[] = [];
  if (summary.adjusted) lines.push(`prices: ${summary.adjusted === 'all' ? 'adjusted for splits and dividends (open/high/low/close × adj_close/close, volume ÷)' : 'raw, not adjusted for splits or dividends'}`);
  if (summary.duplicatesMerged > 0) lines.push(`duplicates: ${summary.duplicatesMerged} repeated input row(s) merged`);
  if (summary.conflictingDuplicates.length > 0) {
    const shown = summary.conflictingDuplicates.slice(0, 10).map((c) => `${c.symbol} ${c.date} (${c.rows} rows)`);
    lines.push(`CONFLICTING duplicates: ${summary.conflictingDuplicates.length} (symbol, date) with differing rows; the last row was kept: ${shown.join(', ')}${summary.conflictingDuplicates.length > 10 ? ', …' : ''}`);
  }
  if (summary.suspiciousJumps.length > 0) {
    const bySymbol = new Map<string, string[]>();
    for (const j of summary.suspiciousJumps) bySymbol.set(j.symbol, [...(bySymbol.get(j.symbol) ?? []), `${j.date} ${pct(j.move)}`]);
    lines.push(`suspicious overnight moves over 40 % (${summary.suspiciousJumps.length} in ${bySymbol.size} symbol(s); unadjusted splits? see --adjust):`);
    for (const [symbol, moves] of bySymbol) lines.push(`  ${symbol}: ${moves.join(', ')}`);
  }
  return lines;
}
