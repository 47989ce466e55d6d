import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlpacaMarketDataSource } from '../../src/sources/alpaca-market-data.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { dailyBars, startAlpacaMarketDataFake } from '../fakes/alpaca-market-data-fake.js';
import type { HttpFake } from '../fakes/http-fake.js';

const REQUEST = {
  symbols: ['AAPL', 'MSFT', 'NODATA'],
  start: new Date('2024-01-01T00:00:00Z'),
  end: new Date('2024-12-31T00:00:00Z'),
  timeFrame: parseTimeFrame('1Day'),
};

async function withFake(fn: (fake: HttpFake, sleeps: number[]) => Promise<void>): Promise<void> {
  const fake = await startAlpacaMarketDataFake({ AAPL: dailyBars('2024-01-02', 7, 100), MSFT: dailyBars('2024-01-02', 5, 300) });
  try {
    await fn(fake, []);
  } finally {
    await fake.close();
  }
}

const source = (fake: HttpFake, sleeps: number[], over: Record<string, unknown> = {}) =>
  new AlpacaMarketDataSource({
    keyId: 'key-id',
    secretKey: 'secret-key',
    baseUrl: fake.url,
    limit: 3,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...over,
  });

test('pages through next_page_token, merging a symbol split across pages', async () => {
  await withFake(async (fake, sleeps) => {
    const result = await source(fake, sleeps).fetchBars(REQUEST);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.bars.get('AAPL')!.map((b) => b.open), [100, 101, 102, 103, 104, 105, 106]);
    assert.deepEqual(result.bars.get('MSFT')!.map((b) => b.open), [300, 301, 302, 303, 304]);
    assert.deepEqual(result.bars.get('NODATA'), [], 'a symbol with no data is present and empty');
    assert.equal(fake.requests.length, 4, '12 points at limit 3 → 4 pages');
    const b = result.bars.get('AAPL')![0]!;
    assert.deepEqual(b, { symbol: 'AAPL', timestamp: new Date('2024-01-02T05:00:00Z'), open: 100, high: 101, low: 99, close: 100.5, volume: 1000, tradeCount: 10, vwap: 100.2 });
  });
});

test('sends the seed parameters, the same on every page, and both auth headers', async () => {
  await withFake(async (fake, sleeps) => {
    await source(fake, sleeps).fetchBars(REQUEST);
    const [first, second] = fake.requests;
    assert.equal(first!.query.get('feed'), 'iex');
    assert.equal(first!.query.get('adjustment'), 'split');
    assert.equal(first!.query.get('timeframe'), '1Day');
    assert.equal(first!.query.get('symbols'), 'AAPL,MSFT,NODATA');
    assert.equal(first!.query.get('page_token'), null);
    assert.ok(second!.query.get('page_token'));
    for (const k of ['symbols', 'timeframe', 'start', 'end', 'limit', 'feed', 'adjustment']) {
      assert.equal(second!.query.get(k), first!.query.get(k), `${k} unchanged across pages`);
    }
    assert.equal(first!.headers['apca-api-key-id'], 'key-id');
  });
});

test('429 then success: waits as long as Retry-After asks', async () => {
  await withFake(async (fake, sleeps) => {
    fake.faults.push({ status: 429, retryAfter: '2' });
    const result = await source(fake, sleeps).fetchBars(REQUEST);
    assert.deepEqual(sleeps, [2000]);
    assert.equal(result.bars.get('AAPL')!.length, 7);
  });
});

test('429 without Retry-After and 5xx then success: exponential backoff', async () => {
  await withFake(async (fake, sleeps) => {
    fake.faults.push({ status: 503 }, { status: 429 }, { status: 500 });
    const result = await source(fake, sleeps, { baseDelayMs: 100 }).fetchBars(REQUEST);
    assert.equal(result.failures.length, 0);
    // delays: base·2^(n-1), jittered to 75 % with random 0.5
    assert.deepEqual(sleeps, [75, 150, 300]);
  });
});

test('retries exhausted: every symbol of the request is reported failed with its reason', async () => {
  await withFake(async (fake, sleeps) => {
    fake.faults.push({ status: 502 }, { status: 502 }, { status: 502 });
    const result = await source(fake, sleeps, { maxAttempts: 3, symbolsPerRequest: 2 }).fetchBars(REQUEST);
    assert.deepEqual(result.failures.map((f) => [f.symbol, f.attempts]), [['AAPL', 3], ['MSFT', 3]]);
    assert.match(result.failures[0]!.reason, /HTTP 502/);
    assert.deepEqual(result.bars.get('NODATA'), [], 'the next request still runs');
  });
});

test('malformed JSON gives a clear error naming the endpoint', async () => {
  await withFake(async (fake, sleeps) => {
    fake.faults.push({ malformed: true });
    const result = await source(fake, sleeps).fetchBars(REQUEST);
    assert.equal(result.failures.length, 3);
    assert.match(result.failures[0]!.reason, /malformed JSON from GET http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars/);
  });
});

test('bad credentials: the error names the variables, never the secret', async () => {
  await withFake(async (fake, sleeps) => {
    const err = await source(fake, sleeps, { secretKey: 'wrong-secret-value' }).fetchBars(REQUEST).then(
      () => assert.fail('expected an error'),
      (e: Error) => e,
    );
    assert.match(err.message, /check ALPACA_KEY and ALPACA_SECRET/);
    assert.ok(!err.message.includes('wrong-secret-value'));
    assert.ok(!String((err.cause as Error).message).includes('wrong-secret-value'));
  });
});

test('empty pages and bars: null are handled', async () => {
  const { HttpFake } = await import('../fakes/http-fake.js');
  let call = 0;
  const fake = await new HttpFake(() => {
    call++;
    if (call === 1) return { status: 200, body: { bars: {}, next_page_token: 'abc' } };
    if (call === 2) return { status: 200, body: { bars: null, next_page_token: 'def' } };
    return { status: 200, body: { bars: { AAPL: dailyBars('2024-01-02', 1, 50) }, next_page_token: null } };
  }).start();
  try {
    const result = await new AlpacaMarketDataSource({ keyId: 'k', secretKey: 's', baseUrl: fake.url }).fetchBars({ ...REQUEST, symbols: ['AAPL'] });
    assert.equal(call, 3);
    assert.deepEqual(result.bars.get('AAPL')!.map((b) => b.open), [50]);
  } finally {
    await fake.close();
  }
});
