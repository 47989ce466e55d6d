import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Bar } from '../core/types.js';

/** A running bars server: point ALPACA_DATA_URL at `url`. */
export interface AlpacaBarsServer {
  url: string;
  stats(): { requests: number; barsServed: number };
  close(): Promise<void>;
}

/** One bar on the wire (../shared/contracts/alpaca-market-data.md §3.2): time `t`, then numbers. */
type WireBar = { t: string } & Record<'o' | 'h' | 'l' | 'c' | 'v' | 'n' | 'vw', number>;

/**
 * A loopback server for the trade benchmark speaking Alpaca Market Data v2 `GET /v2/stocks/bars` over given
 * daily bars: both auth headers required (401 otherwise), bars sorted by symbol then time, `limit` counting
 * points over all symbols, an opaque page token valid only for an unchanged query, `next_page_token` null on
 * the last page, X-RateLimit-* headers. Daily frames only. It is deliberately small: the fault-injecting fake
 * the adapter's tests use lives in test/fakes and is not shipped.
 */
export async function startAlpacaBarsServer(bars: Map<string, Bar[]>, auth: { keyId: string; secretKey: string }): Promise<AlpacaBarsServer> {
  const wire = new Map([...bars].map(([s, list]) => [s.toUpperCase(), [...list].sort((a, b) => +a.timestamp - +b.timestamp).map(toWire)] as const));
  let requests = 0;
  let barsServed = 0;
  const server = createServer((req, res) => {
    requests++;
    const answer = handle(req, wire, auth);
    if ('bars' in answer.body) barsServed += Object.values(answer.body.bars as Record<string, unknown[]>).reduce((n, b) => n + b.length, 0);
    send(res, answer.status, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stats: () => ({ requests, barsServed }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Answer = { status: number; body: Record<string, unknown> };

function handle(req: IncomingMessage, wire: Map<string, WireBar[]>, auth: { keyId: string; secretKey: string }): Answer {
  if (req.headers['apca-api-key-id'] !== auth.keyId || req.headers['apca-api-secret-key'] !== auth.secretKey) return { status: 401, body: { message: 'unauthorized' } };
  const u = new URL(req.url ?? '/', 'http://bench');
  if (req.method !== 'GET' || u.pathname !== '/v2/stocks/bars') return error(404, 'not found');
  const q = u.searchParams;
  const symbols = [...new Set((q.get('symbols') ?? '').split(',').filter(Boolean))].sort();
  if (symbols.length === 0) return error(400, 'symbols is required');
  if (!['1Day', '1D'].includes(q.get('timeframe') ?? '')) return error(400, `this benchmark server has daily bars only, got timeframe ${q.get('timeframe')}`);
  const limit = Number(q.get('limit') ?? 1000);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return error(400, 'invalid limit: must be between 1 and 10000');
  const start = q.has('start') ? parseTime(q.get('start')!) : 0;
  const end = q.has('end') ? parseTime(q.get('end')!) : Date.now();
  if (Number.isNaN(start) || Number.isNaN(end)) return error(400, 'invalid start or end: expected RFC-3339 or YYYY-MM-DD');
  const digest = queryDigest(q);
  let offset = 0;
  const token = q.get('page_token');
  if (token) {
    const [off, dig] = Buffer.from(token, 'base64').toString().split('|');
    if (dig !== digest) return error(400, 'invalid page_token');
    offset = Number(off);
  }
  const all: Array<[string, WireBar]> = [];
  for (const s of symbols) for (const b of wire.get(s) ?? []) if (Date.parse(b.t) >= start && Date.parse(b.t) <= end) all.push([s, b]);
  const page = all.slice(offset, offset + limit);
  const out: Record<string, WireBar[]> = {};
  for (const [s, b] of page) (out[s] ??= []).push(b);
  const next = offset + limit < all.length ? Buffer.from(`${offset + limit}|${digest}`).toString('base64') : null;
  return { status: 200, body: { bars: out, next_page_token: next } };
}

/** The CSV has no trade count or VWAP; the benchmark's model uses neither, so they are filled plainly. */
function toWire(b: Bar): WireBar {
  return { t: b.timestamp.toISOString().replace('.000Z', 'Z'), o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, n: b.tradeCount ?? 0, vw: b.vwap ?? (b.high + b.low + b.close) / 3 };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const reset = String(Math.floor(Date.now() / 1000) + 60);
  res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '199', 'x-ratelimit-reset': reset }).end(JSON.stringify(body));
}

function error(status: number, message: string): Answer {
  return { status, body: { code: 40010001, message } };
}

function parseTime(text: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
}

/** Every parameter but the page token, so a token only continues the query it came from. */
function queryDigest(q: URLSearchParams): string {
  const rest = [...q].filter(([k]) => k !== 'page_token').sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha1').update(JSON.stringify(rest)).digest('hex').slice(0, 12);
}
