import type { Account, Broker, BrokerOrder, Clock, OrderRequest, Position } from '../../broker/broker.js';
import { OrderRejectedError } from '../../broker/broker.js';
import { withRetries } from '../../core/http/retry.js';
import { ALPACA_LIVE_URL, ALPACA_PAPER_URL, type AlpacaBrokerOptions } from './config.js';
import { alpacaErrorBody, isDuplicateClientOrderId, isOrderRefusal } from './errors.js';
import { AlpacaHttpClient } from './http-client.js';
import { toAccount, toClock, toOrder, toOrderRequest, toPosition } from './parsing.js';

/**
 * Alpaca Trading API v2 as a Broker: the paper endpoint by default. Orders are idempotent by client order id: a
 * timeout or 5xx on submit is followed by a lookup before any resubmission, and a duplicate-id refusal resolves to
 * the order that already exists.
 */
export class AlpacaBroker implements Broker {
  readonly name = 'alpaca';
  readonly mode: string;
  private readonly client: AlpacaHttpClient;

  constructor(private readonly o: AlpacaBrokerOptions) {
    if (o.live && !o.liveConfirmed) {
      throw new Error('live trading needs both the --live flag and live_trading: true in the model config; refusing to start');
    }
    this.mode = o.live ? 'live' : 'paper';
    this.client = new AlpacaHttpClient({ ...o, baseUrl: o.baseUrl ?? (o.live ? ALPACA_LIVE_URL : ALPACA_PAPER_URL), api: 'trading' });
  }

  /** {@inheritDoc Broker.getClock} */
  async getClock(): Promise<Clock> {
    return toClock(await this.client.getClock());
  }

  /** {@inheritDoc Broker.getAccount} */
  async getAccount(): Promise<Account> {
    return toAccount(await this.client.getAccount());
  }

  /** {@inheritDoc Broker.getPositions} */
  async getPositions(): Promise<Position[]> {
    return (await this.client.getPositions()).map(toPosition);
  }

  /** {@inheritDoc Broker.getOrderByClientId} */
  async getOrderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const o = await this.client.getOrderByClientOrderId(clientOrderId);
    return o === null ? null : toOrder(o);
  }

  /** {@inheritDoc Broker.submitOrder} */
  async submitOrder(req: OrderRequest): Promise<BrokerOrder> {
    const body = toOrderRequest(req);
    return withRetries(async (attempt) => {
      if (attempt > 1) {
        // the previous attempt may have reached the broker: never submit twice
        const existing = await this.getOrderByClientId(req.clientOrderId);
        if (existing) return existing;
      }
      try {
        return toOrder(await this.client.postOrder(body));
      } catch (err) {
        if (isDuplicateClientOrderId(err)) {
          const existing = await this.getOrderByClientId(req.clientOrderId);
          if (existing) return existing;
        }
        if (isOrderRefusal(err)) throw new OrderRejectedError(alpacaErrorBody(err).message || `HTTP ${err.status}`, err.status!);
        throw err;
      }
    }, this.o);
  }
}
