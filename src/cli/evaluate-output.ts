import type { Comparison } from '../pipeline/compare-models.js';
import type { StoredEvaluation } from '../pipeline/results-store.js';
import { parseTestRange } from '../config/seed-config-schema.js';
import { WEEKDAY_NAMES } from '../config/strategy-defaults.js';
import { isRealDate } from '../core/ny-time.js';

/** `--buy-weekday`: weekdays as 0 (Monday) … 4 (Friday) or names (Monday, mon, …), comma-separated. */
export function parseWeekdays(v: string): number[] {
  const days = v.split(',').map((s) => {
    const t = s.trim().toLowerCase();
    const byName = WEEKDAY_NAMES.findIndex((n) => n.toLowerCase() === t || n.slice(0, 3).toLowerCase() === t);
    const n = /^[0-4]$/.test(t) ? Number(t) : byName;
    if (n < 0) throw new Error(`--buy-weekday: expected weekdays 0 (Monday) … 4 (Friday) or their names, comma-separated, got "${v}"`);
    return n;
  });
  return [...new Set(days)].sort();
}

/** `--test-range START..END` (or the seed's `START - END`): decision dates, end exclusive. */
export function parseDateRange(v: string): { start: string; end: string } {
  const [a, b] = v.split('..');
  const range = b !== undefined && isRealDate(a!.trim()) && isRealDate(b.trim()) && a!.trim() < b.trim() ? { start: a!.trim(), end: b.trim() } : parseTestRange(v);
  if (!range) throw new Error(`--test-range: expected START..END with dates YYYY-MM-DD, START before END, got "${v}"`);
  return range;
}

/** What `evaluate --json` prints: the stored evaluation without the long series (equity curves, daily IC). */
export function evaluationJson(doc: StoredEvaluation): unknown {
  const run = <T extends { equity?: unknown }>(r: T) => {
    const { equity: _drop, ...rest } = r;
    return rest;
  };
  const { icByDay: _ic, ...quality } = doc.forecastQuality;
  return {
    ...doc,
    runs: doc.runs.map(run),
    benchmarks: doc.benchmarks.map(run),
    forecastQuality: quality,
    baselines: doc.baselines?.map((b) => ({ ...b, bestRun: run(b.bestRun) })),
  };
}

const num = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const pct = (v: number | null) => (v !== null && Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a');

/** The `evaluate --compare` table. */
export function comparisonText(c: Comparison): string {
  const r = c.testRange;
  const lines = [
    `test-range comparison on the ${r.rows} (symbol, day) rows every model forecast: decisions ${r.first.slice(0, 10)} … ${r.last.slice(0, 10)}, ${r.symbols} symbols × ${r.decisions} days`,
    `(baselines' quantiles fitted on ${c.baselinesFrom}'s training range; strategies after costs, each model's own grid)`,
    '',
    `forecaster                       quantile loss       MAE  coverage  Rank IC  DM p vs naive | best run return  Sharpe   DSR`,
  ];
  for (const row of c.rows) {
    const name = `${row.name}${row.kind === 'baseline' ? ' (baseline)' : ''}`;
    lines.push(
      `${name.padEnd(32)} ${num(row.quantileLoss).padStart(13)} ${num(row.mae).padStart(9)} ${pct(row.bandCoverage).padStart(9)} ${num(row.rankIc).padStart(8)} ${(row.vsNaive ? num(row.vsNaive.pValue, 3) : '').padStart(14)} | ${pct(row.bestRun.totalReturn).padStart(15)} ${num(row.bestRun.sharpe.annualised ?? NaN, 2).padStart(7)} ${(row.deflatedSharpe ? num(row.deflatedSharpe.dsr, 3) : 'n/a').padStart(5)}`,
    );
  }
  const bestModel = c.rows.filter((x) => x.kind === 'model').sort((a, b) => a.quantileLoss - b.quantileLoss)[0]!;
  const bestBaseline = c.rows.filter((x) => x.kind === 'baseline').sort((a, b) => a.quantileLoss - b.quantileLoss)[0]!;
  lines.push('', `lowest quantile loss: model ${bestModel.name} (${num(bestModel.quantileLoss)}) ${bestModel.quantileLoss < bestBaseline.quantileLoss ? 'beats' : 'does NOT beat'} the best baseline, ${bestBaseline.name} (${num(bestBaseline.quantileLoss)})`);
  return lines.join('\n');
}
