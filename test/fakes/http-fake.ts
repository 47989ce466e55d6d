import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A request a fake server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A scripted fault answered instead of the normal response (one fault per request, in order). */
export type Fault =
  | { status: 429; retryAfter?: string; body?: string }
  | { status: number; body?: string }
  | { malformed: true; body?: string }
  | { drop: true };

/** What a handler answers: a JSON body, or `raw` text sent as is (HTML block pages and the like). */
export interface FakeAnswer {
  status: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** A handler turns a request into an answer. */
export type Handler = (req: SeenRequest) => FakeAnswer;

/** Options common to every fake. */
export interface HttpFakeOptions {
  /** Headers added to every answer, faults included (e.g. X-RateLimit-*). */
  headers?: () => Record<string, string>;
  /** The body a `{malformed: true}` fault sends (default: truncated JSON). */
  malformedBody?: string;
  /** Milliseconds to hold an answer after the handler ran (the server acted; the client has not heard yet). */
  delayAnswer?: (req: SeenRequest) => number;
}

/** A loopback HTTP server for protocol fakes: records requests, plays scripted faults first, then the handler. */
export class HttpFake {
  readonly requests: SeenRequest[] = [];
  readonly faults: Fault[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(
    private readonly handler: Handler,
    private readonly options: HttpFakeOptions = {},
  ) {}

  /** Starts listening on 127.0.0.1 with a random port. */
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  /** Stops the server, cutting keep-alive connections so the test process can exit. */
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
    const common = this.options.headers?.() ?? {};
    const fault = this.faults.shift();
    if (fault && 'drop' in fault) {
      req.socket.destroy();
      return;
    }
    if (fault && 'malformed' in fault) {
      res.writeHead(200, { ...common, 'content-type': 'application/json' }).end(fault.body ?? this.options.malformedBody ?? '{"data": [');
      return;
    }
    if (fault) {
      const headers: Record<string, string> = { ...common, 'content-type': 'application/json' };
      if ('retryAfter' in fault && fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      const text = fault.body ?? JSON.stringify({ message: fault.status === 429 ? 'too many requests' : `scripted fault ${fault.status}` });
      if (fault.body !== undefined && !fault.body.startsWith('{')) headers['content-type'] = 'text/plain';
      res.writeHead(fault.status, headers).end(text);
      return;
    }
    const out = this.handler(seen);
    const delay = this.options.delayAnswer?.(seen) ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (out.raw !== undefined) {
      res.writeHead(out.status, { ...common, 'content-type': 'text/html', ...out.headers }).end(out.raw);
      return;
    }
    res.writeHead(out.status, { ...common, 'content-type': 'application/json', ...out.headers }).end(JSON.stringify(out.body ?? null));
  }
}
