import { redactSecrets } from '../core/redact.js';

/** Turns any thrown value into one readable line (plus causes), with secrets masked. */
export function formatCliError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  if (process.env.STOCKCAST_DEBUG && err instanceof Error && err.stack) parts.push(err.stack);
  return redactSecrets(`error: ${parts.join('\n  caused by: ')}`);
}
