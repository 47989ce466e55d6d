import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlpacaMarketDataSource } from '../../../src/adapters/alpaca/market-data.js';
import { AlpacaNotAuthorizedError } from '../../../src/adapters/alpaca/errors.js';
import type { AlpacaMarketDataOptions } from '../../../src/adapters/alpaca/config.js';
import { parseTimeFrame } from '../../../src/core/time-frame.js';
import type { BarRequest } from '../../../src/sources/market-data-source.js';
import { dailyBars, startAlpacaMarketDataFake, type AlpacaMarketDataFakeOptions } from '../../fakes/alpaca-market-data-fake.js';
import { HttpFake } from '../../fakes/http-fake.js';

const REQUEST: BarRequest = {
  symbols: ['AAPL', 'MSFT', 'NODATA'],
  start: new Date('2024-01-01T05:00:00Z'),
  end: new Date('2024-12-31T05:00:00Z'),
  timeFrame: parseTimeFrame('1Day'),
};

/** Runs a test body against a fresh fake holding 7 AAPL and 5 MSFT daily bars; the source records its sleeps. */
async function withFake(
  fakeOptions: AlpacaMarketDataFakeOptions,
  fn: (fake: HttpFake, make: (over?: Partial<AlpacaMarketDataOptions>) => AlpacaMarketDataSource, sleeps: number[]) => Promise<void>,
): Promise<void> {
  const fake = await startAlpacaMarketDataFake({ AAPL: dailyBars('2024-01-02', 7, 100), MSFT: dailyBars('2024-01-02', 5, 300) }, fakeOptions);
  const sleeps: number[] = [];
  const make = (over: Partial<AlpacaMarketDataOptions> = {}) =>
    new AlpacaMarketDataSource({
      keyId: 'key-id',
      secretKey: 'secret-key',
      baseUrl: fake.url,
      limit: 3,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
      ...over,
    });
  try {
    await fn(fake, make, sleeps);
  } finally {
    await fake.close();
  }
}

test('pages through next_page_token, merging a symbol split across pages', async () => {
  await withFake({}, async (fake, make) => {
    const result = await make().fetchBars(REQUEST);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.bars.get('AAPL')!.map((b) => b.open), [100, 101, 102, 103, 104, 105, 106]);
    assert.deepEqual(result.bars.get('MSFT')!.map((b) => b.open), [300, 301, 302, 303, 304]);
    assert.deepEqual(result.bars.get('NODATA'), [], 'a symbol absent from the answer is present and empty, not failed');
    // 12 points at limit 3: pages AAPL×3 | AAPL×3 | AAPL, MSFT×2 (AAPL split across pages) | MSFT×3
    assert.equal(fake.requests.length, 4);
    assert.deepEqual(result.bars.get('AAPL')![0], {
      symbol: 'AAPL', timestamp: new Date('2024-01-02T05:00:00Z'), open: 100, high: 101, low: 99, close: 100.5, volume: 1000, tradeCount: 10, vwap: 100.2,
    });
  });
});

test('sends feed, adjustment, timeframe, RFC-3339 times and both auth headers, the same on every page', async () => {
  await withFake({}, async (fake, make) => {
    await make().fetchBars({ ...REQUEST, end: new Date('2024-12-31T04:59:59.999Z') });
    const [first, second] = fake.requests;
    assert.equal(first!.query.get('feed'), 'iex');
    assert.equal(first!.query.get('adjustment'), 'split');
    assert.equal(first!.query.get('timeframe'), '1Day');
    assert.equal(first!.query.get('sort'), 'asc');
    assert.equal(first!.query.get('limit'), '3');
    assert.equal(first!.query.get('start'), '2024-01-01T05:00:00Z');
    assert.equal(first!.query.get('end'), '2024-12-31T04:59:59.999Z');
    assert.equal(first!.query.get('symbols'), 'AAPL,MSFT,NODATA');
    assert.equal(first!.query.get('page_token'), null);
    assert.ok(second!.query.get('page_token'));
    for (const k of ['symbols', 'timeframe', 'start', 'end', 'limit', 'feed', 'adjustment', 'sort']) {
      assert.equal(second!.query.get(k), first!.query.get(k), `${k} unchanged across pages`);
    }
    assert.equal(first!.headers['apca-api-key-id'], 'key-id');
    assert.equal(first!.headers['apca-api-secret-key'], 'secret-key');
  });
});

