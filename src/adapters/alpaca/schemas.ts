import { z } from 'zod';

// zod schemas of Alpaca's wire formats (contracts/alpaca-trading.md, alpaca-market-data.md): the venue's own
// shapes and names. Decimal money and quantities stay strings here (the reference example also shows a bare
// number); parsing.ts turns them into numbers, naming the field when one is not a decimal. Unknown keys are
// dropped, as the contract asks.

/** A decimal as Alpaca sends it: a JSON string ("100000", "0.5"), sometimes a number. */
const decimal = z.union([z.string(), z.number()]);
/** RFC-3339 with an offset: `Z` on orders and bars, New-York offsets (`-04:00`) on the clock; nanoseconds allowed. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
/** An RFC-3339 date-time with its own offset (never assume `Z`). */
const dateTime = z.string().regex(RFC3339, { error: 'expected an RFC-3339 date-time with an offset' });

/** GET /v2/clock. */
export const clockSchema = z.object({
  timestamp: dateTime,
  is_open: z.boolean(),
  next_open: dateTime,
  next_close: dateTime,
});
export type WireClock = z.infer<typeof clockSchema>;

/** GET /v2/account (the fields stockcast reads). */
export const accountSchema = z.object({
  cash: decimal,
  buying_power: decimal,
  equity: decimal,
  status: z.string().optional(),
  currency: z.string().optional(),
  trading_blocked: z.boolean().optional(),
});
export type WireAccount = z.infer<typeof accountSchema>;

/** One element of GET /v2/positions. */
export const positionSchema = z.object({
  symbol: z.string(),
  qty: decimal,
  market_value: decimal.nullable(),
  side: z.enum(['long', 'short']).optional(),
});
export type WirePosition = z.infer<typeof positionSchema>;
export const positionsSchema = z.array(positionSchema);

/** The Order object (contracts §7): every numeric is a string or null. */
export const orderSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: decimal.nullable(),
  notional: decimal.nullable().optional(),
  filled_qty: decimal,
  filled_avg_price: decimal.nullable(),
  status: z.string(),
  type: z.string().optional(),
  time_in_force: z.string().optional(),
  created_at: dateTime.optional(),
  submitted_at: dateTime.nullable().optional(),
  filled_at: dateTime.nullable().optional(),
});
export type WireOrder = z.infer<typeof orderSchema>;

/** POST /v2/orders body: a market day order for a decimal quantity (the subset every source accepts). */
export interface WireOrderRequest {
  symbol: string;
  qty: string;
  side: 'buy' | 'sell';
  type: 'market';
  time_in_force: 'day';
  client_order_id: string;
}

/** One bar of GET /v2/stocks/bars: prices are JSON numbers, volumes integers. */
export const barSchema = z.object({
  t: dateTime,
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  n: z.number().optional(),
  vw: z.number().optional(),
});
export type WireBar = z.infer<typeof barSchema>;

/** A page of GET /v2/stocks/bars: a missing key, `null` and `[]` all mean "no bars" for a symbol. */
export const barsPageSchema = z.object({
  bars: z.record(z.string(), z.array(barSchema).nullable()).nullable().optional(),
  next_page_token: z.string().nullable(),
});
export type WireBarsPage = z.infer<typeof barsPageSchema>;

/** Query of GET /v2/stocks/bars. */
export interface WireBarsQuery {
  symbols: string;
  timeframe: string;
  start: string;
  end: string;
  limit: string;
  adjustment: string;
  feed: string;
  sort: 'asc' | 'desc';
  page_token?: string;
}
