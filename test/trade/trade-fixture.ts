// Shared by the trade workflow tests: an Alpaca trading fake (over HTTP), a ledger file, pick lists, a broker
// that crashes at its n-th call, and the check that the ledger matches the broker.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaBroker } from '../../src/adapters/alpaca/trading.js';
import type { Broker } from '../../src/broker/broker.js';
import { DuckDbOrderLedger } from '../../src/store/duckdb-order-ledger.js';
import type { OrderLedger } from '../../src/store/order-ledger.js';
import type { BuyPick, TradeOptions } from '../../src/trade/execute-trade.js';
import { startTradingFake, type TradingFake } from '../fakes/alpaca-trading-fake.js';

export const keys = { id: 'PKTEST', secret: 'trade-secret' };
export const PRICES = { AAPL: 200, MSFT: 400, NVDA: 100 };
export const DAY1 = '2024-07-01T10:07:04-04:00';
export const DAY2 = '2024-07-02T10:07:04-04:00';
export const DAY3 = '2024-07-03T10:07:04-04:00';
export const opts = (over: Partial<TradeOptions> = {}): TradeOptions => ({ modelId: 'm1', intervalDays: 1, startingMoney: 25_000, dryRun: false, fillPolls: 2, fillWaitMs: 0, ...over });

/** A trading fake at DAY1, the Alpaca adapter talking to it, and a fresh ledger file. */
export async function setup(over: Parameters<typeof startTradingFake>[0] = { prices: PRICES }) {
  const dir = await mkdtemp(join(tmpdir(), 'sc-trade-'));
  const fake = await startTradingFake({ keys, now: DAY1, ...over });
  const broker = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url });
  const ledger = await DuckDbOrderLedger.open(join(dir, 'ledger.duckdb'));
  return {
    fake,
    broker,
    ledger,
    async close() {
      await ledger.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The strategy's picks, at the fake's prices. */
export const picks = (...symbols: Array<keyof typeof PRICES>) => async (): Promise<BuyPick[]> => symbols.map((s) => ({ symbol: s, price: PRICES[s] }));

/** The broker, crashing at its `crashAt`-th call: before the call reaches the broker, or (`after`) once its answer is lost. */
export function crashingBroker(broker: Broker, crashAt: number, after: boolean): Broker {
  let calls = 0;
  return new Proxy(broker, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        if (++calls !== crashAt) return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (after) await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        throw new Error(`simulated crash ${after ? 'after' : 'before'} the call`);
      };
    },
  });
}

/** Every ledger order matches the broker's order with the same client id, and no client id was sent twice. */
export async function assertLedgerMatchesBroker(ledger: OrderLedger, fake: TradingFake, modelId = 'm1'): Promise<void> {
  const ids = fake.orders.map((o) => o.client_order_id);
  assert.equal(new Set(ids).size, ids.length, 'no duplicate orders at the broker');
  for (const run of await ledger.listRuns(modelId)) {
    for (const o of run.orders) {
      const b = fake.orders.find((x) => x.client_order_id === o.clientOrderId);
      if (o.status === 'rejected' || (o.status === 'canceled' && o.brokerOrderId === null)) {
        assert.equal(b, undefined, `${o.clientOrderId} (${o.status}) never reached the broker`);
        continue;
      }
      assert.ok(b, `${o.clientOrderId} is at the broker`);
      assert.equal(o.filledQty, Number(b.filled_qty));
    }
  }
}
