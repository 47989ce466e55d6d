import { test } from 'node:test';
import assert from 'node:assert/strict';
import { YahooMarketDataSource } from '../../src/sources/yahoo-market-data.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { routeTo, startYahooFake } from '../fakes/yahoo-fake.js';

// session opens: 2024-03-08 (EST, 14:30Z), 2024-03-11 (EDT after the switch, 13:30Z), 2024-03-12
const T1 = Date.parse('2024-03-08T14:30:00Z') / 1000;
const T2 = Date.parse('2024-03-11T13:30:00Z') / 1000;
const T3 = Date.parse('2024-03-12T13:30:00Z') / 1000;

test('daily bars at New-York midnight across a DST change; null rows skipped; unknown symbol reported; 429 retried', async () => {
  const fake = await startYahooFake({
    AAPL: [
      { t: T1, o: 169, h: 173, l: 168, c: 170.7, v: 76_000_000 },
      { t: T2, o: null, h: null, l: null, c: null, v: null },
      { t: T3, o: 173.2, h: 174, l: 171, c: 173.2, v: 59_000_000 },
    ],
    'BRK-B': [{ t: T1, o: 410, h: 412, l: 405, c: 409, v: 3_000_000 }],
  });
  try {
    const sleeps: number[] = [];
    fake.faults.push({ status: 429, body: 'Too Many Requests' });
    const source = new YahooMarketDataSource({ fetch: routeTo(fake.url), concurrency: 1, sleep: async (ms) => void sleeps.push(ms) });
    const result = await source.fetchBars({
      symbols: ['AAPL', 'BRK.B', 'GONE'],
      start: new Date('2024-03-08T05:00:00Z'),
      end: new Date('2024-03-12T04:00:00Z'),
      timeFrame: parseTimeFrame('1Day'),
    });
    assert.deepEqual(result.bars.get('AAPL')!.map((b) => [b.timestamp.toISOString(), b.open, b.close]), [
      ['2024-03-08T05:00:00.000Z', 169, 170.7],
      ['2024-03-12T04:00:00.000Z', 173.2, 173.2],
    ]);
    assert.equal(result.bars.get('BRK.B')!.length, 1, 'share classes are asked for as BRK-B');
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0]!.symbol, 'GONE');
    assert.match(result.failures[0]!.reason, /symbol may be delisted/);
    assert.equal(sleeps.length, 1, 'one 429 was retried');
    const chartRequest = fake.requests.find((r) => r.path.endsWith('/AAPL'))!;
    assert.equal(chartRequest.query.get('interval'), '1d');
    assert.equal(Number(chartRequest.query.get('period1')), Date.parse('2024-03-08T05:00:00Z') / 1000);
  } finally {
    await fake.close();
  }
});
