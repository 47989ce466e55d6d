import type { Broker, BrokerOrder } from '../broker/broker.js';
import { isTerminal, OrderRejectedError } from '../broker/broker.js';
import type { LedgerOrder, LedgerRun } from '../store/order-ledger.js';

/** What sending one order needs from its run: the broker, the run record and how to save it. */
export interface SendContext {
  broker: Broker;
  run: LedgerRun;
  save: (r: LedgerRun) => Promise<void>;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
  /** Polling for fills: attempts and wait between them. */
  fillPolls?: number;
  fillWaitMs?: number;
}

/** Sends one order unless the broker already has it (by client order id), then polls until it settles. */
export async function sendAndTrack(order: LedgerOrder, ctx: SendContext): Promise<void> {
  const { broker, run, save, sleep, log } = ctx;
  if (order.status === 'filled' || order.status === 'rejected' || order.status === 'canceled') return;
  let b: BrokerOrder | null = await broker.getOrderByClientId(order.clientOrderId);
  if (!b) {
    try {
      b = await broker.submitOrder({ symbol: order.symbol, side: order.orderType, qty: order.quantity, clientOrderId: order.clientOrderId });
    } catch (err) {
      if (!(err instanceof OrderRejectedError)) throw err;
      order.status = 'rejected';
      order.error = err.reason;
      log(`${order.orderType} ${order.symbol} rejected: ${err.reason}`);
      await save(run);
      return;
    }
  }
  order.brokerOrderId = b.id;
  order.status = 'submitted';
  await save(run);
  for (let i = 0; i < (ctx.fillPolls ?? 30) && !isTerminal(b.status); i++) {
    await sleep(ctx.fillWaitMs ?? 2000);
    b = (await broker.getOrderByClientId(order.clientOrderId)) ?? b;
  }
  if (applyBrokerState(order, b) !== 'filled') log(`${order.orderType} ${order.symbol}: ${order.status} (${b.filledQty} of ${order.quantity})`);
  await save(run);
}

/** Copies the broker's view of an order into the ledger order (fills, id, status); returns the new status. */
export function applyBrokerState(order: LedgerOrder, b: BrokerOrder): LedgerOrder['status'] {
  order.brokerOrderId = b.id;
  order.filledQty = b.filledQty;
  order.filledAvgPrice = b.filledAvgPrice;
  return (order.status = ledgerStatus(b));
}

/**
 * The ledger status of a broker order: final once the broker is done with it (a day order canceled or expired
 * after a partial fill is `canceled` with its `filledQty`), `partially_filled` or `submitted` while it may still fill.
 */
export function ledgerStatus(b: BrokerOrder): LedgerOrder['status'] {
  if (b.status === 'filled') return 'filled';
  if (isTerminal(b.status)) return b.status === 'rejected' && b.filledQty === 0 ? 'rejected' : 'canceled';
  return b.filledQty > 0 ? 'partially_filled' : 'submitted';
}
