import type { LedgerRun } from '../store/order-ledger.js';

/** The run's orders as a readable table. */
export function planText(run: LedgerRun): string {
  const lines = [`${run.modelId} on ${run.runDate}: money available ${run.moneyAvailable.toFixed(2)}, run ${run.runStatus}`];
  for (const x of run.orders) {
    const fill = x.filledQty > 0 ? ` ${x.filledQty} @ ${(x.filledAvgPrice ?? 0).toFixed(2)}` : '';
    lines.push(`  ${x.orderType.padEnd(4)} ${x.symbol.padEnd(8)} qty ${x.quantity.toFixed(6).padStart(14)}  ${x.status}${fill}${x.error ? ` (${x.error})` : ''}  [${x.clientOrderId}]`);
  }
  return lines.join('\n');
}
