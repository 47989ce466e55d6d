import type { LedgerOrder, LedgerRun } from '../store/order-ledger.js';
import { replayRuns } from './trade-report.js';

/**
 * A model's money and holdings, replayed from every run in the ledger (not only the last): filled sells bring
 * their proceeds, filled buys cost theirs, so an order an earlier run left unsettled and a later run reconciled
 * counts exactly once, whichever run it belongs to.
 */

/** What a model holds after these runs: every filled buy not yet matched by a filled sell. */
export function heldPositions(runs: LedgerRun[]): Array<{ symbol: string; qty: number }> {
  return replayRuns(runs).positions.map((p) => ({ symbol: p.symbol, qty: Math.round(p.quantity * 1e9) / 1e9 })).filter((p) => p.qty > 0);
}

/** The model's money after these runs: what its first run started with, plus every sell's proceeds, minus every buy's cost. */
export function modelCash(runs: LedgerRun[], startingMoney: number): number {
  if (runs.length === 0) return startingMoney;
  const first = [...runs].sort((a, b) => a.orderTimestamp.localeCompare(b.orderTimestamp))[0]!;
  return runs.reduce((cash, r) => cash + proceeds(r.orders, 'sell') - proceeds(r.orders, 'buy'), carriedIn(first));
}

/** Money a run brought in before its sells (derived for records written before `moneyCarried` existed). */
export function carriedIn(run: LedgerRun): number {
  if (run.moneyCarried !== undefined) return run.moneyCarried;
  // older records added the sells' proceeds when leaving `selling`, from the fills recorded then
  return run.runStatus === 'selling' ? run.moneyAvailable : run.moneyAvailable - proceeds(run.orders, 'sell');
}

/** Recomputes a run's money from its orders as they stand: carried in + sells' proceeds, and the buys' cost. */
export function settleMoney(run: LedgerRun): void {
  const carried = carriedIn(run);
  run.moneyCarried = carried;
  if (run.runStatus !== 'selling') run.moneyAvailable = carried + proceeds(run.orders, 'sell');
  run.totalMoneyInvested = proceeds(run.orders, 'buy');
}

/** Filled quantity × average price over the orders of one side. */
export function proceeds(orders: LedgerOrder[], side: 'buy' | 'sell'): number {
  return orders.filter((x) => x.orderType === side).reduce((a, x) => a + x.filledQty * (x.filledAvgPrice ?? 0), 0);
}
