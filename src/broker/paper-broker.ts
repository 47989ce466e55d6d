import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Account, Broker, BrokerOrder, Clock, OrderRequest, Position } from './broker.js';
import { OrderRejectedError } from './broker.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { acquireFileLock } from '../core/file-lock.js';
import { nyDate } from '../core/ny-time.js';
import { isTradingDay, marketSession, nextTradingDay } from '../core/nyse-calendar.js';

/** Options of the local paper broker. */
export interface PaperBrokerOptions {
  /** JSON file holding cash, positions and orders (written atomically after every change). */
  statePath: string;
  /** The price an order placed on `date` fills at (e.g. that day's open from the feature store), or null. */
  priceOn: (symbol: string, date: string) => Promise<number | null>;
  now?: () => Date;
  startingCash?: number;
}

interface State {
  cash: number;
  positions: Record<string, number>;
  orders: Record<string, BrokerOrder & { price: number | null }>;
}

/**
 * The offline default broker: fills market orders at the next available price (the open of the trading day the
 * order is placed on, or the next one), keeps cash and positions in a local file, follows the NYSE calendar, and
 * treats a repeated client order id as the same order (never a second fill). Several processes (models trading
 * at the same minute) share the file: every read loads it afresh (it is replaced atomically) and every order is
 * read-modified-written under a lock, so no process overwrites another's fill.
 */
export class PaperBroker implements Broker {
  readonly name = 'paper-local';
  readonly mode = 'local paper';

  constructor(private readonly o: PaperBrokerOptions) {}

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private async load(): Promise<State> {
    try {
      const state = JSON.parse(await readFile(this.o.statePath, 'utf8')) as State;
      for (const o of Object.values(state.orders)) {
        o.submittedAt = o.submittedAt ? new Date(o.submittedAt) : null;
        o.filledAt = o.filledAt ? new Date(o.filledAt) : null;
      }
      return state;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`paper broker state ${this.o.statePath} is unreadable`, { cause: err });
      return { cash: this.o.startingCash ?? 100_000, positions: {}, orders: {} };
    }
  }

  /** Loads the state, applies `change` and saves it, holding the state's lock throughout. */
  private async update<T>(change: (s: State) => Promise<{ result: T; changed: boolean }>): Promise<T> {
    const lock = await acquireFileLock(`${this.o.statePath}.lock`, { timeoutMs: 60_000, what: 'the local paper broker' });
    try {
      const state = await this.load();
      const { result, changed } = await change(state);
      if (changed) await writeFileAtomic(this.o.statePath, JSON.stringify(state, null, 1));
      return result;
    } finally {
      await lock.release();
    }
  }

  /** {@inheritDoc Broker.getClock} */
  async getClock(): Promise<Clock> {
    const now = this.now();
    return { timestamp: now, ...marketSession(now) };
  }

  /** {@inheritDoc Broker.getAccount} */
  async getAccount(): Promise<Account> {
    const s = await this.load();
    let equity = s.cash;
    for (const [sym, qty] of Object.entries(s.positions)) equity += qty * ((await this.o.priceOn(sym, nyDate(this.now()))) ?? 0);
    return { cash: s.cash, buyingPower: s.cash, equity };
  }

  /** {@inheritDoc Broker.getPositions} */
  async getPositions(): Promise<Position[]> {
    const s = await this.load();
    const out: Position[] = [];
    for (const [symbol, qty] of Object.entries(s.positions)) {
      if (qty > 1e-9) out.push({ symbol, qty, marketValue: qty * ((await this.o.priceOn(symbol, nyDate(this.now()))) ?? 0) });
    }
    return out;
  }

  /** {@inheritDoc Broker.getOrderByClientId} */
  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    return (await this.load()).orders[clientOrderId] ?? null;
  }

  /** {@inheritDoc Broker.submitOrder} */
  async submitOrder(req: OrderRequest): Promise<BrokerOrder> {
    return this.update(async (s) => {
      const existing = s.orders[req.clientOrderId];
      return existing ? { result: existing, changed: false } : { result: await this.fill(s, req), changed: true };
    });
  }

  /** Fills a new order into the state at the day's price, or throws the rejection. */
  private async fill(s: State, req: OrderRequest): Promise<BrokerOrder> {
    if (!(req.qty > 0) || !Number.isFinite(req.qty)) throw new OrderRejectedError(`qty must be > 0, got ${req.qty}`, 422);
    const now = this.now();
    let day = nyDate(now);
    if (!isTradingDay(day)) day = nextTradingDay(day);
    const price = await this.o.priceOn(req.symbol, day);
    if (price === null) throw new OrderRejectedError(`no price for ${req.symbol} on ${day}`, 422);
    const notional = req.qty * price;
    const held = s.positions[req.symbol] ?? 0;
    if (req.side === 'buy' && notional > s.cash + 1e-6) throw new OrderRejectedError(`insufficient buying power (needs ${notional.toFixed(2)}, has ${s.cash.toFixed(2)})`, 403);
    if (req.side === 'sell' && req.qty > held + 1e-9) throw new OrderRejectedError(`insufficient qty available for order (requested: ${req.qty}, available: ${held})`, 403);
    s.cash += req.side === 'buy' ? -notional : notional;
    s.positions[req.symbol] = held + (req.side === 'buy' ? req.qty : -req.qty);
    if (Math.abs(s.positions[req.symbol]!) < 1e-9) delete s.positions[req.symbol];
    const order = { id: randomUUID(), clientOrderId: req.clientOrderId, symbol: req.symbol, side: req.side, qty: req.qty, filledQty: req.qty, filledAvgPrice: price, status: 'filled' as const, submittedAt: now, filledAt: now, price };
    s.orders[req.clientOrderId] = order;
    return order;
  }
}
