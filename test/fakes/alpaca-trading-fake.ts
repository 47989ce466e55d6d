import { randomUUID } from 'node:crypto';
import { nyParts } from '../../src/core/ny-time.js';
import { marketSession } from '../../src/core/nyse-calendar.js';
import { HttpFake, type SeenRequest } from './http-fake.js';

/** Knobs of the trading fake. */
export interface TradingFakeOptions {
  keys?: { id: string; secret: string };
  /** Overrides the calendar's answer to "is the market open now". */
  isOpen?: boolean;
  /** The clock's current time, RFC-3339 (mutable between runs); open, next open and next close follow the NYSE calendar. */
  now?: string;
  cash?: number;
  prices: Record<string, number>;
  /** Symbols whose orders fill only partially (fraction filled) or are rejected on submit. */
  partial?: Record<string, number>;
  rejectSymbols?: string[];
  /** Hold the answer to each accepted order this long (the order exists at the broker; the client waits). */
  holdOrderAnswersMs?: number;
}

interface FakeOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  status: string;
  submitted_at: string;
  filled_at: string | null;
  created_at: string;
}

/**
 * A fake of Alpaca's Trading API v2 built from contracts/alpaca-trading.md: clock with New-York offsets,
 * account and positions with decimal strings, POST /v2/orders with qty validation, duplicate client_order_id
 * (422 40010001), insufficient buying power (403 40310000), lookup by client order id (404 unknown), market
 * orders filled at configured prices, partial fills and scripted faults.
 */
