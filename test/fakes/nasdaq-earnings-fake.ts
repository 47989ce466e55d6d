import { HttpFake } from './http-fake.js';

/** A fake of Nasdaq's `GET /api/calendar/earnings?date=` (contracts/earnings-calendar.md, Part A). */
export function startNasdaqFake(rowsByDate: Record<string, unknown>): Promise<HttpFake> {
  return new HttpFake((req) => {
    if (req.path !== '/api/calendar/earnings') return { status: 404, body: { message: 'not found' } };
    if (!String(req.headers['user-agent'] ?? '').includes('Mozilla')) return { status: 403, body: { message: 'blocked' } };
    const date = req.query.get('date') ?? '';
    const entry = rowsByDate[date];
    // the three empty shapes the contract reports: data null, rows null, rows []
    if (entry === 'data-null') return { status: 200, body: { data: null, message: null, status: { rCode: 200 } } };
    if (entry === undefined || entry === 'rows-null') {
      return { status: 200, body: { data: { asOf: date, headers: { symbol: 'Symbol' }, rows: null }, message: null, status: { rCode: 200 } } };
    }
    return {
      status: 200,
      body: { data: { asOf: date, headers: { symbol: 'Symbol', eps: 'EPS', surprise: '% Surprise' }, rows: entry }, message: null, status: { rCode: 200 } },
    };
  }).start();
}
