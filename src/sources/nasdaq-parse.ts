import type { EarningsEvent } from '../core/types.js';
import { maskThenCut } from '../core/redact.js';

/** Strings Nasdaq uses for "no value"; they must become null, never zero. */
const MISSING = new Set(['', 'N/A', 'NA', '--', '-']);

/** Parses a signed number that may be written `(x)` for −x; null for the missing markers or anything unreadable. */
function parseSigned(text: string | undefined | null, strip: RegExp): number | null {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  if (MISSING.has(t.toUpperCase())) return null;
  const negative = /^\(.*\)$/.test(t);
  const core = t.replace(/^\((.*)\)$/, '$1').replace(strip, '');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(core)) return null;
  const n = Number(core);
  return negative ? -n : n;
}

/** Parses Nasdaq money strings: `$1,234.56`, `($0.12)` = −0.12, `$0` = 0; `""`, `N/A`, `NA`, `--` = missing (null). */
export function parseNasdaqMoney(text: string | undefined | null): number | null {
  return parseSigned(text, /[$,\s]/g);
}

/** Parses Nasdaq's `surprise`: percentage points without a `%` sign (`"12.59"`, `"-12.96"`); `N/A` or empty → null. */
export function parseNasdaqSurprise(text: string | undefined | null): number | null {
  return parseSigned(text, /[%,\s]/g);
}

/** Normalises a ticker so Nasdaq's `BRK.B` and a Yahoo-style `brk-b` compare equal. */
export function normalizeTicker(symbol: string): string {
  return symbol.trim().toUpperCase().replace(/-/g, '.');
}

/** One calendar row as Nasdaq sends it: every value a string, every field optional. */
export interface NasdaqRow {
  symbol?: string;
  name?: string;
  time?: string;
  eps?: string;
  epsForecast?: string;
  surprise?: string;
  lastYearEPS?: string;
  lastYearRptDt?: string;
}

/**
 * The surprise of a row: Nasdaq's own `surprise`; only when that key is absent altogether, derived from `eps` vs
 * `epsForecast` over |forecast| (so beating a negative forecast is still a positive surprise). An explicit
 * `N/A` stays null: Nasdaq chose not to give one.
 */
export function rowSurprise(row: NasdaqRow): number | null {
  if (row.surprise !== undefined) return parseNasdaqSurprise(row.surprise);
  const eps = parseNasdaqMoney(row.eps);
  const forecast = parseNasdaqMoney(row.epsForecast);
  if (eps === null || forecast === null || forecast === 0) return null;
  return Math.round(((eps - forecast) / Math.abs(forecast)) * 10000) / 100;
}

/** The rows of one day's answer; every empty shape (`data: null`, `rows: null`, `rows: []`) is an empty list. */
export function nasdaqRows(body: unknown, date: string): NasdaqRow[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error(`Nasdaq earnings answer for ${date} is not a JSON object; expected {"data": {"rows": [...]}}`);
  }
  const { data, status } = body as { data?: unknown; status?: { rCode?: unknown; bCodeMessage?: unknown } };
  if (typeof status?.rCode === 'number' && status.rCode >= 400) {
    throw new Error(`Nasdaq earnings answer for ${date} reports status ${status.rCode}: ${maskThenCut(JSON.stringify(status.bCodeMessage ?? null), 200)}`);
  }
  if (data === null || data === undefined) return [];
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error(`Nasdaq earnings answer for ${date}: data is not an object`);
  const rows = (data as { rows?: unknown }).rows;
  if (rows === null || rows === undefined) return [];
  if (!Array.isArray(rows)) throw new Error(`Nasdaq earnings answer for ${date}: data.rows is not an array`);
  return rows.filter((r): r is NasdaqRow => typeof r === 'object' && r !== null && typeof (r as NasdaqRow).symbol === 'string');
}

/**
 * Turns one day's answer into events for the wanted symbols. `wanted` maps a normalised ticker to the caller's
 * spellings, so `BRK-B` asked is `BRK-B` answered even though Nasdaq writes `BRK.B`.
 */
export function parseNasdaqEarningsDay(body: unknown, date: string, wanted: Map<string, string | string[]>): EarningsEvent[] {
  const out: EarningsEvent[] = [];
  const seen = new Set<string>();
  for (const row of nasdaqRows(body, date)) {
    const key = normalizeTicker(row.symbol!);
    const ours = wanted.get(key);
    if (ours === undefined || seen.has(key)) continue;
    seen.add(key);
    const surprise = rowSurprise(row);
    for (const symbol of Array.isArray(ours) ? ours : [ours]) out.push({ symbol, date, surprise });
  }
  return out;
}
