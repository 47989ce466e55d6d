import { createHash } from 'node:crypto';
import { addDays, nyMidnightUtc, weekdayOf } from '../../src/core/ny-time.js';
import { HttpFake, type FakeAnswer, type SeenRequest } from './http-fake.js';

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

/** How the fake behaves; every field optional. */
export interface AlpacaMarketDataFakeOptions {
  /** Expected APCA-API-KEY-ID (default `key-id`). */
  id?: string;
  /** Expected APCA-API-SECRET-KEY (default `secret-key`). */
  secret?: string;
  /** Status for bad credentials: sources disagree between 401 and 403 (default 401). */
  authFailureStatus?: 401 | 403;
  /** Send X-RateLimit-* on every answer (default true), as the contract documents for 200/400/429. */
  rateLimitHeaders?: boolean;
  /** X-RateLimit-Reset in epoch seconds (default: now + 60 s). */
  resetAt?: () => number;
  /** Precede every real page with an empty one carrying a token (`{}` or `null` bars), which the contract allows. */
  emptyPagesFirst?: 'object' | 'null';
  /** Refuse `feed=sip` with an end inside the last 15 minutes, as for a free key (default true). */
  freePlan?: boolean;
}

const TIMEFRAME = /^([1-9]|[1-5]\d)(Min|T)$|^([1-9]|1\d|2[0-3])(Hour|H)$|^1(Day|D|Week|W)$|^(1|2|3|4|6|12)(Month|M)$/;
const FEEDS = new Set(['iex', 'sip', 'otc', 'boats']);

const err = (status: number, message: string, code = 40010001): FakeAnswer => ({ status, body: { code, message } });

/** Parses RFC-3339 or YYYY-MM-DD the way the API accepts them; NaN when invalid. */
function parseTime(text: string | null): number {
  if (text === null) return NaN;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : NaN;
}

/** A digest of every parameter but the token, so a page token only works with an unchanged query. */
function queryDigest(q: URLSearchParams): string {
  const entries = [...q].filter(([k]) => k !== 'page_token').sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha1').update(JSON.stringify(entries)).digest('hex').slice(0, 12);
}

function makeToken(offset: number, emptyServed: boolean, digest: string, lastSymbol: string): string {
  return Buffer.from(`${lastSymbol}|${offset}|${emptyServed ? 1 : 0}|${digest}`).toString('base64');
}

/**
 * A fake of Alpaca Market Data v2 `GET /v2/stocks/bars` built from contracts/alpaca-market-data.md: bars sorted
 * by symbol then time, `limit` counts points over all symbols, an opaque base64 page token bound to the query,
 * `next_page_token` null on the last page, symbols without bars omitted, X-RateLimit-* headers, 401/403 without
 * both auth headers, 400 on bad parameters, and scripted faults through `fake.faults`.
 */
export function startAlpacaMarketDataFake(data: Record<string, FakeBar[]>, options: AlpacaMarketDataFakeOptions = {}): Promise<HttpFake> {
  const id = options.id ?? 'key-id';
  const secret = options.secret ?? 'secret-key';
  let remaining = 200;
  const headers = (): Record<string, string> =>
    options.rateLimitHeaders === false
      ? {}
      : {
          'x-ratelimit-limit': '200',
          'x-ratelimit-remaining': String(Math.max(0, --remaining)),
          'x-ratelimit-reset': String(options.resetAt?.() ?? Math.floor(Date.now() / 1000) + 60),
        };
  const handler = (req: SeenRequest): FakeAnswer => {
    if (req.headers['apca-api-key-id'] !== id || req.headers['apca-api-secret-key'] !== secret) {
      const status = options.authFailureStatus ?? 401;
      return { status, body: { message: status === 401 ? 'unauthorized' : 'forbidden.' } };
    }
    if (req.path !== '/v2/stocks/bars') return err(404, 'not found', 40410000);
    const q = req.query;
    const symbols = [...new Set((q.get('symbols') ?? '').split(',').filter(Boolean))].sort();
    if (symbols.length === 0) return err(400, 'symbols is required');
    if (!TIMEFRAME.test(q.get('timeframe') ?? '')) return err(400, `invalid timeframe: ${q.get('timeframe')}`);
    const limit = Number(q.get('limit') ?? 1000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) return err(400, 'invalid limit: must be between 1 and 10000');
    const feed = q.get('feed') ?? 'sip';
    if (!FEEDS.has(feed)) return err(400, `invalid feed: ${feed}`);
    const start = q.has('start') ? parseTime(q.get('start')) : 0;
    const end = q.has('end') ? parseTime(q.get('end')) : Date.now();
    if (Number.isNaN(start) || Number.isNaN(end)) return err(400, 'invalid start or end: expected RFC-3339 or YYYY-MM-DD');
    if (feed === 'sip' && options.freePlan !== false && end > Date.now() - 15 * 60_000) {
      return err(403, 'subscription does not permit querying recent SIP data', 42210000);
    }
    const desc = q.get('sort') === 'desc';
    const all: Array<[string, FakeBar]> = [];
    for (const s of symbols) {
      const inRange = (data[s] ?? []).filter((b) => Date.parse(b.t) >= start && Date.parse(b.t) <= end);
      if (desc) inRange.reverse();
      for (const b of inRange) all.push([s, b]);
    }
    const digest = queryDigest(q);
    let offset = 0;
    let emptyServed = false;
    const token = q.get('page_token');
    if (token) {
      const [, off, served, dig] = Buffer.from(token, 'base64').toString().split('|');
      if (dig !== digest) return err(400, 'invalid page_token: the other parameters changed');
      offset = Number(off);
      emptyServed = served === '1';
    }
    if (options.emptyPagesFirst && !emptyServed) {
      const bars = options.emptyPagesFirst === 'null' ? null : {};
      return { status: 200, body: { bars, next_page_token: makeToken(offset, true, digest, '') } };
    }
    const page = all.slice(offset, offset + limit);
    const bars: Record<string, FakeBar[]> = {};
    for (const [s, b] of page) (bars[s] ??= []).push(b);
    const more = offset + limit < all.length;
    const next = more ? makeToken(offset + limit, false, digest, page.at(-1)?.[0] ?? '') : null;
    return { status: 200, body: { bars, next_page_token: next } };
  };
  return new HttpFake(handler, { headers, malformedBody: '{"bars": {"AAPL": [{"t": "2024-01-02T05:00:00Z", "o": 1' }).start();
}

/** Daily bars at New-York midnight (04:00Z or 05:00Z) for consecutive weekdays starting at a date. */
export function dailyBars(startDate: string, count: number, base: number): FakeBar[] {
  const out: FakeBar[] = [];
  for (let d = startDate; out.length < count; d = addDays(d, 1)) {
    if (weekdayOf(d) >= 5) continue;
    const o = base + out.length;
    const t = nyMidnightUtc(d).toISOString().replace('.000Z', 'Z');
    out.push({ t, o, h: o + 1, l: o - 1, c: o + 0.5, v: 1000 + out.length, n: 10 + out.length, vw: o + 0.2 });
  }
  return out;
}
