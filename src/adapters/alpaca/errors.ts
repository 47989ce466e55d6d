import { HttpClientError, type HttpError } from '../../core/http/http-error.js';
import { maskThenCut } from '../../core/redact.js';

/** Alpaca's error body `{code, message}` (contracts §9); the raw text when it is not JSON, as the Go SDK does. */
export interface AlpacaErrorBody {
  code?: number;
  message: string;
}

/** Decodes the `{code, message}` an Alpaca error answer carries. Never derive the status from `code`. */
export function alpacaErrorBody(err: HttpError): AlpacaErrorBody {
  const text = err.body ?? '';
  try {
    const j = JSON.parse(text) as { code?: unknown; message?: unknown };
    return { code: typeof j.code === 'number' ? j.code : undefined, message: typeof j.message === 'string' ? j.message : maskThenCut(text, 200) };
  } catch {
    return { message: maskThenCut(text, 200) };
  }
}

/** The credentials were refused: no request can succeed, so the whole operation stops with this. */
export class AlpacaNotAuthorizedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlpacaNotAuthorizedError';
  }
}

/**
 * 401, or a 403 without an Alpaca error code: bad or mismatched keys ("unauthorized", "forbidden."). A 403 that
 * carries a code (40310000 insufficient buying power, 42210000 subscription) is about the request, not the keys.
 */
export function isNotAuthorized(err: unknown): err is HttpClientError {
  if (!(err instanceof HttpClientError)) return false;
  if (err.status === 401) return true;
  const body = alpacaErrorBody(err);
  return err.status === 403 && body.code === undefined && !/subscription/i.test(body.message);
}

/** 403/422 "subscription does not permit …" (code 42210000): the plan may not query this feed or range. */
export function isSubscriptionRefusal(err: unknown): err is HttpClientError {
  if (!(err instanceof HttpClientError) || (err.status !== 403 && err.status !== 422)) return false;
  const body = alpacaErrorBody(err);
  return body.code === 42210000 || /subscription/i.test(body.message);
}

/** 422 "client_order_id must be unique": an order with this id exists already. */
export function isDuplicateClientOrderId(err: unknown): err is HttpClientError {
  return err instanceof HttpClientError && err.status === 422 && /client_order_id must be unique/i.test(alpacaErrorBody(err).message);
}

/** 403 (buying power, quantity held, account blocked) or 422 (invalid order): the broker refused the order itself. */
export function isOrderRefusal(err: unknown): err is HttpClientError {
  return err instanceof HttpClientError && (err.status === 403 || err.status === 422) && !isNotAuthorized(err);
}
