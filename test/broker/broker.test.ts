import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaBroker } from '../../src/adapters/alpaca/trading.js';
import { PaperBroker } from '../../src/broker/paper-broker.js';
import { startTradingFake } from '../fakes/alpaca-trading-fake.js';
import { runBrokerContract } from './broker-contract.js';

runBrokerContract('AlpacaBroker over HTTP to the trading fake', async ({ now, cash, prices }) => {
  const keys = { id: 'PKCONTRACT', secret: 'contract-secret' };
  const fake = await startTradingFake({ keys, now: now.toISOString(), cash, prices: { ...prices } });
  return {
    broker: new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: fake.url }),
    fillPartly: (symbol, fraction) => fake.setPartial(symbol, fraction),
    close: () => fake.close(),
  };
});

runBrokerContract('PaperBroker (local file)', async ({ now, cash, prices }) => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-paper-'));
  return {
    broker: new PaperBroker({ statePath: join(dir, 'paper-broker.json'), now: () => now, startingCash: cash, priceOn: async (symbol) => prices[symbol] ?? null }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

test('two local paper broker handles on one state file (two models trading at once) never lose an order or a fill', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-paper-'));
  try {
    const open = () => new PaperBroker({ statePath: join(dir, 'paper-broker.json'), now: () => new Date('2024-07-01T14:07:04Z'), startingCash: 100_000, priceOn: async () => (await new Promise((r) => setTimeout(r, Math.random() * 5)), 10) });
    const [a, b] = [open(), open()];
    const orders = Array.from({ length: 24 }, (_, i) => ({ broker: i % 2 ? a : b, req: { clientOrderId: `c-${i}`, symbol: `S${i % 3}`, side: 'buy' as const, qty: 1 + i } }));
    await Promise.all(orders.map(({ broker, req }) => broker.submitOrder(req)));
    await Promise.all(orders.map(({ broker, req }) => broker.submitOrder(req))); // resubmitted: the same orders
    const fresh = open();
    for (const { req } of orders) assert.equal((await fresh.getOrderByClientId(req.clientOrderId))?.filledQty, req.qty);
    const bought = orders.reduce((sum, { req }) => sum + req.qty, 0);
    assert.equal((await fresh.getAccount()).cash, 100_000 - 10 * bought, 'every fill paid for exactly once');
    assert.equal((await fresh.getPositions()).reduce((sum, p) => sum + p.qty, 0), bought);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
