import { createHash } from 'node:crypto';

/**
 * Deterministic client order id, ≤ 48 characters (the strictest limit Alpaca has documented):
 * `sc-<8 hex of sha256(model id)>-<run date YYYYMMDD>-<b|s>-<symbol>`. A re-run of the same model on the same day
 * produces the same id for the same order, so the broker itself refuses a duplicate.
 */
export function clientOrderId(modelId: string, runDate: string, side: 'buy' | 'sell', symbol: string): string {
  const hash = createHash('sha256').update(modelId).digest('hex').slice(0, 8);
  const id = `sc-${hash}-${runDate.replaceAll('-', '')}-${side === 'buy' ? 'b' : 's'}-${symbol}`;
  if (id.length > 48) throw new Error(`client order id for ${symbol} would exceed 48 characters`);
  return id;
}
