import { HttpFake, type FakeAnswer } from './http-fake.js';
import type { NasdaqRow } from '../../src/sources/nasdaq-parse.js';

/**
 * What the fake serves for one date: rows, one of the three empty shapes the contract reports, an HTML page
 * with status 200 (what a block or error page looks like), or an HTTP status on every request for that date.
 */
export type NasdaqDay = NasdaqRow[] | 'data-null' | 'rows-null' | 'rows-empty' | 'html' | { alwaysStatus: number };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `data.asOf` as Nasdaq writes it: `Tue, Oct 15, 2024`. */
function asOf(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return `${DAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')}, ${d.getUTCFullYear()}`;
}

/** The column set depends on the day: reported days carry eps/surprise, upcoming days last year's figures. */
function headersFor(rows: NasdaqRow[]): Record<string, string> {
  const common = { symbol: 'Symbol', name: 'Company Name', time: 'Time', marketCap: 'Market Cap', fiscalQuarterEnding: 'Fiscal Quarter Ending', epsForecast: 'Consensus EPS* Forecast', noOfEsts: '# of Ests' };
  return rows.some((r) => 'eps' in r)
    ? { ...common, eps: 'EPS', surprise: '% Surprise' }
    : { ...common, lastYearRptDt: "Last Year's Report Date", lastYearEPS: "Last year's EPS*" };
}

/** A reported-day row with the fields Nasdaq sends besides the ones a test cares about. */
export function reportedRow(symbol: string, eps: string, epsForecast: string, surprise: string): NasdaqRow & Record<string, string> {
  return { symbol, name: `${symbol} Inc.`, time: 'time-not-supplied', marketCap: '$4,216,602,795', fiscalQuarterEnding: 'Sep/2024', epsForecast, noOfEsts: '6', eps, surprise };
}

/** An upcoming-day row: no eps or surprise yet, last year's figures instead. */
export function upcomingRow(symbol: string, epsForecast: string): NasdaqRow & Record<string, string> {
  return { symbol, name: `${symbol} Inc.`, time: 'time-pre-market', marketCap: '$602,000,000,000', fiscalQuarterEnding: 'Sep/2024', epsForecast, noOfEsts: '6', lastYearRptDt: '10/13/2023', lastYearEPS: '$4.33' };
}

/**
 * A fake of Nasdaq's `GET /api/calendar/earnings?date=` (contracts/earnings-calendar.md, Part A): the full
 * envelope (`data.asOf`, `data.headers`, `data.rows`, `message`, `status.rCode`), the three empty shapes,
 * an HTML block page for clients without a browser User-Agent, and scripted faults through `fake.faults`.
 * Dates not listed answer `rows: null`, as reported for weekends.
 */
export function startNasdaqFake(days: Record<string, NasdaqDay>): Promise<HttpFake> {
  return new HttpFake((req): FakeAnswer => {
    if (req.path !== '/api/calendar/earnings') return { status: 404, body: { data: null, message: 'not found', status: { rCode: 404 } } };
    if (!/Mozilla\/5\.0/.test(String(req.headers['user-agent'] ?? ''))) {
      return { status: 403, raw: '<html><body><h1>Access Denied</h1></body></html>' };
    }
    const date = req.query.get('date') ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      return { status: 200, body: { data: null, message: null, status: { rCode: 400, bCodeMessage: [{ code: 1001, errorMessage: 'Invalid date' }] } } };
    }
    const status = { rCode: 200, bCodeMessage: null, developerMessage: null };
    const day = days[date] ?? 'rows-null';
    if (day === 'html') return { status: 200, raw: '<!DOCTYPE html><html><body>Please enable JavaScript</body></html>' };
    if (!Array.isArray(day) && typeof day === 'object') return { status: day.alwaysStatus, body: { message: `scripted ${day.alwaysStatus}` } };
    if (day === 'data-null') return { status: 200, body: { data: null, message: null, status } };
    const rows = day === 'rows-null' ? null : day === 'rows-empty' ? [] : day;
    return { status: 200, body: { data: { asOf: asOf(date), headers: headersFor(rows ?? []), rows }, message: null, status } };
  }).start();
}
