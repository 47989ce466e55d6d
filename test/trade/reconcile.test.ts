import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeTrade } from '../../src/trade/execute-trade.js';
import { compareWithBroker } from '../../src/trade/reconcile.js';
import { heldPositions, modelCash } from '../../src/trade/run-accounting.js';
import type { OrderLedger } from '../../src/store/order-ledger.js';
import type { Broker } from '../../src/broker/broker.js';
import { assertLedgerMatchesBroker, crashingBroker, DAY2, DAY3, opts, picks, PRICES, setup } from './trade-fixture.js';

/** `trade reconcile`'s comparison for model m1 (the only model here). */
async function compare(ledger: OrderLedger, broker: Broker) {
  const runs = await ledger.listRuns('m1');
  return compareWithBroker({ modelId: 'm1', runs, allModelsHeld: new Map(heldPositions(runs).map((p) => [p.symbol, p.qty])), broker, recentRuns: 10 });
}

test('a run that crashed at any point and was not re-run that day: the next day reconciles it, sells exactly what it bought and counts its money once', async () => {
  // day 1's broker calls: clock (1), AAPL lookup (2) and submit (3), MSFT lookup (4) and submit (5)
  for (const crashAt of [1, 2, 3, 4, 5]) {
    for (const after of [false, true]) {
      const s = await setup();
      const at = `crash ${after ? 'after' : 'before'} call ${crashAt}`;
      try {
        await assert.rejects(executeTrade(opts(), { broker: crashingBroker(s.broker, crashAt, after), ledger: s.ledger, pickBuys: picks('AAPL', 'MSFT') }), /simulated crash/);
        const bought = new Map([...s.fake.positions].filter(([, q]) => q > 0));
        const day1Cost = [...bought].reduce((a, [sym, q]) => a + q * PRICES[sym as keyof typeof PRICES], 0);
        const before = await compare(s.ledger, s.broker);
        const recorded = (await s.ledger.listRuns('m1')).length > 0;
        assert.equal(before.differences.length > 0, recorded, `${at}: reconcile reports what the crashed run left unsettled`);
        const recordedFills = new Set((await s.ledger.listRuns('m1')).flatMap((r) => r.orders.filter((o) => o.filledQty > 0).map((o) => o.symbol)));
        for (const sym of [...bought.keys()].filter((x) => !recordedFills.has(x))) {
          assert.ok(before.differences.some((d) => d.kind === 'position' && d.symbol === sym), `${at}: the unrecorded ${sym} shows as a position the ledger lacks`);
        }

        s.fake.setNow(DAY2);
        const day2 = await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('NVDA') });
        assert.equal(day2.status, 'complete', at);
        const sold = new Map(s.fake.orders.filter((o) => o.side === 'sell').map((o) => [o.symbol, Number(o.qty)]));
        assert.deepEqual(sold, bought, `${at}: day 2 sells exactly what day 1 bought at the broker, nothing orphaned`);
        assert.deepEqual([...s.fake.positions].filter(([, q]) => q > 0).map(([sym]) => sym), ['NVDA'], at);
        assert.equal(day2.run!.moneyCarried, 25_000 - day1Cost, `${at}: day 1's spending counted once`);
        const sellProceeds = [...sold].reduce((a, [sym, q]) => a + q * PRICES[sym as keyof typeof PRICES], 0);
        assert.equal(day2.run!.moneyAvailable, 25_000 - day1Cost + sellProceeds);
        await assertLedgerMatchesBroker(s.ledger, s.fake);
        const [, day1] = await s.ledger.listRuns('m1');
        if (day1) {
          assert.equal(day1.runStatus, 'failed', `${at}: the interrupted run is marked so`);
          assert.ok(day1.reconciledAt);
          assert.equal(day1.totalMoneyInvested, day1Cost);
        }
        assert.deepEqual((await compare(s.ledger, s.broker)).differences, [], `${at}: ledger and broker agree afterwards`);
      } finally {
        await s.close();
      }
    }
  }
});

