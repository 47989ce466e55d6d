import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlpacaBroker } from '../../src/broker/alpaca-broker.js';
import { OrderRejectedError } from '../../src/broker/broker.js';
import { clientOrderId } from '../../src/broker/client-order-id.js';
import { startTradingFake } from '../fakes/alpaca-trading-fake.js';

const keys = { id: 'PKTEST', secret: 'trade-secret-123' };

test('clock, account (decimal strings) and positions parse', async () => {
  const fake = await startTradingFake({ keys, prices: { AAPL: 190 }, cash: 5000 });
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url });
    const clock = await b.getClock();
    assert.equal(clock.isOpen, true);
    assert.equal(clock.timestamp.toISOString(), '2024-07-01T14:07:04.451Z');
    assert.deepEqual(await b.getAccount(), { cash: 5000, buyingPower: 5000, equity: 5000 });
    await b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 2.5, clientOrderId: 'c1' });
    assert.deepEqual(await b.getPositions(), [{ symbol: 'AAPL', qty: 2.5, marketValue: 475 }]);
    assert.equal(JSON.parse(fake.requests.find((r) => r.method === 'POST')!.body).qty, '2.5');
  } finally {
    await fake.close();
  }
});

test('a repeated client order id resolves to the existing order, never a second one', async () => {
  const fake = await startTradingFake({ keys, prices: { AAPL: 190 } });
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url });
    const first = await b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, clientOrderId: 'dup-1' });
    const again = await b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, clientOrderId: 'dup-1' });
    assert.equal(again.id, first.id);
    assert.equal(fake.orders.length, 1);
    assert.equal(await b.getOrderByClientId('unknown'), null);
  } finally {
    await fake.close();
  }
});

test('a 5xx on submit is followed by a lookup, not a blind resubmit; 429 then success', async () => {
  const fake = await startTradingFake({ keys, prices: { AAPL: 190 } });
  try {
    const sleeps: number[] = [];
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
    fake.faults.push({ status: 503 });
    await b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, clientOrderId: 'r-1' });
    assert.equal(fake.orders.length, 1);
    assert.ok(fake.requests.some((r) => r.path === '/v2/orders:by_client_order_id'), 'looked the order up before resubmitting');
    fake.faults.push({ status: 429, retryAfter: '1' });
    await b.getClock();
    assert.equal(sleeps.at(-1), 1000);
  } finally {
    await fake.close();
  }
});

test('403 insufficient buying power and 422 invalid quantity are rejections with the broker reason', async () => {
  const fake = await startTradingFake({ keys, prices: { AAPL: 190 }, cash: 100 });
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url });
    await assert.rejects(b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, clientOrderId: 'x1' }), (e: Error) => e instanceof OrderRejectedError && /insufficient buying power/.test(e.message) && e.status === 403);
    await assert.rejects(b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: -1, clientOrderId: 'x2' }), (e: Error) => e instanceof OrderRejectedError && /invalid qty/.test(e.message) && e.status === 422);
  } finally {
    await fake.close();
  }
});

test('live trading needs explicit confirmation; credentials never appear in errors', async () => {
  assert.throws(() => new AlpacaBroker({ keyId: 'k', secretKey: 's', live: true }), /live trading needs both the --live flag and live_trading: true/);
  assert.equal(new AlpacaBroker({ keyId: 'k', secretKey: 's' }).mode, 'paper');
  const fake = await startTradingFake({ keys, prices: {} });
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: 'wrong-secret-xyz', baseUrl: fake.url });
    const err = await b.getAccount().then(() => assert.fail('expected an error'), (e: Error) => e);
    assert.match(err.message, /HTTP 401/);
    assert.ok(!err.message.includes('wrong-secret-xyz'));
  } finally {
    await fake.close();
  }
});

test('client order ids are deterministic and at most 48 characters', () => {
  const id = clientOrderId('m1-medium-high-with-less-features-and-earnings-calendar-features', '2024-07-01', 'buy', 'GOOGL');
  assert.equal(id, clientOrderId('m1-medium-high-with-less-features-and-earnings-calendar-features', '2024-07-01', 'buy', 'GOOGL'));
  assert.match(id, /^sc-[0-9a-f]{8}-20240701-b-GOOGL$/);
  assert.ok(id.length <= 48);
  assert.notEqual(id, clientOrderId('other-model', '2024-07-01', 'buy', 'GOOGL'));
});
