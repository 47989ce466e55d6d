import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Broker, BrokerOrder } from '../../src/broker/broker.js';
import { OrderRejectedError } from '../../src/broker/broker.js';

/** The account a factory starts: its clock, its cash, and the price every market order fills at. */
export interface BrokerSetup {
  now: Date;
  cash: number;
  prices: Record<string, number>;
}

/** A broker under test and how to dispose of it. */
export interface BrokerFixture {
  broker: Broker;
  /** From now on, orders for `symbol` fill only `fraction` of their quantity; absent when the adapter cannot. */
  fillPartly?(symbol: string, fraction: number): void;
  close(): Promise<void>;
}

/**
 * The contract every Broker adapter satisfies (run by test/broker/broker.test.ts against the Alpaca adapter over
 * HTTP to the trading fake, and against the local paper broker). Known differences, by design:
 * - Partial fills: only Alpaca has them. The local paper broker fills a whole order at the day's open (a
 *   simulation without an order book), so for it the suite checks that every accepted order fills completely.
 * - Fill timing: real Alpaca answers a market order `new`/`accepted` and fills it later (the trade workflow
 *   polls by client order id); the fake and the paper broker fill at submission. The suite reads state after a
 *   lookup, which holds for all three.
 * - Buying power: the fake and the paper broker model a cash account (buying power = cash); a margin account at
 *   Alpaca reports a multiple of it. The suite uses a cash account.
 * - Orders while the market is closed: Alpaca accepts them and fills at the next open, the paper broker fills
 *   at the next trading day's open, the fake at once. The workflow never submits while closed, so the suite
 *   does not cover it.
 * - Rejection texts differ in detail ("asset X is not tradable" vs "no price for X"); the suite checks the
 *   HTTP status and the phrase Alpaca documents (insufficient buying power, insufficient qty available).
 */
