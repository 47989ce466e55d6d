import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactSecrets } from '../core/redact.js';
import { ApiError } from './api-error.js';
import { answerApi } from './api-routes.js';
import { indexPage, staticAsset } from './static-assets.js';
import type { DashboardSources } from './sources.js';

/** Where and how the dashboard listens. */
export interface DashboardOptions {
  sources: DashboardSources;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 8750; 0 picks a free port. */
  port?: number;
  /** Where request failures are reported (default: stderr). */
  log?: (line: string) => void;
}

/** A running dashboard. */
export interface RunningDashboard {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const PAGES = [/^\/$/, /^\/models\/[^/]+$/, /^\/forecasts$/, /^\/trading$/, /^\/data$/];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Starts the read-only dashboard; resolves once it listens. */
export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  const host = o.host ?? '127.0.0.1';
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const loopbackOnly = LOOPBACK_HOSTS.has(host);
  const server = createServer((req, res) => {
    handle(req, res, o.sources, loopbackOnly).catch((err: unknown) => {
      log(`serve: ${req.method} ${req.url}: ${redactSecrets(String((err as Error)?.stack ?? err))}`);
      if (!res.headersSent) send(res, 500, 'application/json; charset=utf-8', json({ error: 'internal error' }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 8750, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, sources: DashboardSources, loopbackOnly: boolean): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'application/json; charset=utf-8', json({ error: 'the dashboard is read-only: only GET and HEAD' }));
  }
  // a page on another site must not reach a loopback dashboard through a rebound DNS name
  const hostname = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (loopbackOnly && !LOOPBACK_HOSTS.has(hostname)) return send(res, 403, 'application/json; charset=utf-8', json({ error: 'unexpected Host header for a loopback-only dashboard' }));
  if (url.pathname.startsWith('/api/')) return sendApi(res, url, sources);
  const asset = await staticAsset(url.pathname);
  if (asset) return send(res, 200, asset.type, asset.body, 'public, max-age=300');
  // every page loads the one front end, which renders the page named by the path (or "no such page")
  const known = PAGES.some((p) => p.test(url.pathname));
  send(res, known ? 200 : 404, 'text/html; charset=utf-8', await indexPage());
}

async function sendApi(res: ServerResponse, url: URL, sources: DashboardSources): Promise<void> {
  try {
    send(res, 200, 'application/json; charset=utf-8', json(await answerApi(url.pathname, url.searchParams, sources)));
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 500;
    const hint = err instanceof ApiError ? err.hint : undefined;
    send(res, status, 'application/json; charset=utf-8', json({ error: String((err as Error)?.message ?? err), ...(hint ? { hint } : {}), status }));
  }
}

/** JSON with NaN and ±Infinity as null, secrets masked. */
function json(value: unknown): string {
  return redactSecrets(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-store'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': cache, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