test('intraday time frame, sip feed and raw adjustment are passed through', async () => {
  await withFake({ freePlan: false }, async (fake, make) => {
    await make({ feed: 'sip', adjustment: 'raw' }).fetchBars({ ...REQUEST, timeFrame: parseTimeFrame('10Min') });
    assert.equal(fake.requests[0]!.query.get('timeframe'), '10Min');
    assert.equal(fake.requests[0]!.query.get('feed'), 'sip');
    assert.equal(fake.requests[0]!.query.get('adjustment'), 'raw');
  });
});

test('chunks symbols per request and reports progress per finished chunk', async () => {
  await withFake({}, async (fake, make) => {
    const progress: Array<[number, number]> = [];
    const result = await make({ symbolsPerRequest: 2, limit: 10000 }).fetchBars(REQUEST, (d, t) => progress.push([d, t]));
    assert.deepEqual(fake.requests.map((r) => r.query.get('symbols')), ['AAPL,MSFT', 'NODATA']);
    assert.deepEqual(progress, [[2, 3], [3, 3]]);
    assert.equal(result.bars.get('MSFT')!.length, 5);
  });
});

test('daily bars in summer sit at 04:00Z, lower-case symbols are asked upper-case and answered under the caller spelling', async () => {
  const fake = await startAlpacaMarketDataFake({ AAPL: dailyBars('2024-07-01', 2, 10) });
  try {
    const source = new AlpacaMarketDataSource({ keyId: 'key-id', secretKey: 'secret-key', baseUrl: fake.url });
    const result = await source.fetchBars({ ...REQUEST, symbols: ['aapl'] });
    assert.equal(fake.requests[0]!.query.get('symbols'), 'AAPL');
    assert.deepEqual(result.bars.get('aapl')!.map((b) => [b.symbol, b.timestamp.toISOString()]), [
      ['aapl', '2024-07-01T04:00:00.000Z'],
      ['aapl', '2024-07-02T04:00:00.000Z'],
    ]);
  } finally {
    await fake.close();
  }
});

test('429 then success: waits exactly as long as Retry-After asks', async () => {
  await withFake({}, async (fake, make, sleeps) => {
    fake.faults.push({ status: 429, retryAfter: '2' });
    const result = await make().fetchBars(REQUEST);
    assert.deepEqual(sleeps, [2000]);
    assert.equal(result.bars.get('AAPL')!.length, 7);
    assert.equal(fake.requests[0]!.query.get('page_token'), fake.requests[1]!.query.get('page_token'), 'the same page is asked again');
  });
});

test('429 without Retry-After waits for X-RateLimit-Reset, capped by maxServerWaitMs', async () => {
  const farFuture = Math.floor(Date.now() / 1000) + 3600;
  await withFake({ resetAt: () => farFuture }, async (fake, make, sleeps) => {
    fake.faults.push({ status: 429 });
    const result = await make({ maxServerWaitMs: 7000 }).fetchBars(REQUEST);
    assert.deepEqual(sleeps, [7000]);
    assert.deepEqual(result.failures, []);
  });
});

test('5xx and header-less 429 then success: exponential backoff with jitter', async () => {
  await withFake({ rateLimitHeaders: false }, async (fake, make, sleeps) => {
    fake.faults.push({ status: 503 }, { status: 429 }, { status: 500 }, { drop: true });
    const result = await make({ baseDelayMs: 100 }).fetchBars(REQUEST);
    assert.deepEqual(result.failures, []);
    // base·2^(n−1) = 100, 200, 400, 800; equal jitter with random 0.5 keeps 75 % of each
    assert.deepEqual(sleeps, [75, 150, 300, 600]);
    assert.equal(result.bars.get('AAPL')!.length, 7);
  });
});

test('retries exhausted: the chunk symbols fail with reason and attempts, the next chunk still runs', async () => {
  await withFake({}, async (fake, make) => {
    fake.faults.push({ status: 502 }, { status: 502 }, { status: 502 });
    const result = await make({ maxAttempts: 3, symbolsPerRequest: 2 }).fetchBars({ ...REQUEST, symbols: ['AAPL', 'NODATA', 'MSFT'] });
    assert.deepEqual(result.failures.map((f) => [f.symbol, f.attempts]), [['AAPL', 3], ['NODATA', 3]]);
    assert.match(result.failures[0]!.reason, /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars: HTTP 502 .*gave up after 3 attempts/);
    assert.equal(result.bars.has('AAPL'), false, 'a failed symbol has no (partial) bars');
    assert.deepEqual(result.bars.get('MSFT')!.map((b) => b.open), [300, 301, 302, 303, 304]);
  });
});

