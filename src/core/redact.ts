/** Masks registered secrets in everything stockcast prints, logs, reports or stores as a message. */
const registered = new Set<string>();
/** Every form a registered secret may take in a text, longest first (so a secret containing another is masked whole). */
let patterns: string[] = [];

/** What a masked secret is replaced with. */
export const MASK = '****';

/** Registers a secret value so every later `redactSecrets` call masks it. Short values (< 4 characters) are ignored. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4 || registered.has(value)) return;
  registered.add(value);
  const forms = new Set(patterns);
  // the forms a secret takes once it is put into a URL or a JSON string (a bot token with ':' in a query, a quote in JSON)
  for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) if (form.length >= 4) forms.add(form);
  patterns = [...forms].sort((a, b) => b.length - a.length);
}

/** Masks every registered secret in a text (logs, errors, reports). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const s of patterns) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/**
 * Masks first, then cuts to at most `max` characters (plus `…` when cut): a secret split by the cut is masked
 * whole, never printed minus its last characters. Use it wherever a body or a value is shortened for a message.
 */
export function maskThenCut(text: string, max: number): string {
  const masked = redactSecrets(text);
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

/** A deep copy of a JSON-like value with every string masked (keys too), for JSON output. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactSecrets(k), redactDeep(v)])) as T;
  }
  return value;
}
