import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlpacaBroker } from '../../src/adapters/alpaca/trading.js';
import { executeTrade } from '../../src/trade/execute-trade.js';
import { startTradingFake } from '../fakes/alpaca-trading-fake.js';
import { assertLedgerMatchesBroker, crashingBroker, DAY2, keys, opts, picks, PRICES, setup } from './trade-fixture.js';

test('first run buys the picks with the starting money; a re-run the same day does nothing', async () => {
  const s = await setup();
  try {
    const out = await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL', 'MSFT') });
    assert.equal(out.status, 'complete');
    assert.deepEqual(s.fake.orders.map((o) => [o.symbol, o.side, o.qty]), [['AAPL', 'buy', '62.5'], ['MSFT', 'buy', '31.25']]);
    assert.equal(out.run!.totalMoneyInvested, 25_000);
    const again = await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('NVDA') });
    assert.equal(again.status, 'already_done');
    assert.equal(s.fake.orders.length, 2);
    await assertLedgerMatchesBroker(s.ledger, s.fake);
  } finally {
    await s.close();
  }
});

test('a crash after any step, then a re-run: no duplicate orders and a ledger that matches the broker', async () => {
  // crash points: the n-th broker call of the first day, then of the second day (sells + buys)
  for (const crashAt of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const s = await setup();
    try {
      await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL', 'MSFT') });
      s.fake.setNow(DAY2);
      const crashing = crashingBroker(s.broker, crashAt, crashAt % 2 === 0);
      const first = await executeTrade(opts(), { broker: crashing, ledger: s.ledger, pickBuys: picks('NVDA', 'AAPL') }).catch((e: Error) => e);
      const second = await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('NVDA', 'AAPL') });
      assert.ok(first instanceof Error ? /simulated crash/.test(first.message) : true);
      assert.ok(second.status === 'complete' || second.status === 'already_done', `crash at ${crashAt}: ${second.status}`);
      await assertLedgerMatchesBroker(s.ledger, s.fake);
      // day 2 sold exactly day 1's buys and bought the new picks, each once
      const day2 = s.fake.orders.slice(2).map((o) => `${o.side}:${o.symbol}`).sort();
      assert.deepEqual(day2, ['buy:AAPL', 'buy:NVDA', 'sell:AAPL', 'sell:MSFT'], `crash at ${crashAt}`);
    } finally {
      await s.close();
    }
  }
});

test('two models on one account stay isolated: each sells only what it bought', async () => {
  const s = await setup();
  try {
    await executeTrade(opts({ modelId: 'a' }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL') });
    await executeTrade(opts({ modelId: 'b', startingMoney: 10_000 }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL', 'NVDA') });
    s.fake.setNow(DAY2);
    await executeTrade(opts({ modelId: 'a' }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('MSFT') });
    const sells = s.fake.orders.filter((o) => o.side === 'sell').map((o) => [o.symbol, o.qty]);
    assert.deepEqual(sells, [['AAPL', '125']], 'model a sells its 125 AAPL, not b’s AAPL or NVDA');
    assert.equal(s.fake.positions.get('AAPL'), 25, "model b's 25 AAPL (5000 / 200) remain");
  } finally {
    await s.close();
  }
});

test('a rejected order and a partial fill are recorded; the next run sells only what was filled', async () => {
  const s = await setup({ prices: PRICES, rejectSymbols: ['MSFT'], partial: { AAPL: 0.5 } });
  try {
    const out = await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL', 'MSFT') });
    const bySymbol = Object.fromEntries(out.run!.orders.map((o) => [o.symbol, o]));
    assert.equal(bySymbol.MSFT!.status, 'rejected');
    assert.match(bySymbol.MSFT!.error!, /not tradable/);
    assert.equal(bySymbol.AAPL!.status, 'partially_filled');
    assert.equal(bySymbol.AAPL!.filledQty, 31.25);
    s.fake.setNow(DAY2);
    await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('NVDA') });
    const sell = s.fake.orders.find((o) => o.side === 'sell')!;
    assert.equal(sell.qty, '31.25');
  } finally {
    await s.close();
  }
});

test('dry run prints the plan and sends nothing; a closed market and a run not yet due do nothing', async () => {
  const s = await setup();
  try {
    const dry = await executeTrade(opts({ dryRun: true }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL') });
    assert.equal(dry.status, 'dry_run');
    assert.match(dry.message, /buy {2}AAPL/);
    assert.equal(s.fake.orders.length, 0);
    assert.equal(await s.ledger.latestRun('m1'), null);
    await executeTrade(opts({ intervalDays: 2 }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL') });
    s.fake.setNow(DAY2);
    const notDue = await executeTrade(opts({ intervalDays: 2 }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL') });
    assert.equal(notDue.status, 'not_due');
    const closed = await startTradingFake({ keys, prices: PRICES, isOpen: false });
    const out = await executeTrade(opts(), { broker: new AlpacaBroker({ keyId: keys.id, secretKey: keys.secret, baseUrl: closed.url }), ledger: s.ledger, pickBuys: picks('AAPL') });
    assert.equal(out.status, 'market_closed');
    await closed.close();
  } finally {
    await s.close();
  }
});

test('per-order and per-run notional limits cap the buys', async () => {
  const s = await setup();
  try {
    await executeTrade(opts({ maxOrderNotional: 5_000, maxRunNotional: 8_000 }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL', 'MSFT') });
    // 8000 over two picks → 4000 each (under the 5000 order cap)
    assert.deepEqual(s.fake.orders.map((o) => Number(o.qty) * PRICES[o.symbol as keyof typeof PRICES]), [4000, 4000]);
  } finally {
    await s.close();
  }
});
