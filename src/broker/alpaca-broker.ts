import type { Account, Broker, BrokerOrder, Clock, OrderRequest, OrderStatus, Position } from './broker.js';
import { OrderRejectedError } from './broker.js';
import { HttpClientError } from '../core/http/http-error.js';
import { requestJson } from '../core/http/http-json.js';
import { withRetries, type RetryOptions } from '../core/http/retry.js';

export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_URL = 'https://api.alpaca.markets';

/** Options of the Alpaca Trading API v2 adapter. */
export interface AlpacaBrokerOptions extends RetryOptions {
  keyId: string;
  secretKey: string;
  /** Trade live: needs `liveConfirmed` too (the --live flag and the config's live_trading, both). */
  live?: boolean;
  liveConfirmed?: boolean;
  baseUrl?: string;
  fetch?: typeof fetch;
}

interface WireOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: string | null;
  filled_qty: string | null;
  filled_avg_price: string | null;
  status: string;
  submitted_at: string | null;
  filled_at: string | null;
}

const STATUSES = new Set(['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'expired', 'rejected']);

/** Alpaca's money and quantities are decimal strings; the reference also shows bare numbers. */
function dec(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
}

function toOrder(o: WireOrder): BrokerOrder {
  return {
    id: o.id,
    clientOrderId: o.client_order_id,
    symbol: o.symbol,
    side: o.side,
    qty: dec(o.qty),
    filledQty: dec(o.filled_qty),
    filledAvgPrice: o.filled_avg_price === null ? null : dec(o.filled_avg_price),
    status: (STATUSES.has(o.status) ? o.status : 'other') as OrderStatus,
    submittedAt: o.submitted_at ? new Date(o.submitted_at) : null,
    filledAt: o.filled_at ? new Date(o.filled_at) : null,
  };
}

/**
 * Alpaca Trading API v2: the paper endpoint by default. Orders are idempotent by client order id: a timeout or
 * 5xx on submit is followed by a lookup before any resubmission, and a duplicate-id refusal resolves to the
 * order that already exists.
 */
export class AlpacaBroker implements Broker {
  readonly name = 'alpaca';
  readonly mode: string;
  private readonly baseUrl: string;

  constructor(private readonly o: AlpacaBrokerOptions) {
    if (o.live && !o.liveConfirmed) {
      throw new Error('live trading needs both the --live flag and live_trading: true in the model config; refusing to start');
    }
    this.mode = o.live ? 'live' : 'paper';
    this.baseUrl = (o.baseUrl ?? (o.live ? ALPACA_LIVE_URL : ALPACA_PAPER_URL)).replace(/\/+$/, '');
  }

  private headers() {
    return { 'APCA-API-KEY-ID': this.o.keyId, 'APCA-API-SECRET-KEY': this.o.secretKey };
  }

  private async get<T>(path: string): Promise<T> {
    return withRetries(async () => (await requestJson<T>(`${this.baseUrl}${path}`, { headers: this.headers(), fetch: this.o.fetch })).body, this.o);
  }

  /** {@inheritDoc Broker.getClock} */
  async getClock(): Promise<Clock> {
    const c = await this.get<{ timestamp: string; is_open: boolean; next_open: string; next_close: string }>('/v2/clock');
    return { timestamp: new Date(c.timestamp), isOpen: c.is_open, nextOpen: new Date(c.next_open), nextClose: new Date(c.next_close) };
  }

  /** {@inheritDoc Broker.getAccount} */
  async getAccount(): Promise<Account> {
    const a = await this.get<Record<string, unknown>>('/v2/account');
    return { cash: dec(a.cash), buyingPower: dec(a.buying_power), equity: dec(a.equity) };
  }

  /** {@inheritDoc Broker.getPositions} */
  async getPositions(): Promise<Position[]> {
    const ps = await this.get<Array<Record<string, unknown>>>('/v2/positions');
    return ps.map((p) => ({ symbol: String(p.symbol), qty: dec(p.qty), marketValue: dec(p.market_value) }));
  }

  /** {@inheritDoc Broker.getOrderByClientId} */
  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    try {
      return toOrder(await this.get<WireOrder>(`/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`));
    } catch (err) {
      if (err instanceof HttpClientError && err.status === 404) return null;
      throw err;
    }
  }

  /** {@inheritDoc Broker.submitOrder} */
  async submitOrder(req: OrderRequest): Promise<BrokerOrder> {
    const body = {
      symbol: req.symbol,
      qty: req.qty.toFixed(9).replace(/\.?0+$/, ''),
      side: req.side,
      type: 'market',
      time_in_force: 'day',
      client_order_id: req.clientOrderId,
    };
    return withRetries(async (attempt) => {
      if (attempt > 1) {
        // the previous attempt may have reached the broker: never submit twice
        const existing = await this.getOrderByClientId(req.clientOrderId);
        if (existing) return existing;
      }
      try {
        return toOrder((await requestJson<WireOrder>(`${this.baseUrl}/v2/orders`, { method: 'POST', body, headers: this.headers(), fetch: this.o.fetch })).body);
      } catch (err) {
        if (err instanceof HttpClientError && (err.status === 422 || err.status === 403)) {
          const info = parseError(err.body);
          if (err.status === 422 && /client_order_id must be unique/i.test(info.message)) {
            const existing = await this.getOrderByClientId(req.clientOrderId);
            if (existing) return existing;
          }
          throw new OrderRejectedError(info.message || `HTTP ${err.status}`, err.status);
        }
        throw err;
      }
    }, this.o);
  }
}

function parseError(body: string | undefined): { code?: number; message: string } {
  try {
    const j = JSON.parse(body ?? '') as { code?: number; message?: string };
    return { code: j.code, message: j.message ?? '' };
  } catch {
    return { message: (body ?? '').slice(0, 200) };
  }
}
