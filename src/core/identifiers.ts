/**
 * One validation of the names users type that end up in paths, object keys and lock files: model ids, config ids
 * and ticker symbols. Every command checks them here, at the edge, before any path is built from them.
 */

/** Letters, digits, `.`, `_` and `-`, starting with a letter or digit: the seed's config ids all fit. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Upper-case letters and digits with `.` or `-` classes (BRK.B, BF-B), starting with a letter or digit. */
const SYMBOL = /^[A-Z0-9][A-Z0-9.-]{0,11}$/;

/** What a model id may look like, for messages. */
export const MODEL_ID_RULE = 'letters, digits, ".", "_" and "-" (1–128 characters, starting with a letter or digit; no "/", "\\" or "..")';
/** What a symbol may look like, for messages. */
export const SYMBOL_RULE = 'an upper-case ticker of letters, digits, "." and "-" (1–12 characters, starting with a letter or digit; no "..")';

/** An invalid id or symbol; `what` names the flag or key it came from. */
export class InvalidNameError extends Error {
  constructor(
    readonly what: string,
    readonly value: string,
    rule: string,
  ) {
    super(`${what}: invalid value ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}: expected ${rule}`);
    this.name = 'InvalidNameError';
  }
}

/** True when `id` is a safe model or config id (never a path: no separator, no `..`). */
export function isValidModelId(id: string): boolean {
  return typeof id === 'string' && MODEL_ID.test(id) && !id.includes('..');
}

/** Returns `id` unchanged, or throws an `InvalidNameError` naming `what` (a flag such as `--model-id`, or a config key). */
export function validateModelId(id: string, what = 'model id'): string {
  if (!isValidModelId(id)) throw new InvalidNameError(what, String(id), MODEL_ID_RULE);
  return id;
}

/** True when `symbol` is a ticker stockcast accepts (already upper-case). */
export function isValidSymbol(symbol: string): boolean {
  return typeof symbol === 'string' && SYMBOL.test(symbol) && !symbol.includes('..');
}

/** Returns `symbol` unchanged, or throws an `InvalidNameError` naming `what` (a flag, a file and line, a CSV row). */
export function validateSymbol(symbol: string, what = 'symbol'): string {
  if (!isValidSymbol(symbol)) throw new InvalidNameError(what, String(symbol), SYMBOL_RULE);
  return symbol;
}

/**
 * Normalises a list of tickers (trimmed, upper-cased, duplicates dropped, order kept) and validates each; the
 * error lists up to five bad ones and names `what`.
 */
export function validateSymbols(symbols: readonly string[], what = 'symbols'): string[] {
  const normal = symbols.map((s) => s.trim().toUpperCase()).filter((s) => s.length > 0);
  const bad = normal.filter((s) => !isValidSymbol(s));
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).map((s) => JSON.stringify(s.length > 20 ? `${s.slice(0, 20)}…` : s));
    throw new Error(`${what}: invalid ticker${bad.length > 1 ? 's' : ''} ${shown.join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}: expected ${SYMBOL_RULE}`);
  }
  return [...new Set(normal)];
}
