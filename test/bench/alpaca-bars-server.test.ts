import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAlpacaBarsServer } from '../../src/bench/alpaca-bars-server.js';
import { AlpacaMarketDataSource } from '../../src/adapters/alpaca/market-data.js';
import { AlpacaNotAuthorizedError } from '../../src/adapters/alpaca/errors.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import type { Bar } from '../../src/core/types.js';

const AUTH = { keyId: 'bench-key', secretKey: 'bench-secret' };

/** Daily bars of a symbol on the given days, stamped at New-York midnight (05:00Z in winter); open = base + i. */
function bars(symbol: string, days: string[], base: number): Bar[] {
  return days.map((d, i) => ({ symbol, timestamp: new Date(`${d}T05:00:00Z`), open: base + i, high: base + i + 1, low: base + i - 1, close: base + i + 0.5, volume: 1000 + i }));
}

const DAYS = ['2018-12-24', '2018-12-26', '2018-12-27', '2018-12-28', '2018-12-31'];
const DATA = new Map([
  ['MSFT', bars('MSFT', DAYS, 300)],
  ['AAPL', bars('AAPL', DAYS, 100)],
  ['BRK.B', bars('BRK.B', DAYS.slice(0, 2), 200)],
]);

const source = (url: string, over: Partial<{ keyId: string; limit: number; symbolsPerRequest: number }> = {}) =>
  new AlpacaMarketDataSource({ keyId: over.keyId ?? AUTH.keyId, secretKey: AUTH.secretKey, baseUrl: url, limit: over.limit ?? 3, symbolsPerRequest: over.symbolsPerRequest ?? 2, sleep: async () => undefined });

test("the trade benchmark's Alpaca server serves its bars through the real client, paged across symbols", async () => {
  const server = await startAlpacaBarsServer(DATA, AUTH);
  try {
    const res = await source(server.url).fetchBars({ symbols: ['AAPL', 'BRK.B', 'MSFT', 'NONE'], start: new Date('2018-12-26T05:00:00Z'), end: new Date('2018-12-31T05:00:00Z'), timeFrame: parseTimeFrame('1Day') });
    assert.deepEqual(res.failures, []);
    assert.deepEqual(res.bars.get('AAPL')!.map((b) => b.open), [101, 102, 103, 104], 'start and end are inclusive; 12-24 is before the start');
    assert.deepEqual(res.bars.get('BRK.B')!.map((b) => b.open), [201]);
    assert.deepEqual(res.bars.get('MSFT')!.map((b) => [b.timestamp.toISOString(), b.open, b.high, b.low, b.close, b.volume]), [
      ['2018-12-26T05:00:00.000Z', 301, 302, 300, 301.5, 1001],
      ['2018-12-27T05:00:00.000Z', 302, 303, 301, 302.5, 1002],
      ['2018-12-28T05:00:00.000Z', 303, 304, 302, 303.5, 1003],
      ['2018-12-31T05:00:00.000Z', 304, 305, 303, 304.5, 1004],
    ]);
    assert.deepEqual(res.bars.get('NONE'), []);
    // AAPL+BRK.B (5 bars) at limit 3 → 2 pages; MSFT+NONE (4 bars) → 2 pages
    assert.deepEqual(server.stats(), { requests: 4, barsServed: 9 });
  } finally {
    await server.close();
  }
});

test("the trade benchmark's Alpaca server refuses unknown keys, other time frames and foreign page tokens", async () => {
  const server = await startAlpacaBarsServer(DATA, AUTH);
  try {
    const request = { symbols: ['AAPL'], start: new Date('2018-12-24T05:00:00Z'), end: new Date('2018-12-31T05:00:00Z'), timeFrame: parseTimeFrame('1Day') };
    await assert.rejects(source(server.url, { keyId: 'someone-else' }).fetchBars(request), AlpacaNotAuthorizedError);
    const get = (query: string) => fetch(`${server.url}/v2/stocks/bars?${query}`, { headers: { 'APCA-API-KEY-ID': AUTH.keyId, 'APCA-API-SECRET-KEY': AUTH.secretKey } });
    const hourly = await get('symbols=AAPL&timeframe=1Hour');
    assert.equal(hourly.status, 400);
    const first = (await (await get('symbols=AAPL&timeframe=1Day&limit=2')).json()) as { next_page_token: string };
    assert.equal(typeof first.next_page_token, 'string');
    assert.equal((await get(`symbols=MSFT&timeframe=1Day&limit=2&page_token=${encodeURIComponent(first.next_page_token)}`)).status, 400);
    const next = (await (await get(`symbols=AAPL&timeframe=1Day&limit=2&page_token=${encodeURIComponent(first.next_page_token)}`)).json()) as { bars: Record<string, Array<{ o: number }>> };
    assert.deepEqual(next.bars.AAPL!.map((b) => b.o), [102, 103]);
  } finally {
    await server.close();
  }
});
