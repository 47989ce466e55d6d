import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerOrder, LedgerRun } from '../../src/store/order-ledger.js';
import { DuckDbOrderLedger } from '../../src/store/duckdb-order-ledger.js';
import { modelRunStatus, realisedTrades, replayRuns, tradeStatus, tradeStatusText, weeklyBreakdown, weeklyPerformance, weeklyPerformanceReport } from '../../src/trade/trade-report.js';

const every = (days: number) => async () => ({ intervalDays: days, from: 'test' });

const order = (orderType: 'buy' | 'sell', symbol: string, quantity: number, filledQty: number, price: number | null): LedgerOrder => ({
  symbol,
  quantity,
  orderType,
  clientOrderId: `sc-x-${orderType}-${symbol}`,
  status: filledQty === quantity ? 'filled' : filledQty > 0 ? 'partially_filled' : 'rejected',
  filledQty,
  filledAvgPrice: price,
  brokerOrderId: null,
});

const run = (runDate: string, orders: LedgerOrder[], runStatus: LedgerRun['runStatus'] = 'complete'): LedgerRun => ({
  modelId: 'm1',
  orderTimestamp: `${runDate}T05:00:00.000Z`,
  runDate,
  totalMoneyInvested: 0,
  moneyAvailable: 0,
  runStatus,
  orders,
  startedAt: `${runDate}T15:00:00.000Z`,
  updatedAt: `${runDate}T15:01:00.000Z`,
});

// Mon 6 Jan 2025 buys; Tue 7 Jan sells A (+100) and 3 of 5 B (570 for a cost of 600) and buys 2 A;
// Mon 13 Jan sells those 2 A (200 for 220) and the 2 B left over (420 for 400).
const RUNS = [
  run('2025-01-06', [order('buy', 'A', 10, 10, 100), order('buy', 'B', 5, 5, 200), order('buy', 'C', 1, 0, null)]),
  run('2025-01-07', [order('sell', 'A', 10, 10, 110), order('sell', 'B', 5, 3, 190), order('buy', 'A', 2, 2, 110)]),
  run('2025-01-13', [order('sell', 'A', 2, 2, 100), order('sell', 'B', 2, 2, 210)]),
];

test('realised trades cost each sell at what was held, carrying a partly sold position to the next run', () => {
  const trades = realisedTrades([...RUNS].reverse()).map((t) => ({ ...t, cost: Math.round(t.cost * 1e6) / 1e6 }));
  assert.deepEqual(trades, [
    { date: '2025-01-07', symbol: 'A', cost: 1000, proceeds: 1100 },
    { date: '2025-01-07', symbol: 'B', cost: 600, proceeds: 570 },
    { date: '2025-01-13', symbol: 'A', cost: 220, proceeds: 200 },
    { date: '2025-01-13', symbol: 'B', cost: 400, proceeds: 420 },
  ]);
});

test('open positions are the filled buys not yet sold, at their average cost; structured status and weeks', () => {
  // after 7 Jan: 2 A bought at 110 (the first 10 were sold) and 2 of the 5 B bought at 200 still held; C never filled
  const held = replayRuns(RUNS.slice(0, 2)).positions.map((p) => ({ ...p, cost: Math.round(p.cost * 1e6) / 1e6 }));
  assert.deepEqual(held, [
    { symbol: 'A', quantity: 2, cost: 220 },
    { symbol: 'B', quantity: 2, cost: 400 },
  ]);
  assert.deepEqual(replayRuns(RUNS).positions, [], 'everything was sold by 13 Jan');
  const status = modelRunStatus('m1', [...RUNS].reverse(), new Date('2025-01-15T15:00:00Z'), 1);
  assert.deepEqual({ ...status, realisedPnl: Math.round(status.realisedPnl * 1e6) / 1e6 }, {
    modelId: 'm1', lastRunDate: '2025-01-13', lastRunStatus: 'complete', nextDue: '2025-01-14', missed: true, realisedPnl: 70, unsettledOrders: 1,
  });
  // (the B sell of 7 Jan is partially filled: the broker may still fill it, so it counts as unsettled)
  const weeks = weeklyBreakdown(realisedTrades(RUNS));
  assert.deepEqual(weeks.weeks.map((w) => [w.week, Math.round(w.pnl * 100) / 100, Math.round(w.return * 1e5) / 1e5]), [
    ['2025-W02', 70, 0.04375],
    ['2025-W03', 0, 0],
  ]);
  assert.ok(Math.abs(weeks.meanWeeklyReturn - 0.021875) < 1e-12);
  assert.deepEqual(weeks.symbols.map((s) => [s.symbol, Math.round(s.pnl * 100) / 100]), [['A', 80], ['B', -10]]);
});

