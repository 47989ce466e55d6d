import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A request a fake server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A scripted fault answered instead of the normal response. */
export type Fault =
  | { status: 429; retryAfter?: string; body?: string }
  | { status: 500 | 502 | 503 | 401 | 403; body?: string }
  | { malformed: true };

/** A handler returns a status, JSON body and extra headers. */
export type Handler = (req: SeenRequest) => { status: number; body: unknown; headers?: Record<string, string> };

/** A loopback HTTP server for protocol fakes: records requests, plays scripted faults first, then the handler. */
export class HttpFake {
  readonly requests: SeenRequest[] = [];
  readonly faults: Fault[] = [];
  private server = createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(private readonly handler: Handler) {}

  /** Starts listening on 127.0.0.1 with a random port. */
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const u = new URL(req.url ?? '/', 'http://fake');
    const seen: SeenRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body };
    this.requests.push(seen);
    const fault = this.faults.shift();
    if (fault) {
      if ('malformed' in fault) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"bars": {"AAPL": [');
      } else {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (fault.status === 429 && fault.retryAfter) headers['retry-after'] = fault.retryAfter;
        res.writeHead(fault.status, headers).end(fault.body ?? (fault.status === 429 ? 'Too Many Requests' : '{"message":"fault"}'));
      }
      return;
    }
    const out = this.handler(seen);
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers }).end(JSON.stringify(out.body));
  }
}
