import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dec, formatQty, time, toClock, toOrder, toOrderRequest, toPosition } from '../../../src/adapters/alpaca/parsing.js';
import type { WireOrder } from '../../../src/adapters/alpaca/schemas.js';
import { OrderRejectedError } from '../../../src/broker/broker.js';
import { MalformedResponseError } from '../../../src/core/http/http-error.js';

const DECIMALS: Array<[wire: unknown, value: number]> = [
  ['100000', 100_000],
  ['0.5', 0.5],
  ['181.50', 181.5],
  ['-12.25', -12.25],
  ['.75', 0.75],
  ['1e3', 1000],
  [' 42 ', 42],
  [0, 0],
  [176531.28, 176531.28],
];

for (const [wire, value] of DECIMALS) {
  test(`dec(${JSON.stringify(wire)}) = ${value}`, () => {
    assert.equal(dec(wire, 'account.cash'), value);
  });
}

const NOT_DECIMALS: unknown[] = ['', 'abc', '12abc', '1,000', 'NaN', 'Infinity', null, undefined, true, {}, Number.NaN];

for (const wire of NOT_DECIMALS) {
  test(`dec(${wire === undefined ? 'undefined' : JSON.stringify(wire) ?? String(wire)}) throws naming the field, never 0`, () => {
    assert.throws(
      () => dec(wire, 'order sc-1.filled_avg_price'),
      (e: Error) => e instanceof MalformedResponseError && e.message.startsWith('Alpaca sent order sc-1.filled_avg_price = ') && /expected a decimal number/.test(e.message),
    );
  });
}

test('time keeps the offset: the clock answers in New-York time, orders in UTC with nanoseconds', () => {
  assert.equal(time('2024-07-03T10:07:04.451420928-04:00', 'clock.timestamp').toISOString(), '2024-07-03T14:07:04.451Z');
  assert.equal(time('2024-01-05T15:31:24.668464435Z', 'order.created_at').toISOString(), '2024-01-05T15:31:24.668Z');
  assert.throws(() => time('2024-07-03 10:07:04', 'clock.timestamp'), /clock\.timestamp = "2024-07-03 10:07:04": expected an RFC-3339 date-time/);
});

test('toClock reads the documented example', () => {
  const c = toClock({ timestamp: '2024-07-03T10:07:04.451420928-04:00', is_open: true, next_open: '2024-07-05T09:30:00-04:00', next_close: '2024-07-03T13:00:00-04:00' });
  assert.deepEqual(c, { timestamp: new Date('2024-07-03T14:07:04.451Z'), isOpen: true, nextOpen: new Date('2024-07-05T13:30:00Z'), nextClose: new Date('2024-07-03T17:00:00Z') });
});

const ORDER: WireOrder = {
  id: '7b08df51-c1ac-453c-99f9-323a5f075f0d',
  client_order_id: 'strat1-2024-01-05-AAPL-buy',
  symbol: 'AAPL',
  side: 'buy',
  qty: '3',
  notional: null,
  filled_qty: '1.5',
  filled_avg_price: '181.5',
  status: 'partially_filled',
  submitted_at: '2024-01-05T15:31:24.577215743Z',
  filled_at: null,
};

test('toOrder converts decimals and times; unknown statuses become other', () => {
  assert.deepEqual(toOrder(ORDER), {
    id: ORDER.id,
    clientOrderId: 'strat1-2024-01-05-AAPL-buy',
    symbol: 'AAPL',
    side: 'buy',
    qty: 3,
    filledQty: 1.5,
    filledAvgPrice: 181.5,
    status: 'partially_filled',
    submittedAt: new Date('2024-01-05T15:31:24.577Z'),
    filledAt: null,
  });
  assert.equal(toOrder({ ...ORDER, status: 'pending_new' }).status, 'other');
  assert.equal(toOrder({ ...ORDER, filled_avg_price: null, filled_qty: '0' }).filledAvgPrice, null);
});

test('toOrder refuses an unparseable fill instead of recording a zero price', () => {
  assert.throws(() => toOrder({ ...ORDER, filled_avg_price: 'n/a' }), /order strat1-2024-01-05-AAPL-buy\.filled_avg_price = "n\/a"/);
  assert.throws(() => toOrder({ ...ORDER, filled_qty: '' }), /order strat1-2024-01-05-AAPL-buy\.filled_qty = ""/);
});

test('toPosition keeps a short position negative and names the field on bad input', () => {
  assert.deepEqual(toPosition({ symbol: 'TSLA', qty: '-2', market_value: '-500.5', side: 'short' }), { symbol: 'TSLA', qty: -2, marketValue: -500.5 });
  assert.throws(() => toPosition({ symbol: 'TSLA', qty: 'two', market_value: '1' }), /position TSLA\.qty = "two"/);
});

test('order requests: quantities as decimal strings with at most 9 decimals; a non-finite quantity is refused locally', () => {
  assert.deepEqual([2.5, 62.5, 1, 0.123456789123, 31.25].map(formatQty), ['2.5', '62.5', '1', '0.123456789', '31.25']);
  assert.deepEqual(toOrderRequest({ symbol: 'AAPL', side: 'sell', qty: 2.5, clientOrderId: 'c1' }), { symbol: 'AAPL', qty: '2.5', side: 'sell', type: 'market', time_in_force: 'day', client_order_id: 'c1' });
  for (const qty of [Number.NaN, Infinity]) {
    assert.throws(() => toOrderRequest({ symbol: 'AAPL', side: 'buy', qty, clientOrderId: 'c1' }), (e: Error) => e instanceof OrderRejectedError && e.status === 422);
  }
});
