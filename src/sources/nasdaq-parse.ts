import type { EarningsEvent } from '../core/types.js';

const MISSING = new Set(['', 'N/A', 'NA', '--', 'n/a']);

/** Parses Nasdaq money strings: `$1,234.56`, `($0.12)` = −0.12; `""`, `N/A`, `NA`, `--` = missing (null, not zero). */
export function parseNasdaqMoney(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const t = text.trim();
  if (MISSING.has(t)) return null;
  const negative = /^\(.*\)$/.test(t);
  const n = Number(t.replace(/[()$,\s]/g, ''));
  if (!Number.isFinite(n)) return null;
  return negative ? -n : n;
}

/** Parses Nasdaq's `surprise`: percentage points without a `%` sign (`"12.59"`, `"-12.96"`); `N/A` → null. */
export function parseNasdaqSurprise(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const t = text.trim().replace(/%$/, '');
  if (MISSING.has(t)) return null;
  const negative = /^\(.*\)$/.test(t);
  const n = Number(t.replace(/[(),\s]/g, ''));
  if (!Number.isFinite(n)) return null;
  return negative ? -n : n;
}

/** Normalises a ticker so Nasdaq's `BRK.B` and Yahoo-style `BRK-B` compare equal. */
export function normalizeTicker(symbol: string): string {
  return symbol.trim().toUpperCase().replace(/-/g, '.');
}

interface NasdaqRow {
  symbol?: string;
  surprise?: string;
  eps?: string;
  epsForecast?: string;
}

/**
 * Turns one day's answer into events for the wanted symbols. Every empty shape (`data: null`, `rows: null`,
 * `rows: []`) means "no earnings that day". The surprise comes from `surprise`, or from eps vs forecast when
 * Nasdaq gave both numbers but no surprise.
 */
export function parseNasdaqEarningsDay(body: unknown, date: string, wanted: Map<string, string>): EarningsEvent[] {
  if (typeof body !== 'object' || body === null) throw new Error(`Nasdaq answer for ${date} is not a JSON object`);
  const data = (body as { data?: unknown }).data;
  if (data === null || data === undefined) return [];
  const rows = (data as { rows?: unknown }).rows;
  if (rows === null || rows === undefined) return [];
  if (!Array.isArray(rows)) throw new Error(`Nasdaq answer for ${date}: data.rows is not an array`);
  const out: EarningsEvent[] = [];
  for (const row of rows as NasdaqRow[]) {
    if (!row || typeof row.symbol !== 'string') continue;
    const ours = wanted.get(normalizeTicker(row.symbol));
    if (!ours) continue;
    let surprise = parseNasdaqSurprise(row.surprise);
    if (surprise === null) {
      const eps = parseNasdaqMoney(row.eps);
      const forecast = parseNasdaqMoney(row.epsForecast);
      if (eps !== null && forecast !== null && forecast !== 0 && row.surprise === undefined) {
        surprise = Math.round((eps / forecast - 1) * 10000) / 100;
      }
    }
    out.push({ symbol: ours, date, surprise });
  }
  return out;
}