test('trade status flags a missed schedule and an unfinished run; performance ranks models by weekly return', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-report-'));
  const ledger = await DuckDbOrderLedger.open(join(dir, 'ledger.duckdb'));
  try {
    for (const r of RUNS) await ledger.putRun(r);
    await ledger.putRun({ ...run('2025-01-13', [order('buy', 'Z', 1, 1, 50)], 'buying'), modelId: 'm2' });

    const onTime = await tradeStatus(ledger, new Date('2025-01-14T15:00:00Z'), every(1));
    const m1 = tradeStatusText(onTime).split('\n').find((l) => l.startsWith('m1 '))!;
    assert.match(m1, /2025-01-13\s+complete\s+1\s+2025-01-14\s+70\.00\s+1\s+no$/);
    assert.match(tradeStatusText(onTime).split('\n').find((l) => l.startsWith('m2 '))!, /buying .* YES$/);
    assert.equal(onTime.missed, true, 'm2 left its run half done');

    await ledger.putRun({ ...run('2025-01-13', [order('buy', 'Z', 1, 1, 50)]), modelId: 'm2' });
    assert.equal((await tradeStatus(ledger, new Date('2025-01-14T15:00:00Z'), every(1))).missed, false);
    const late = await tradeStatus(ledger, new Date('2025-01-15T15:00:00Z'), every(1));
    assert.equal(late.missed, true, 'the run due on the 14th did not happen');
    assert.match(tradeStatusText(late).split('\n').find((l) => l.startsWith('m1 '))!, /YES$/);
    // each model is judged by its own interval: m2 trades every 3 days, so the 15th is not late for it
    const own = await tradeStatus(ledger, new Date('2025-01-15T15:00:00Z'), async (id) => (id === 'm2' ? { intervalDays: 3, from: 'its config' } : { intervalDays: 1, from: 'its config' }));
    assert.deepEqual(own.models.map((m) => [m.modelId, m.intervalDays, m.nextDue, m.missed]), [['m1', 1, '2025-01-14', true], ['m2', 3, '2025-01-16', false]]);

    const perf = await weeklyPerformance(ledger);
    // week 2: P&L 70 on a cost of 1600 = 4.375%; week 3: 0 on 620; mean 2.1875%. m2 has no closed trades.
    assert.match(perf, /^#1 m1: mean weekly return 2\.19% over 2 week\(s\)/);
    assert.match(perf, /2025-W02\s+P&L\s+70\.00\s+return\s+4\.38%/);
    assert.match(perf, /2025-W03\s+P&L\s+0\.00\s+return\s+0\.00%/);
    assert.match(perf, /A\s+80\.00\n\s+B\s+-10\.00/);
    assert.match(perf, /#2 m2: mean weekly return n\/a% over 0 week\(s\)/);
    const json = JSON.parse(JSON.stringify(await weeklyPerformanceReport(ledger))) as { models: Array<{ rank: number; modelId: string; meanWeeklyReturn: number | null; weeks: unknown[] }> };
    assert.deepEqual(json.models.map((m) => [m.rank, m.modelId, m.meanWeeklyReturn === null ? null : Math.round(m.meanWeeklyReturn * 1e6) / 1e6, m.weeks.length]), [[1, 'm1', 0.021875, 2], [2, 'm2', null, 0]]);
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
});
