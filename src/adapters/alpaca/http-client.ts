import type { z } from 'zod';
import { HttpClientError, MalformedResponseError } from '../../core/http/http-error.js';
import { describeUrl, requestJson } from '../../core/http/http-json.js';
import { withRetries } from '../../core/http/retry.js';
import { maskThenCut, registerSecret } from '../../core/redact.js';
import type { AlpacaClientOptions } from './config.js';
import { AlpacaNotAuthorizedError, isNotAuthorized } from './errors.js';
import {
  accountSchema,
  barsPageSchema,
  clockSchema,
  orderSchema,
  positionsSchema,
  type WireAccount,
  type WireBarsPage,
  type WireBarsQuery,
  type WireClock,
  type WireOrder,
  type WireOrderRequest,
  type WirePosition,
} from './schemas.js';

/**
 * The thin Alpaca client: one method per endpoint, returning Alpaca's own (zod-checked) wire types. It owns the
 * auth headers, retries of reads, the error hierarchy and the checks of every answer; converting to stockcast's
 * types, paging and order semantics belong to the adapters (market-data.ts, trading.ts).
 */
export class AlpacaHttpClient {
  private readonly baseUrl: string;

  constructor(private readonly o: AlpacaClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    registerSecret(o.keyId);
    registerSecret(o.secretKey);
  }

  /** An endpoint as messages name it: origin and path, never the query. */
  where(path: string): string {
    return describeUrl(`${this.baseUrl}${path}`);
  }

  /** GET /v2/clock. */
  getClock(): Promise<WireClock> {
    return this.get('/v2/clock', clockSchema);
  }

  /** GET /v2/account. */
  getAccount(): Promise<WireAccount> {
    return this.get('/v2/account', accountSchema);
  }

  /** GET /v2/positions (`[]` when flat). */
  getPositions(): Promise<WirePosition[]> {
    return this.get('/v2/positions', positionsSchema);
  }

  /** GET /v2/orders:by_client_order_id; null on 404 (no such order). */
  async getOrderByClientOrderId(clientOrderId: string): Promise<WireOrder | null> {
    try {
      return await this.get('/v2/orders:by_client_order_id', orderSchema, { client_order_id: clientOrderId });
    } catch (err) {
      if (err instanceof HttpClientError && err.status === 404) return null;
      throw err;
    }
  }

  /** POST /v2/orders, one attempt: whether to try again is the caller's decision (it must look the order up first). */
  postOrder(body: WireOrderRequest): Promise<WireOrder> {
    return this.send('POST', '/v2/orders', orderSchema, { body });
  }

  /** GET /v2/stocks/bars: one page of a multi-symbol request. */
  getStockBars(query: WireBarsQuery): Promise<WireBarsPage> {
    return this.get('/v2/stocks/bars', barsPageSchema, { ...query });
  }

  /** A read, retried on 429/5xx/network failures by the configured policy. */
  private get<S extends z.ZodType>(path: string, schema: S, query?: Record<string, string | undefined>): Promise<z.infer<S>> {
    return withRetries(() => this.send('GET', path, schema, { query }), this.o);
  }

  private async send<S extends z.ZodType>(method: string, path: string, schema: S, r: { query?: Record<string, string | undefined>; body?: unknown }): Promise<z.infer<S>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined) params.set(k, v);
    const url = `${this.baseUrl}${path}${params.size > 0 ? `?${params}` : ''}`;
    let res: { status: number; body: unknown };
    try {
      res = await requestJson<unknown>(url, { method, body: r.body, headers: this.headers(), fetch: this.o.fetch, timeoutMs: this.o.timeoutMs });
    } catch (err) {
      if (isNotAuthorized(err)) throw this.notAuthorized(err, path);
      throw err;
    }
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw new MalformedResponseError(`unexpected answer from ${this.where(path)}: ${describeIssue(parsed.error.issues[0]!, res.body)}`, res.status);
    return parsed.data;
  }

  private headers(): Record<string, string> {
    return { 'APCA-API-KEY-ID': this.o.keyId, 'APCA-API-SECRET-KEY': this.o.secretKey };
  }

  private notAuthorized(err: HttpClientError, path: string): AlpacaNotAuthorizedError {
    const hint =
      this.o.api === 'trading'
        ? 'paper and live accounts have different key pairs; the paper endpoint needs paper keys'
        : 'key id and secret of the same paper or live account; paper keys work for market data';
    return new AlpacaNotAuthorizedError(`Alpaca ${this.o.api}: not authorized (HTTP ${err.status} from ${this.where(path)}): check ALPACA_KEY and ALPACA_SECRET (${hint})`, { cause: err });
  }
}

/** One zod issue as a reader wants it: where in the answer, what was there, what was expected. */
function describeIssue(issue: z.core.$ZodIssue, body: unknown): string {
  let value: unknown = body;
  let path = '';
  for (const key of issue.path) {
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
    path += typeof key === 'number' ? `[${key}]` : `${path ? '.' : ''}${String(key)}`;
  }
  const shown = value === undefined ? 'missing' : maskThenCut(JSON.stringify(value) ?? String(value), 60);
  return `${path || 'the body'} is ${shown} (${issue.message})`;
}
