import { test } from 'node:test';
import assert from 'node:assert/strict';
import { YahooMarketDataSource, type YahooOptions } from '../../src/sources/yahoo-market-data.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import type { BarRequest } from '../../src/sources/market-data-source.js';
import type { HttpFake } from '../fakes/http-fake.js';
import { routeTo, startYahooFake, type YahooRow } from '../fakes/yahoo-fake.js';

// Session opens (09:30 New York): Fri 2024-03-08 in EST (14:30Z); DST starts Sun 2024-03-10; Mon 11 and Tue 12 in EDT (13:30Z).
const FRI = Date.parse('2024-03-08T14:30:00Z') / 1000;
const MON = Date.parse('2024-03-11T13:30:00Z') / 1000;
const TUE = Date.parse('2024-03-12T13:30:00Z') / 1000;
const NEXT_WED = Date.parse('2024-03-20T13:30:00Z') / 1000;

const row = (t: number, c: number, a?: number): YahooRow => ({ t, o: c - 1, h: c + 1, l: c - 2, c, v: 1000, ...(a === undefined ? {} : { a }) });

const request = (symbols: string[], timeFrame = '1Day'): BarRequest => ({
  symbols,
  // New-York midnights of Fri 2024-03-08 and Tue 2024-03-12, as the pipeline passes them
  start: new Date('2024-03-08T05:00:00Z'),
  end: new Date('2024-03-12T04:00:00Z'),
  timeFrame: parseTimeFrame(timeFrame),
});

async function withFake(data: Record<string, YahooRow[]>, fn: (fake: HttpFake, opts: YahooOptions) => Promise<void>): Promise<void> {
  const fake = await startYahooFake(data);
  try {
    await fn(fake, { fetch: routeTo(fake.url), sleep: async () => {} });
  } finally {
    await fake.close();
  }
}

test('by default prices are adjusted for dividends too: open/high/low/close × adjclose/close, volume inversely', () =>
  withFake({ AAPL: [row(FRI, 170, 153), row(MON, 172.8, null as unknown as number)] }, async (_fake, opts) => {
    const result = await new YahooMarketDataSource(opts).fetchBars(request(['AAPL']));
    const [fri, ...rest] = result.bars.get('AAPL')!;
    // factor 153 / 170 = 0.9
    assert.ok(Math.abs(fri!.open - 169 * 0.9) < 1e-9 && Math.abs(fri!.high - 171 * 0.9) < 1e-9 && Math.abs(fri!.low - 168 * 0.9) < 1e-9);
    assert.ok(Math.abs(fri!.close - 153) < 1e-9 && Math.abs(fri!.volume - 1000 / 0.9) < 1e-6);
    assert.deepEqual(rest, [], 'a row without an adjusted close is not mixed in unadjusted');
    assert.equal(result.quality?.adjusted, 'all');
  }));

const stamps = (bars: { timestamp: Date; close: number }[] | undefined) => bars?.map((b) => [b.timestamp.toISOString(), b.close]);

test('daily bars of two symbols are stamped at New-York midnight across the DST change; --adjust none keeps the split-adjusted close', () =>
  withFake(
    {
      AAPL: [row(FRI, 170.7, 169.9), row(MON, 172.8, 172.0), row(TUE, 173.2, 172.4), row(NEXT_WED, 999)],
      MSFT: [row(FRI, 406.2), row(TUE, 415.1)],
    },
    async (fake, opts) => {
      const progress: string[] = [];
      const result = await new YahooMarketDataSource({ ...opts, adjust: 'none' }).fetchBars(request(['AAPL', 'MSFT']), (d, t) => void progress.push(`${d}/${t}`));
      assert.deepEqual(stamps(result.bars.get('AAPL')), [
        ['2024-03-08T05:00:00.000Z', 170.7],
        ['2024-03-11T04:00:00.000Z', 172.8],
        ['2024-03-12T04:00:00.000Z', 173.2],
      ]);
      assert.deepEqual(stamps(result.bars.get('MSFT')), [
        ['2024-03-08T05:00:00.000Z', 406.2],
        ['2024-03-12T04:00:00.000Z', 415.1],
      ]);
      const fri = result.bars.get('AAPL')![0]!;
      assert.deepEqual([fri.symbol, fri.open, fri.high, fri.low, fri.volume], ['AAPL', 169.7, 171.7, 168.7, 1000]);
      assert.deepEqual(result.failures, []);
      assert.deepEqual(progress, ['1/2', '2/2']);
      const chart = fake.requests.find((r) => r.path === '/v8/finance/chart/AAPL')!;
      assert.equal(chart.query.get('interval'), '1d');
      assert.equal(chart.query.get('period1'), String(Date.parse('2024-03-08T05:00:00Z') / 1000));
      assert.equal(chart.query.get('period2'), String(Date.parse('2024-03-13T04:00:00Z') / 1000), 'one day past the inclusive end');
      assert.equal(fake.requests.length, 2, 'one request per symbol');
    },
  ));

