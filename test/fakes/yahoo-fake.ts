import { HttpFake } from './http-fake.js';

/** One daily row the fake serves: session-open epoch seconds and OHLCV (null allowed, as Yahoo sends). */
export interface YahooRow {
  t: number;
  o: number | null;
  h: number | null;
  l: number | null;
  c: number | null;
  v: number | null;
}

/** A fake of Yahoo's `GET /v8/finance/chart/<symbol>` (contracts/earnings-calendar.md, Part B.2), with every required meta field. */
export function startYahooFake(data: Record<string, YahooRow[]>): Promise<HttpFake> {
  return new HttpFake((req) => {
    const m = /^\/v8\/finance\/chart\/(.+)$/.exec(req.path);
    const symbol = m ? decodeURIComponent(m[1]!) : '';
    const rows = data[symbol];
    if (!rows) {
      return { status: 404, body: { chart: { result: null, error: { code: 'Not Found', description: 'No data found, symbol may be delisted' } } } };
    }
    const p1 = Number(req.query.get('period1'));
    const p2 = Number(req.query.get('period2'));
    const inRange = rows.filter((r) => r.t >= p1 && r.t < p2);
    const period = { timezone: 'EST', start: 1740042000, end: 1740061800, gmtoffset: -18000 };
    const meta = {
      currency: 'USD', symbol, exchangeName: 'NMS', fullExchangeName: 'NasdaqGS', instrumentType: 'EQUITY', firstTradeDate: 345479400,
      regularMarketTime: 1739998801, gmtoffset: -18000, timezone: 'EST', exchangeTimezoneName: 'America/New_York', regularMarketPrice: 244.87,
      priceHint: 2, currentTradingPeriod: { pre: period, regular: period, post: period }, dataGranularity: '1d', range: '',
      validRanges: ['1d', '5d', '1mo', '1y', 'max'],
    };
    const result =
      inRange.length === 0
        ? { meta, indicators: { quote: [{}] } }
        : {
            meta,
            timestamp: inRange.map((r) => r.t),
            indicators: {
              quote: [{ open: inRange.map((r) => r.o), high: inRange.map((r) => r.h), low: inRange.map((r) => r.l), close: inRange.map((r) => r.c), volume: inRange.map((r) => r.v) }],
              adjclose: [{ adjclose: inRange.map((r) => r.c) }],
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
