import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientOrderId } from '../../src/broker/client-order-id.js';

test('client order ids are deterministic and at most 48 characters', () => {
  const id = clientOrderId('m1-medium-high-with-less-features-and-earnings-calendar-features', '2024-07-01', 'buy', 'GOOGL');
  assert.equal(id, clientOrderId('m1-medium-high-with-less-features-and-earnings-calendar-features', '2024-07-01', 'buy', 'GOOGL'));
  assert.match(id, /^sc-[0-9a-f]{8}-20240701-b-GOOGL$/);
  assert.ok(id.length <= 48);
  assert.notEqual(id, clientOrderId('other-model', '2024-07-01', 'buy', 'GOOGL'));
});
