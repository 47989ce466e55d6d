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
