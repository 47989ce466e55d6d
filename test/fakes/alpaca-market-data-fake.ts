import { HttpFake, type SeenRequest } from './http-fake.js';

/** One bar in Alpaca's wire shape. */
export interface FakeBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

/**
 * A fake of Alpaca Market Data v2 `GET /v2/stocks/bars` built from contracts/alpaca-market-data.md: bars sorted
 * by symbol then time, `limit` counts points over all symbols, an opaque base64 page token, `next_page_token`
 * null on the last page, X-RateLimit-* headers, 401 without both auth headers.
 */
export function startAlpacaMarketDataFake(data: Record<string, FakeBar[]>, keys = { id: 'key-id', secret: 'secret-key' }): Promise<HttpFake> {
  const handler = (req: SeenRequest) => {
    const rate = { 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '199', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) };
    if (req.headers['apca-api-key-id'] !== keys.id || req.headers['apca-api-secret-key'] !== keys.secret) {
      return { status: 401, body: { message: 'unauthorized' }, headers: rate };
    }
    if (req.path !== '/v2/stocks/bars') return { status: 404, body: { message: 'not found' } };
    const tf = req.query.get('timeframe') ?? '';
    if (!/^(\d+(Min|T|Hour|H)|1Day|1D|1Week|1W|\d+Month)$/.test(tf)) return { status: 400, body: { code: 40010001, message: `invalid timeframe` } };
    const limit = Number(req.query.get('limit') ?? 1000);
    const start = req.query.get('start') ?? '';
    const end = req.query.get('end') ?? '';
    const symbols = (req.query.get('symbols') ?? '').split(',').filter(Boolean).sort();
    // flatten in (symbol, time) order, then cut a page at the token's position
    const all: Array<[string, FakeBar]> = [];
    for (const s of symbols) for (const b of data[s] ?? []) if (b.t >= start && b.t <= end) all.push([s, b]);
    const token = req.query.get('page_token');
    const offset = token ? Number(Buffer.from(token, 'base64').toString().split('|')[1]) : 0;
    const page = all.slice(offset, offset + limit);
    const bars: Record<string, FakeBar[]> = {};
    for (const [s, b] of page) (bars[s] ??= []).push(b);
    const next = offset + limit < all.length ? Buffer.from(`${page.at(-1)?.[0] ?? ''}|${offset + limit}`).toString('base64') : null;
    return { status: 200, body: { bars, next_page_token: next }, headers: rate };
  };
  return new HttpFake(handler).start();
}

/** Daily bars at New-York midnight for consecutive weekdays starting at a date. */
export function dailyBars(startDate: string, count: number, base: number): FakeBar[] {
  const out: FakeBar[] = [];
  const d = new Date(`${startDate}T05:00:00Z`);
  while (out.length < count) {
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) {
      const o = base + out.length;
      out.push({ t: d.toISOString().replace('.000', ''), o, h: o + 1, l: o - 1, c: o + 0.5, v: 1000 + out.length, n: 10 + out.length, vw: o + 0.2 });
    }
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}
