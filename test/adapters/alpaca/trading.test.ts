import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlpacaBroker } from '../../../src/adapters/alpaca/trading.js';
import { AlpacaNotAuthorizedError } from '../../../src/adapters/alpaca/errors.js';
import { MalformedResponseError } from '../../../src/core/http/http-error.js';
import { startTradingFake } from '../../fakes/alpaca-trading-fake.js';
import { HttpFake } from '../../fakes/http-fake.js';

// What every broker does is in test/broker/broker-contract.ts; these are the Alpaca adapter's own duties:
// the wire request, retries that never double an order, live-trading guard, credentials and exact decimals.

const keys = { id: 'PKTEST', secret: 'trade-secret-123' };

test('an order goes out as a market day order with a decimal-string qty, our client order id and both auth headers', async () => {
  const fake = await startTradingFake({ keys, prices: { AAPL: 190 } });
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url });
    await b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 2.5, clientOrderId: 'c1' });
    const post = fake.requests.find((r) => r.method === 'POST')!;
    assert.equal(post.path, '/v2/orders');
    assert.deepEqual(JSON.parse(post.body), { symbol: 'AAPL', qty: '2.5', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'c1' });
    assert.equal(post.headers['apca-api-key-id'], keys.id);
    assert.equal(post.headers['apca-api-secret-key'], keys.secret);
    assert.equal(post.headers['content-type'], 'application/json');
  } finally {
    await fake.close();
  }
});

test('a 5xx on submit is followed by a lookup, not a blind resubmit; 429 then success waits as asked', async () => {
  const fake = await startTradingFake({ keys, prices: { AAPL: 190 } });
  try {
    const sleeps: number[] = [];
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
    fake.faults.push({ status: 503 });
    await b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, clientOrderId: 'r-1' });
    assert.equal(fake.orders.length, 1);
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), ['POST /v2/orders', 'GET /v2/orders:by_client_order_id', 'POST /v2/orders']);
    fake.faults.push({ status: 429, retryAfter: '1' });
    await b.getClock();
    assert.equal(sleeps.at(-1), 1000);
  } finally {
    await fake.close();
  }
});

test('an order that reached the broker before its answer was lost is found by the lookup and not sent again', async () => {
  const fake = await startTradingFake({ keys, prices: { AAPL: 190 } });
  try {
    let lost = 0;
    // the transport seam delivers the first POST, then loses the answer as a dropped connection would
    const losingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'POST' && lost++ === 0) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      return res;
    };
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url, fetch: losingFetch, sleep: async () => {} });
    const o = await b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, clientOrderId: 'd-1' });
    assert.equal(fake.orders.length, 1);
    assert.equal(o.id, fake.orders[0]!.id);
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path}`), ['POST /v2/orders', 'GET /v2/orders:by_client_order_id']);
  } finally {
    await fake.close();
  }
});

test('live trading needs explicit confirmation; paper is the default endpoint', () => {
  assert.throws(() => new AlpacaBroker({ keyId: 'k', secretKey: 's', live: true }), /live trading needs both the --live flag and live_trading: true/);
  assert.equal(new AlpacaBroker({ keyId: 'k', secretKey: 's' }).mode, 'paper');
  assert.equal(new AlpacaBroker({ keyId: 'k', secretKey: 's', live: true, liveConfirmed: true }).mode, 'live');
});

test('refused keys: one error naming ALPACA_KEY/ALPACA_SECRET, not retried, never the secret', async () => {
  const fake = await startTradingFake({ keys, prices: {} });
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: 'wrong-secret-xyz', baseUrl: fake.url, sleep: async () => {} });
    const err = await b.getAccount().then(() => assert.fail('expected an error'), (e: Error) => e);
    assert.ok(err instanceof AlpacaNotAuthorizedError);
    assert.match(err.message, /^Alpaca trading: not authorized \(HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/v2\/account\): check ALPACA_KEY and ALPACA_SECRET/);
    for (const text of [err.message, String(err.stack), (err.cause as Error).message]) assert.ok(!text.includes('wrong-secret-xyz'));
    assert.equal(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

test('an answer with an unparseable decimal is an error naming the field, not a zero', async () => {
  const order = { id: 'o1', client_order_id: 'c1', symbol: 'AAPL', side: 'buy', qty: '1', filled_qty: '1', filled_avg_price: 'n/a', status: 'filled', submitted_at: null, filled_at: null };
  const fake = await new HttpFake((req) =>
    req.path === '/v2/account' ? { status: 200, body: { cash: '', buying_power: '100', equity: '100' } } : { status: 200, body: order },
  ).start();
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url });
    await assert.rejects(b.getAccount(), (e: Error) => e instanceof MalformedResponseError && /account\.cash = "": expected a decimal number/.test(e.message));
    await assert.rejects(b.getOrderByClientId('c1'), /order c1\.filled_avg_price = "n\/a"/);
  } finally {
    await fake.close();
  }
});

test('an order answer missing a documented field is a malformed answer naming the endpoint and the field', async () => {
  const fake = await new HttpFake(() => ({ status: 200, body: { id: 'o1', client_order_id: 'c1', symbol: 'AAPL', side: 'buy', qty: '1', filled_avg_price: null, status: 'new' } })).start();
  try {
    const b = new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url });
    await assert.rejects(b.submitOrder({ symbol: 'AAPL', side: 'buy', qty: 1, clientOrderId: 'c1' }), /unexpected answer from http:\/\/127\.0\.0\.1:\d+\/v2\/orders: filled_qty is missing/);
  } finally {
    await fake.close();
  }
});