export async function startTradingFake(opts: TradingFakeOptions): Promise<TradingFake> {
  const keys = opts.keys ?? { id: 'PKTEST', secret: 'trade-secret' };
  const orders: FakeOrder[] = [];
  const positions = new Map<string, number>();
  let cash = opts.cash ?? 100_000;
  const json = (status: number, body: unknown) => ({ status, body, headers: { 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '199' } });
  const handler = (req: SeenRequest) => {
    if (req.headers['apca-api-key-id'] !== keys.id || req.headers['apca-api-secret-key'] !== keys.secret) return json(401, { message: 'unauthorized' });
    if (req.method === 'GET' && req.path === '/v2/clock') {
      const now = opts.now ?? '2024-07-01T10:07:04.451420928-04:00';
      const session = marketSession(new Date(now));
      // the clock answers in New-York time (contracts §2); the given string is kept to keep its nanoseconds
      return json(200, { timestamp: now, is_open: opts.isOpen ?? session.isOpen, next_open: nyIso(session.nextOpen), next_close: nyIso(session.nextClose) });
    }
    if (req.method === 'GET' && req.path === '/v2/account') {
      let equity = cash;
      for (const [s, q] of positions) equity += q * (opts.prices[s] ?? 0);
      return json(200, { id: 'acc', account_number: 'PA1', status: 'ACTIVE', currency: 'USD', cash: String(cash), buying_power: String(cash), equity: String(equity), bod_dtbp: 0 });
    }
    if (req.method === 'GET' && req.path === '/v2/positions') {
      return json(200, [...positions].filter(([, q]) => q > 0).map(([symbol, q]) => ({ symbol, qty: String(q), market_value: String(q * (opts.prices[symbol] ?? 0)), side: 'long', asset_class: 'us_equity' })));
    }
    if (req.method === 'GET' && req.path === '/v2/orders:by_client_order_id') {
      const o = orders.find((x) => x.client_order_id === req.query.get('client_order_id'));
      return o ? json(200, o) : json(404, { code: 40410000, message: 'order not found' });
    }
    if (req.method === 'POST' && req.path === '/v2/orders') {
      const b = JSON.parse(req.body) as { symbol: string; qty?: string; notional?: string; side: 'buy' | 'sell'; type: string; time_in_force: string; client_order_id?: string };
      if ((b.qty === undefined) === (b.notional === undefined)) return json(422, { code: 40010001, message: 'qty or notional is required' });
      const qty = Number(b.qty);
      if (!(qty > 0)) return json(422, { code: 40010001, message: `invalid qty ${b.qty}` });
      if (b.client_order_id && orders.some((o) => o.client_order_id === b.client_order_id)) return json(422, { code: 40010001, message: 'client_order_id must be unique' });
      const price = opts.prices[b.symbol];
      if (price === undefined || opts.rejectSymbols?.includes(b.symbol)) return json(422, { code: 42210000, message: `asset ${b.symbol} is not tradable` });
      const fraction = opts.partial?.[b.symbol] ?? 1;
      const filled = qty * fraction;
      if (b.side === 'buy' && filled * price > cash + 1e-6) return json(403, { buying_power: String(cash), code: 40310000, cost_basis: String(qty * price), message: 'insufficient buying power' });
      if (b.side === 'sell' && qty > (positions.get(b.symbol) ?? 0) + 1e-9) return json(403, { code: 40310000, message: `insufficient qty available for order (requested: ${qty}, available: ${positions.get(b.symbol) ?? 0})` });
      cash += (b.side === 'buy' ? -1 : 1) * filled * price;
      positions.set(b.symbol, (positions.get(b.symbol) ?? 0) + (b.side === 'buy' ? filled : -filled));
      const now = new Date().toISOString();
      const o: FakeOrder = {
        id: randomUUID(),
        client_order_id: b.client_order_id ?? randomUUID(),
        symbol: b.symbol,
        side: b.side,
        qty: String(qty),
        filled_qty: String(filled),
        filled_avg_price: filled > 0 ? String(price) : null,
        status: fraction >= 1 ? 'filled' : 'partially_filled',
        submitted_at: now,
        filled_at: fraction >= 1 ? now : null,
        created_at: now,
      };
      orders.push(o);
      return json(200, o);
    }
    return json(404, { message: 'not found' });
  };
  const delayAnswer = (req: SeenRequest) => (req.method === 'POST' && req.path === '/v2/orders' ? opts.holdOrderAnswersMs ?? 0 : 0);
  const fake = (await new HttpFake(handler, { delayAnswer }).start()) as TradingFake;
  fake.orders = orders;
  fake.positions = positions;
  fake.setNow = (now) => {
    opts.now = now;
  };
  fake.setPartial = (symbol, fraction) => {
    opts.partial = { ...opts.partial, [symbol]: fraction };
  };
  fake.holdOrderAnswers = (ms) => {
    opts.holdOrderAnswersMs = ms;
  };
  fake.fillRest = (clientOrderId) => {
    const o = orders.find((x) => x.client_order_id === clientOrderId)!;
    const rest = Number(o.qty) - Number(o.filled_qty);
    const price = opts.prices[o.symbol]!;
    cash += (o.side === 'buy' ? -1 : 1) * rest * price;
    positions.set(o.symbol, (positions.get(o.symbol) ?? 0) + (o.side === 'buy' ? rest : -rest));
    Object.assign(o, { filled_qty: o.qty, filled_avg_price: String(price), status: 'filled', filled_at: new Date().toISOString() });
  };
  return fake;
}

/** A running trading fake: the HTTP server plus its state and knobs. */
export type TradingFake = HttpFake & {
  orders: FakeOrder[];
  positions: Map<string, number>;
  setNow(now: string): void;
  /** From now on, orders for `symbol` fill only this fraction of their quantity. */
  setPartial(symbol: string, fraction: number): void;
  /** From now on, hold each order's answer this long (0: answer at once). */
  holdOrderAnswers(ms: number): void;
  /** A partially filled order fills the rest now (a late fill, after the run that sent it has finished). */
  fillRest(clientOrderId: string): void;
};

/** An instant as New-York wall time with its offset (`2024-07-02T09:30:00-04:00`), as Alpaca's clock writes it. */
function nyIso(d: Date): string {
  const p = nyParts(d);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, d.getUTCSeconds());
  const offset = Math.round((wall - Math.floor(d.getTime() / 1000) * 1000) / 60000);
  const abs = Math.abs(offset);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return new Date(wall).toISOString().replace('.000Z', `${offset < 0 ? '-' : '+'}${hhmm}`);
}