for (const shape of ['object', 'null'] as const) {
  test(`empty pages with a token (bars ${shape === 'object' ? '{}' : 'null'}) are followed, not taken as the end`, async () => {
    await withFake({ emptyPagesFirst: shape }, async (fake, make) => {
      const result = await make().fetchBars(REQUEST);
      assert.equal(fake.requests.length, 8, 'every one of the 4 real pages is preceded by an empty one');
      assert.equal(result.bars.get('AAPL')!.length, 7);
      assert.equal(result.bars.get('MSFT')!.length, 5);
    });
  });
}

test('malformed JSON: a clear failure naming the endpoint, without the query, not retried', async () => {
  await withFake({}, async (fake, make) => {
    fake.faults.push({ malformed: true });
    const result = await make().fetchBars(REQUEST);
    assert.deepEqual(result.failures.map((f) => [f.symbol, f.attempts]), [['AAPL', 1], ['MSFT', 1], ['NODATA', 1]]);
    assert.match(result.failures[0]!.reason, /^malformed JSON from http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars: /);
    assert.ok(!result.failures[0]!.reason.includes('symbols='));
    assert.equal(fake.requests.length, 1);
  });
});

for (const status of [401, 403] as const) {
  test(`HTTP ${status} for bad keys: one error naming ALPACA_KEY/ALPACA_SECRET, never the secret`, async () => {
    await withFake({ authFailureStatus: status }, async (fake, make) => {
      const err = await make({ secretKey: 'wrong-secret-value' }).fetchBars(REQUEST).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e as Error,
      );
      assert.ok(err instanceof AlpacaNotAuthorizedError);
      assert.match(err.message, /not authorized \(HTTP \d+ from http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars\): check ALPACA_KEY and ALPACA_SECRET/);
      assert.match(err.message, new RegExp(`HTTP ${status}`));
      for (const text of [err.message, String(err.stack), (err.cause as Error).message]) assert.ok(!text.includes('wrong-secret-value'));
      assert.equal(fake.requests.length, 1, 'not retried');
    });
  });
}

test('sip on recent data with a free key: the subscription error says which feed to use', async () => {
  await withFake({}, async (_fake, make) => {
    const err = await make({ feed: 'sip' }).fetchBars({ ...REQUEST, end: new Date() }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e as Error,
    );
    assert.match(err.message, /subscription does not permit.*feed=iex/);
  });
});

const UNEXPECTED_ANSWERS: Array<[what: string, answers: unknown[], reason: RegExp]> = [
  ['a price sent as a string', [{ bars: { AAPL: [{ t: '2024-01-02T05:00:00Z', o: '1', h: 1, l: 1, c: 1, v: 1 }] }, next_page_token: null }], /bars\.AAPL\[0\]\.o is "1" \(.*expected number/],
  ['a bar without a close', [{ bars: { AAPL: [{ t: '2024-01-02T05:00:00Z', o: 1, h: 1, l: 1, v: 1 }] }, next_page_token: null }], /bars\.AAPL\[0\]\.c is missing/],
  ['a time that is not RFC-3339', [{ bars: { AAPL: [{ t: 'yesterday', o: 1, h: 1, l: 1, c: 1, v: 1 }] }, next_page_token: null }], /bars\.AAPL\[0\]\.t is "yesterday" \(expected an RFC-3339 date-time/],
  ['no next_page_token', [{ bars: {} }], /next_page_token is missing/],
  ['bars as a list', [{ bars: [], next_page_token: null }], /bars is \[\]/],
  ['not an object at all', [[1, 2]], /the body is \[1,2\]/],
  ['the same page token twice', [{ bars: {}, next_page_token: 'same' }, { bars: {}, next_page_token: 'same' }], /same next_page_token twice/],
];

for (const [what, answers, reason] of UNEXPECTED_ANSWERS) {
  test(`an unexpected answer (${what}) fails the chunk with the endpoint and the field named`, async () => {
    const fake = await new HttpFake(() => ({ status: 200, body: answers.shift() })).start();
    try {
      const source = new AlpacaMarketDataSource({ keyId: 'key-id', secretKey: 'secret-key', baseUrl: fake.url });
      const result = await source.fetchBars({ ...REQUEST, symbols: ['AAPL'] });
      assert.equal(result.failures.length, 1);
      assert.match(result.failures[0]!.reason, /http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars/);
      assert.match(result.failures[0]!.reason, reason);
      assert.equal(result.failures[0]!.attempts, 1, 'a malformed answer is not retried');
    } finally {
      await fake.close();
    }
  });
}
