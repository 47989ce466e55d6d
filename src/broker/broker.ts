/** The broker port: what the trade workflow needs from Alpaca or the local paper broker. */

/** Market clock. */
export interface Clock {
  timestamp: Date;
  isOpen: boolean;
  nextOpen: Date;
  nextClose: Date;
}

/** Account money, parsed from the broker's decimal strings. */
export interface Account {
  cash: number;
  buyingPower: number;
  equity: number;
}

/** A held position. */
export interface Position {
  symbol: string;
  qty: number;
  marketValue: number;
}

/** Order lifecycle states we act on (the broker may report more; unknown ones map to `other`). */
export type OrderStatus = 'new' | 'accepted' | 'partially_filled' | 'filled' | 'canceled' | 'expired' | 'rejected' | 'other';

/** An order as the broker reports it. */
export interface BrokerOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  filledQty: number;
  filledAvgPrice: number | null;
  status: OrderStatus;
  submittedAt: Date | null;
  filledAt: Date | null;
}

/** A market day order for a fractional quantity, identified by our deterministic client order id. */
export interface OrderRequest {
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  clientOrderId: string;
}

/** The order was refused (insufficient buying power, invalid quantity, …); `reason` is the broker's message. */
export class OrderRejectedError extends Error {
  constructor(readonly reason: string, readonly status: number) {
    super(`order rejected (HTTP ${status}): ${reason}`);
    this.name = 'OrderRejectedError';
  }
}

/** Port for brokers. Submitting twice with one client order id must never create two orders. */
export interface Broker {
  readonly name: string;
  /** Where orders go, for messages (`paper`, `live`, `local paper`). */
  readonly mode: string;
  getClock(): Promise<Clock>;
  getAccount(): Promise<Account>;
  getPositions(): Promise<Position[]>;
  submitOrder(req: OrderRequest): Promise<BrokerOrder>;
  getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null>;
}

/** Terminal states: nothing more will happen to the order. */
export function isTerminal(status: OrderStatus): boolean {
  return status === 'filled' || status === 'canceled' || status === 'expired' || status === 'rejected';
}

/** How the ledger names the broker a run traded on, e.g. `alpaca (paper)`, `paper-local (local paper)`. */
export function brokerLabel(broker: Pick<Broker, 'name' | 'mode'>): string {
  return `${broker.name} (${broker.mode})`;
}
