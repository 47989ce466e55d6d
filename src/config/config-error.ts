import { maskThenCut, redactSecrets } from '../core/redact.js';

/** One problem found in a config file. */
export interface ConfigIssue {
  configId?: string;
  /** The offending key; nested keys are dotted (`strategy_grid.interval_days`, `_performance_test_1._interval_days`). */
  key?: string;
  expected: string;
  got?: unknown;
}

/** Invalid configuration: the message names the file, the config id, the key and what was expected. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Formats one issue as `file: config "id": key "k": expected …, got …`. */
export function formatIssue(file: string, issue: ConfigIssue): string {
  const where = [file, issue.configId !== undefined ? `config "${issue.configId}"` : undefined, issue.key ? `key "${issue.key}"` : undefined]
    .filter(Boolean)
    .join(': ');
  const got = issue.got === undefined ? '' : `, got ${describeValue(issue.got)}`;
  // a config file should hold no secrets, but a pasted key in the wrong place must not reach a log either
  return redactSecrets(`${where}: expected ${issue.expected}${got}`);
}

/** A short JSON rendering of a value for messages; long values are cut so one bad key cannot flood the screen. */
function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  // masked before the cut, so a pasted secret split by it is still masked whole
  return maskThenCut(text, 117);
}

/** The candidate closest to `word` within `maxDistance` edits (for "did you mean" hints), if any. */
export function didYouMean(word: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