export function runBrokerContract(name: string, factory: (setup: BrokerSetup) => Promise<BrokerFixture>): void {
  // Monday 2024-07-01, 10:07 in New York: a regular session
  const MORNING = new Date('2024-07-01T14:07:04Z');
  const PRICES = { AAPL: 190, MSFT: 400 };
  const withBroker = async (fn: (f: BrokerFixture) => Promise<void>, setup: Partial<BrokerSetup> = {}) => {
    const f = await factory({ now: MORNING, cash: 10_000, prices: PRICES, ...setup });
    try {
      await fn(f);
    } finally {
      await f.close();
    }
  };
  const order = (clientOrderId: string, symbol: string, side: 'buy' | 'sell', qty: number) => ({ clientOrderId, symbol, side, qty });
  const rejected = (status: number, reason?: RegExp) => (e: unknown) => {
    assert.ok(e instanceof OrderRejectedError, `expected OrderRejectedError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.equal(e.status, status, e.message);
    if (reason) assert.match(e.reason, reason);
    return true;
  };

  const CLOCKS: Array<[what: string, now: string, isOpen: boolean, nextOpen: string, nextClose: string]> = [
    ['a regular morning', '2024-07-01T14:07:04Z', true, '2024-07-02T13:30:00.000Z', '2024-07-01T20:00:00.000Z'],
    ['an early-close day (13:00)', '2024-07-03T16:00:00Z', true, '2024-07-05T13:30:00.000Z', '2024-07-03T17:00:00.000Z'],
    ['a holiday (July 4)', '2024-07-04T16:00:00Z', false, '2024-07-05T13:30:00.000Z', '2024-07-05T20:00:00.000Z'],
    ['after the close', '2024-07-01T20:30:00Z', false, '2024-07-02T13:30:00.000Z', '2024-07-02T20:00:00.000Z'],
    ['before the open', '2024-07-01T13:00:00Z', false, '2024-07-01T13:30:00.000Z', '2024-07-01T20:00:00.000Z'],
    ['a winter weekend', '2024-12-28T17:00:00Z', false, '2024-12-30T14:30:00.000Z', '2024-12-30T21:00:00.000Z'],
  ];
  for (const [what, now, isOpen, nextOpen, nextClose] of CLOCKS) {
    test(`${name}: clock on ${what}`, () =>
      withBroker(
        async ({ broker }) => {
          const c = await broker.getClock();
          assert.deepEqual(
            { timestamp: c.timestamp.toISOString(), isOpen: c.isOpen, nextOpen: c.nextOpen.toISOString(), nextClose: c.nextClose.toISOString() },
            { timestamp: new Date(now).toISOString(), isOpen, nextOpen, nextClose },
          );
        },
        { now: new Date(now) },
      ));
  }

  test(`${name}: a fresh cash account: cash, buying power and equity equal, no positions`, () =>
    withBroker(async ({ broker }) => {
      assert.deepEqual(await broker.getAccount(), { cash: 10_000, buyingPower: 10_000, equity: 10_000 });
      assert.deepEqual(await broker.getPositions(), []);
    }));

  test(`${name}: a market buy fills at the price; positions and account follow; selling it all leaves no position`, () =>
    withBroker(async ({ broker }) => {
      const o = await broker.submitOrder(order('c-buy-1', 'AAPL', 'buy', 2.5));
      assert.equal(typeof o.id, 'string');
      assert.ok(o.id.length > 0);
      assert.ok(o.submittedAt instanceof Date);
      assert.deepEqual(pick(o), { clientOrderId: 'c-buy-1', symbol: 'AAPL', side: 'buy', qty: 2.5, filledQty: 2.5, filledAvgPrice: 190, status: 'filled' });
      assert.deepEqual(await broker.getPositions(), [{ symbol: 'AAPL', qty: 2.5, marketValue: 475 }]);
      assert.deepEqual(await broker.getAccount(), { cash: 9525, buyingPower: 9525, equity: 10_000 });
      const sold = await broker.submitOrder(order('c-sell-1', 'AAPL', 'sell', 2.5));
      assert.deepEqual(pick(sold), { clientOrderId: 'c-sell-1', symbol: 'AAPL', side: 'sell', qty: 2.5, filledQty: 2.5, filledAvgPrice: 190, status: 'filled' });
      assert.deepEqual(await broker.getPositions(), []);
      assert.equal((await broker.getAccount()).cash, 10_000);
    }));

  test(`${name}: resubmitting a client order id returns the existing order and never fills twice`, () =>
    withBroker(async ({ broker }) => {
      const first = await broker.submitOrder(order('c-dup', 'AAPL', 'buy', 2));
      const again = await broker.submitOrder(order('c-dup', 'AAPL', 'buy', 2));
      const different = await broker.submitOrder(order('c-dup', 'AAPL', 'buy', 5));
      assert.equal(again.id, first.id);
      assert.equal(different.id, first.id);
      assert.equal(different.qty, 2, 'the order that exists, not the new request');
      assert.deepEqual(await broker.getPositions(), [{ symbol: 'AAPL', qty: 2, marketValue: 380 }]);
      assert.equal((await broker.getAccount()).cash, 10_000 - 380);
    }));

  test(`${name}: lookup by client order id finds the order, and an unknown id is null`, () =>
    withBroker(async ({ broker }) => {
      const sent = await broker.submitOrder(order('c-look', 'MSFT', 'buy', 1));
      const found = await broker.getOrderByClientId('c-look');
      assert.ok(found);
      assert.deepEqual({ id: found.id, ...pick(found) }, { id: sent.id, ...pick(sent) });
      assert.equal(await broker.getOrderByClientId('never-sent'), null);
    }));

  test(`${name}: insufficient buying power is a 403 rejection that records nothing`, () =>
    withBroker(async ({ broker }) => {
      await assert.rejects(broker.submitOrder(order('c-big', 'MSFT', 'buy', 30)), rejected(403, /insufficient buying power/));
      assert.equal(await broker.getOrderByClientId('c-big'), null);
      assert.deepEqual(await broker.getAccount(), { cash: 10_000, buyingPower: 10_000, equity: 10_000 });
    }));

  test(`${name}: selling more than held is a 403 rejection (insufficient qty available)`, () =>
    withBroker(async ({ broker }) => {
      await broker.submitOrder(order('c-own', 'AAPL', 'buy', 1));
      await assert.rejects(broker.submitOrder(order('c-oversell', 'AAPL', 'sell', 3)), rejected(403, /insufficient qty available/));
      assert.deepEqual(await broker.getPositions(), [{ symbol: 'AAPL', qty: 1, marketValue: 190 }]);
    }));

  for (const qty of [0, -1]) {
    test(`${name}: quantity ${qty} is a 422 rejection`, () =>
      withBroker(async ({ broker }) => {
        await assert.rejects(broker.submitOrder(order(`c-qty${qty}`, 'AAPL', 'buy', qty)), rejected(422));
        assert.equal(await broker.getOrderByClientId(`c-qty${qty}`), null);
      }));
  }

  test(`${name}: a symbol the broker cannot trade is a 422 rejection`, () =>
    withBroker(async ({ broker }) => {
      await assert.rejects(broker.submitOrder(order('c-unknown', 'NOPE', 'buy', 1)), rejected(422));
    }));

  test(`${name}: partial fills are reported with the filled quantity and average price (or, where unsupported, every order fills whole)`, () =>
    withBroker(async (f) => {
      if (!f.fillPartly) {
        const o = await f.broker.submitOrder(order('c-whole', 'MSFT', 'buy', 4));
        assert.deepEqual([o.status, o.filledQty], ['filled', 4]);
        return;
      }
      f.fillPartly('MSFT', 0.5);
      const o = await f.broker.submitOrder(order('c-part', 'MSFT', 'buy', 4));
      assert.deepEqual(pick(o), { clientOrderId: 'c-part', symbol: 'MSFT', side: 'buy', qty: 4, filledQty: 2, filledAvgPrice: 400, status: 'partially_filled' });
      assert.deepEqual(pick((await f.broker.getOrderByClientId('c-part'))!), pick(o));
      assert.deepEqual(await f.broker.getPositions(), [{ symbol: 'MSFT', qty: 2, marketValue: 800 }]);
      assert.equal((await f.broker.getAccount()).cash, 10_000 - 800);
    }));
}

/** The fields every adapter must agree on (ids and times are the adapter's own). */
function pick(o: BrokerOrder) {
  return { clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, qty: o.qty, filledQty: o.filledQty, filledAvgPrice: o.filledAvgPrice, status: o.status };
}