test('a late fill of an earlier run is picked up by the next reconciliation: sold then, paid for once', async () => {
  const s = await setup({ prices: PRICES, partial: { AAPL: 0.5 } });
  try {
    await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL') }); // 125 AAPL, 62.5 filled so far
    s.fake.setPartial('AAPL', 1);
    s.fake.setNow(DAY2);
    await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('NVDA') });
    assert.deepEqual(s.fake.orders.filter((o) => o.side === 'sell').map((o) => [o.symbol, o.qty]), [['AAPL', '62.5']]);
    s.fake.fillRest(s.fake.orders[0]!.client_order_id); // the day-1 order fills the rest after day 2 ran
    const drift = await compare(s.ledger, s.broker);
    assert.deepEqual(drift.differences.map((d) => d.kind).sort(), ['order', 'position']);
    assert.match(drift.differences.find((d) => d.kind === 'order')!.message, /2024-07-01 buy AAPL: the ledger says partially_filled, 62\.5 filled @ 200\.00; the broker says filled, 125 filled @ 200\.00/);
    assert.match(drift.differences.find((d) => d.kind === 'position')!.message, /position AAPL: m1 holds 0; the account holds 62\.5: more than the ledger accounts for/);
    s.fake.setNow(DAY3);
    const day3 = await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('MSFT') });
    assert.deepEqual(day3.reconciled.map((c) => [c.runDate, c.symbol, c.from.status, c.to.status, c.to.filledQty]), [['2024-07-01', 'AAPL', 'partially_filled', 'filled', 125]]);
    assert.deepEqual(day3.run!.orders.filter((o) => o.orderType === 'sell').map((o) => [o.symbol, o.quantity]).sort(), [['AAPL', 62.5], ['NVDA', 250]]);
    const runs = await s.ledger.listRuns('m1');
    assert.equal(modelCash(runs, 25_000), s.fake.orders.reduce((cash, o) => cash + (o.side === 'sell' ? 1 : -1) * Number(o.filled_qty) * Number(o.filled_avg_price), 25_000), 'the ledger’s money is the broker’s fills, once each');
    assert.deepEqual((await compare(s.ledger, s.broker)).differences, []);
  } finally {
    await s.close();
  }
});

test('an order the ledger records as sent but the broker does not know stops the run before anything is traded', async () => {
  const s = await setup();
  try {
    await executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('AAPL') });
    const [day1] = await s.ledger.listRuns('m1');
    day1!.orders[0]!.status = 'submitted';
    day1!.orders[0]!.clientOrderId = 'sc-other-account';
    await s.ledger.putRun(day1!);
    s.fake.setNow(DAY2);
    await assert.rejects(executeTrade(opts(), { broker: s.broker, ledger: s.ledger, pickBuys: picks('NVDA') }), /the ledger records buy AAPL of 2024-07-01 \(sc-other-account\) as submitted, but alpaca \(paper\) does not know that order: is this the account it was sent to\? Nothing was traded/);
    assert.equal(s.fake.orders.length, 1, 'no order sent');
    const report = await compare(s.ledger, s.broker);
    assert.deepEqual(report.differences.map((d) => d.kind), ['missing_at_broker']);
  } finally {
    await s.close();
  }
});

test('a dry run shows what reconciliation would settle, and records nothing', async () => {
  const s = await setup();
  try {
    // AAPL's submit reached the broker but its answer was lost; MSFT was never sent
    await assert.rejects(executeTrade(opts(), { broker: crashingBroker(s.broker, 3, true), ledger: s.ledger, pickBuys: picks('AAPL', 'MSFT') }), /simulated crash/);
    s.fake.setNow(DAY2);
    const before = JSON.stringify(await s.ledger.listRuns('m1'));
    const dry = await executeTrade(opts({ dryRun: true }), { broker: s.broker, ledger: s.ledger, pickBuys: picks('NVDA') });
    assert.equal(dry.status, 'dry_run');
    assert.deepEqual(dry.reconciled.map((c) => [c.symbol, c.from.status, c.to.status]), [['AAPL', 'planned', 'filled'], ['MSFT', 'planned', 'canceled']]);
    assert.match(dry.message, /sell AAPL .* qty +62\.500000 {2}planned/);
    assert.equal(JSON.stringify(await s.ledger.listRuns('m1')), before, 'the ledger is unchanged');
    assert.equal(s.fake.orders.length, 1);
  } finally {
    await s.close();
  }
});
