import type { Account, BrokerOrder, Clock, OrderRequest, OrderStatus, Position } from '../../broker/broker.js';
import { OrderRejectedError } from '../../broker/broker.js';
import { MalformedResponseError } from '../../core/http/http-error.js';
import type { Bar } from '../../core/types.js';
import { RFC3339, type WireAccount, type WireBar, type WireClock, type WireOrder, type WireOrderRequest, type WirePosition } from './schemas.js';

// Alpaca's wire types → stockcast's domain types, and back for requests. Exact at the boundary: a decimal
// that does not parse is an error naming the field, never a silent 0.

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one of Alpaca's decimal strings (or the bare numbers the reference also shows); throws naming `field`. */
export function dec(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new MalformedResponseError(`Alpaca sent ${field} = ${JSON.stringify(value)}: expected a decimal number`, 200);
  return n;
}

/** Parses an RFC-3339 date-time with its offset (never assuming `Z`); throws naming `field`. */
export function time(value: string, field: string): Date {
  const d = RFC3339.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new MalformedResponseError(`Alpaca sent ${field} = ${JSON.stringify(value)}: expected an RFC-3339 date-time`, 200);
  return d;
}

const optionalTime = (value: string | null | undefined, field: string): Date | null => (value ? time(value, field) : null);

/** GET /v2/clock → Clock. */
export function toClock(c: WireClock): Clock {
  return { timestamp: time(c.timestamp, 'clock.timestamp'), isOpen: c.is_open, nextOpen: time(c.next_open, 'clock.next_open'), nextClose: time(c.next_close, 'clock.next_close') };
}

/** GET /v2/account → Account. */
export function toAccount(a: WireAccount): Account {
  return { cash: dec(a.cash, 'account.cash'), buyingPower: dec(a.buying_power, 'account.buying_power'), equity: dec(a.equity, 'account.equity') };
}

/** One position → Position (a short position keeps its negative qty). */
export function toPosition(p: WirePosition): Position {
  const at = `position ${p.symbol}`;
  return { symbol: p.symbol, qty: dec(p.qty, `${at}.qty`), marketValue: p.market_value === null ? 0 : dec(p.market_value, `${at}.market_value`) };
}

const STATUSES = new Set<OrderStatus>(['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected']);

/** The Order object → BrokerOrder; statuses stockcast does not act on become `other`. */
export function toOrder(o: WireOrder): BrokerOrder {
  const at = `order ${o.client_order_id}`;
  return {
    id: o.id,
    clientOrderId: o.client_order_id,
    symbol: o.symbol,
    side: o.side,
    // a notional order has qty null until it fills
    qty: o.qty === null ? dec(o.filled_qty, `${at}.filled_qty`) : dec(o.qty, `${at}.qty`),
    filledQty: dec(o.filled_qty, `${at}.filled_qty`),
    filledAvgPrice: o.filled_avg_price === null ? null : dec(o.filled_avg_price, `${at}.filled_avg_price`),
    status: STATUSES.has(o.status as OrderStatus) ? (o.status as OrderStatus) : 'other',
    submittedAt: optionalTime(o.submitted_at, `${at}.submitted_at`),
    filledAt: optionalTime(o.filled_at, `${at}.filled_at`),
  };
}

/** A quantity as a decimal string with at most 9 decimals (the API's limit), without trailing zeros. */
export function formatQty(qty: number): string {
  return qty.toFixed(9).replace(/\.?0+$/, '');
}

/** OrderRequest → POST /v2/orders body: market, day (the fractional subset every source accepts). */
export function toOrderRequest(req: OrderRequest): WireOrderRequest {
  // NaN or Infinity would go out as "NaN": refuse here, as the broker would
  if (!Number.isFinite(req.qty)) throw new OrderRejectedError(`qty must be a finite number, got ${req.qty}`, 422);
  return { symbol: req.symbol, qty: formatQty(req.qty), side: req.side, type: 'market', time_in_force: 'day', client_order_id: req.clientOrderId };
}

/** One wire bar → Bar under the caller's spelling of the symbol. */
export function toBar(symbol: string, b: WireBar, field: string): Bar {
  const bar: Bar = { symbol, timestamp: time(b.t, `${field}.t`), open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v };
  if (b.n !== undefined) bar.tradeCount = b.n;
  if (b.vw !== undefined) bar.vwap = b.vw;
  return bar;
}

/** RFC-3339 in UTC, whole seconds when there are no milliseconds (`2024-01-02T05:00:00Z`). */
export function rfc3339(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
