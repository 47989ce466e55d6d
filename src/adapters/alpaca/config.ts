import type { RetryOptions } from '../../core/http/retry.js';

/** Alpaca's hosts (contracts/alpaca-trading.md §1, alpaca-market-data.md §1). */
export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_URL = 'https://api.alpaca.markets';
export const ALPACA_DATA_URL = 'https://data.alpaca.markets';

/** The key pair every Alpaca request carries; paper and live accounts have different pairs. */
export interface AlpacaCredentials {
  keyId: string;
  secretKey: string;
}

/** What the thin HTTP client needs: one host, the keys, the retry policy and the transport seam. */
export interface AlpacaClientOptions extends AlpacaCredentials, RetryOptions {
  /** The host, e.g. ALPACA_PAPER_URL or ALPACA_DATA_URL (a fake's URL in tests). */
  baseUrl: string;
  /** Which API this client speaks, for messages. */
  api: 'market data' | 'trading';
  /** Transport seam; defaults to global fetch. */
  fetch?: typeof fetch;
  /** Abort a request after this long (default 30 s). */
  timeoutMs?: number;
}

/** Options of the Alpaca Market Data v2 bars source. */
export interface AlpacaMarketDataOptions extends AlpacaCredentials, RetryOptions {
  /** Default ALPACA_DATA_URL. */
  baseUrl?: string;
  /** `iex` (default; the only feed a free key may query for recent data) or `sip`. */
  feed?: string;
  /** `split` (default, as the seed), `raw`, `dividend`, `all`, … */
  adjustment?: string;
  /** Symbols per request; each request is paged on its own (default 100). */
  symbolsPerRequest?: number;
  /** Data points per page, summed over all symbols (1–10000, default 10000). */
  limit?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Options of the Alpaca Trading API v2 broker. */
export interface AlpacaBrokerOptions extends AlpacaCredentials, RetryOptions {
  /** Trade live: needs `liveConfirmed` too (the --live flag and the config's live_trading, both). */
  live?: boolean;
  liveConfirmed?: boolean;
  /** Default: ALPACA_PAPER_URL, or ALPACA_LIVE_URL when live. */
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}