test('rows with null values are skipped; an empty range gives no bars; share classes are asked for with a dash', () =>
  withFake(
    {
      AAPL: [row(FRI, 170.7), { t: MON, o: null, h: null, l: null, c: null, v: null }, { ...row(TUE, 173.2), c: null }],
      'BRK-B': [row(FRI, 409)],
      OLD: [row(NEXT_WED, 1)],
    },
    async (fake, opts) => {
      const result = await new YahooMarketDataSource(opts).fetchBars(request(['AAPL', 'BRK.B', 'OLD']));
      assert.deepEqual(stamps(result.bars.get('AAPL')), [['2024-03-08T05:00:00.000Z', 170.7]]);
      assert.deepEqual(stamps(result.bars.get('BRK.B')), [['2024-03-08T05:00:00.000Z', 409]]);
      assert.equal(result.bars.get('BRK.B')![0]!.symbol, 'BRK.B', 'bars keep the requested spelling');
      assert.deepEqual(result.bars.get('OLD'), []);
      assert.deepEqual(result.failures, []);
      assert.ok(fake.requests.some((r) => r.path === '/v8/finance/chart/BRK-B'));
    },
  ));

test('an unknown symbol (404) is reported as a failure without retries while the others continue', () =>
  withFake({ AAPL: [row(FRI, 170.7)] }, async (fake, opts) => {
    const result = await new YahooMarketDataSource(opts).fetchBars(request(['GONE', 'AAPL']));
    assert.deepEqual(stamps(result.bars.get('AAPL')), [['2024-03-08T05:00:00.000Z', 170.7]]);
    assert.equal(result.bars.has('GONE'), false);
    assert.deepEqual(result.failures, [{ symbol: 'GONE', reason: 'Yahoo chart GONE: No data found, symbol may be delisted', attempts: 1 }]);
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/GONE')).length, 1);
  }));

test('plain-text 429 answers are retried with backoff until the chart arrives', () =>
  withFake({ AAPL: [row(FRI, 170.7)] }, async (fake, opts) => {
    fake.faults.push({ status: 429, body: 'Too Many Requests' }, { status: 429, body: 'Edge: Too Many Requests' });
    const sleeps: number[] = [];
    const source = new YahooMarketDataSource({ ...opts, baseDelayMs: 1000, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) });
    const result = await source.fetchBars(request(['AAPL']));
    assert.deepEqual(stamps(result.bars.get('AAPL')), [['2024-03-08T05:00:00.000Z', 170.7]]);
    assert.deepEqual(result.failures, []);
    // exponential backoff with jitter: base·2^(n-1) halved plus random·half → 750 then 1500
    assert.deepEqual(sleeps, [750, 1500]);
    assert.equal(fake.requests.length, 3);
  }));

test('a symbol that stays rate limited fails after maxAttempts with a readable reason', () =>
  withFake({ AAPL: [row(FRI, 170.7)], MSFT: [row(FRI, 406.2)] }, async (fake, opts) => {
    fake.faults.push({ status: 429 }, { status: 429 }, { status: 429 });
    const result = await new YahooMarketDataSource({ ...opts, concurrency: 1, maxAttempts: 3 }).fetchBars(request(['AAPL', 'MSFT']));
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0]!.symbol, 'AAPL');
    assert.equal(result.failures[0]!.attempts, 3);
    assert.match(result.failures[0]!.reason, /^Yahoo chart AAPL: HTTP 429 rate limited .*gave up after 3 attempts/);
    assert.deepEqual(stamps(result.bars.get('MSFT')), [['2024-03-08T05:00:00.000Z', 406.2]]);
  }));

test('at most `concurrency` symbols are fetched at once', () =>
  withFake(Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F'].map((s) => [s, [row(FRI, 10)]])), async (fake, opts) => {
    let inFlight = 0;
    let maxInFlight = 0;
    const inner = routeTo(fake.url);
    const counting: typeof fetch = async (input, init) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 15)); // give an unbounded fan-out the chance to show itself
        return await inner(input, init);
      } finally {
        inFlight--;
      }
    };
    const result = await new YahooMarketDataSource({ ...opts, fetch: counting, concurrency: 2 }).fetchBars(request(['A', 'B', 'C', 'D', 'E', 'F']));
    assert.equal(result.bars.size, 6);
    assert.ok(maxInFlight <= 2, `saw ${maxInFlight} requests in flight`);
  }));

test('only daily bars are offered, and a reversed range is refused, before any request', () =>
  withFake({ AAPL: [row(FRI, 170.7)] }, async (fake, opts) => {
    const source = new YahooMarketDataSource(opts);
    await assert.rejects(source.fetchBars(request(['AAPL'], '1Hour')), /the Yahoo source provides daily bars only \(time frame 1Day\), not 1Hour/);
    const reversed = { ...request(['AAPL']), start: new Date('2024-03-12T04:00:00Z'), end: new Date('2024-03-08T05:00:00Z') };
    await assert.rejects(source.fetchBars(reversed), /start 2024-03-12T04:00:00.000Z is after end 2024-03-08T05:00:00.000Z/);
    assert.equal(fake.requests.length, 0);
  }));
