import { HttpFake } from './http-fake.js';

/** One daily row the fake serves: session-open epoch seconds, OHLCV (null allowed, as Yahoo sends) and adjclose. */
export interface YahooRow {
  t: number;
  o: number | null;
  h: number | null;
  l: number | null;
  c: number | null;
  v: number | null;
  /** Dividend-adjusted close; defaults to `c`. */
  a?: number | null;
}

const NOT_FOUND = { chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } };

/** Every `meta` field the library's schema requires (contracts/earnings-calendar.md B.2), values from the documented example. */
function chartMeta(symbol: string): Record<string, unknown> {
  const period = (start: number, end: number) => ({ timezone: 'EST', start, end, gmtoffset: -18000 });
  return {
    currency: 'USD',
    symbol,
    exchangeName: 'NMS',
    fullExchangeName: 'NasdaqGS',
    instrumentType: 'EQUITY',
    firstTradeDate: 345479400,
    regularMarketTime: 1739998801,
    gmtoffset: -18000,
    timezone: 'EST',
    exchangeTimezoneName: 'America/New_York',
    regularMarketPrice: 244.87,
    priceHint: 2,
    currentTradingPeriod: {
      pre: period(1740042000, 1740061800),
      regular: period(1740061800, 1740085200),
      post: period(1740085200, 1740099600),
    },
    dataGranularity: '1d',
    range: '',
    validRanges: ['1d', '5d', '1mo', '3mo', '6mo', '1y', '2y', '5y', '10y', 'ytd', 'max'],
  };
}

/**
 * A fake of Yahoo's `GET /v8/finance/chart/<symbol>` (contracts/earnings-calendar.md, Part B.2): rows within
 * [period1, period2) in the documented parallel-array shape, `quote: [{}]` when none, the documented 404 body for
 * unknown symbols, and scripted faults (`fake.faults`, e.g. a plain-text 429) before normal answers.
 */
export function startYahooFake(data: Record<string, YahooRow[]>): Promise<HttpFake> {
  return new HttpFake((req) => {
    const m = /^\/v8\/finance\/chart\/([^/]+)$/.exec(req.path);
    const symbol = m ? decodeURIComponent(m[1]!) : '';
    const rows = data[symbol];
    if (!rows) return { status: 404, body: NOT_FOUND };
    const p1 = Number(req.query.get('period1'));
    const p2 = Number(req.query.get('period2'));
    const inRange = rows.filter((r) => r.t >= p1 && r.t < p2);
    const meta = chartMeta(symbol);
    const result =
      inRange.length === 0
        ? { meta, indicators: { quote: [{}] } }
        : {
            meta,
            timestamp: inRange.map((r) => r.t),
            indicators: {
              quote: [
                {
                  open: inRange.map((r) => r.o),
                  high: inRange.map((r) => r.h),
                  low: inRange.map((r) => r.l),
                  close: inRange.map((r) => r.c),
                  volume: inRange.map((r) => r.v),
                },
              ],
              adjclose: [{ adjclose: inRange.map((r) => (r.a === undefined ? r.c : r.a)) }],
            },
          };
    return { status: 200, body: { chart: { result: [result], error: null } } };
  }).start();
}

/** A fetch that sends the library's HTTPS requests to the loopback fake, keeping path and query. */
export function routeTo(fakeUrl: string): typeof fetch {
  return (input, init) => {
    const u = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return fetch(`${fakeUrl}${u.pathname}${u.search}`, init);
  };
}
