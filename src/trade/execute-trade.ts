/**
 * The daily execute-trade workflow (the seed's execute_buy), made crash-safe: every order is written to the
 * ledger as planned before it is sent, carries a deterministic client order id, and a re-run reconciles each
 * recorded order with the broker by that id before sending anything, so no order is ever sent twice.
 */
import type { Broker, BrokerOrder } from '../broker/broker.js';
import { isTerminal, OrderRejectedError } from '../broker/broker.js';
import { clientOrderId } from '../broker/client-order-id.js';
import type { LedgerOrder, LedgerRun, OrderLedger } from '../store/order-ledger.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import { tradingDaysBetween } from '../core/nyse-calendar.js';

/** A buy candidate from the strategy: symbol and the price used for sizing. */
export interface BuyPick {
  symbol: string;
  price: number;
}

/** Settings of one trade run. */
export interface TradeOptions {
  modelId: string;
  intervalDays: number;
  startingMoney: number;
  dryRun: boolean;
  maxOrderNotional?: number;
  maxRunNotional?: number;
  /** Polling for fills: attempts and wait between them. */
  fillPolls?: number;
  fillWaitMs?: number;
}

/** The adapters and steps the workflow calls. */
export interface TradeDeps {
  broker: Broker;
  ledger: OrderLedger;
  /** Refreshes the recent days of features the forecast needs (not a full backfill). */
  refresh?: () => Promise<void>;
  /** Forecast and strategy: the symbols to buy, best first. */
  pickBuys: () => Promise<BuyPick[]>;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  now?: () => Date;
}

/** What a run did (or, dry, would do). */
export interface TradeOutcome {
  status: 'market_closed' | 'not_due' | 'already_done' | 'dry_run' | 'complete';
  message: string;
  run?: LedgerRun;
}

/** Runs the workflow once for one model. */
export async function executeTrade(o: TradeOptions, deps: TradeDeps): Promise<TradeOutcome> {
  const log = deps.log ?? (() => {});
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const clock = await deps.broker.getClock();
  if (!clock.isOpen) return { status: 'market_closed', message: `market closed; next open ${clock.nextOpen.toISOString()}` };
  const runDate = nyDate(clock.timestamp);
  const orderTimestamp = nyMidnightUtc(runDate).toISOString();
  const latest = await deps.ledger.latestRun(o.modelId);
  let run: LedgerRun | null = latest && latest.runDate === runDate ? latest : null;
  if (run?.runStatus === 'complete') return { status: 'already_done', message: `${o.modelId} already traded on ${runDate}`, run };
  const previous = run ? (await deps.ledger.listRuns(o.modelId, 2)).find((r) => r.runDate !== runDate) ?? null : latest;
  if (!run && previous) {
    // interval_days counted in trading days since the previous run
    const elapsed = tradingDaysBetween(previous.runDate, runDate).length - 1;
    if (elapsed < o.intervalDays) return { status: 'not_due', message: `${o.modelId} last traded ${previous.runDate}; next run after ${o.intervalDays} trading day(s) (${elapsed} so far)` };
  }
  const stamp = () => (deps.now?.() ?? new Date()).toISOString();
  const save = async (r: LedgerRun) => {
    r.updatedAt = stamp();
    if (!o.dryRun) await deps.ledger.putRun(r);
  };

  // refresh first: the sells and the forecast both need today's prices (only missing days are fetched)
  if (run?.runStatus !== 'buying') await deps.refresh?.();

  // 1. sell what this model holds from its last run (only that: several models may share one account)
  if (!run) {
    const sells: LedgerOrder[] = heldFrom(previous).map(({ symbol, qty }) => ({ symbol, quantity: qty, orderType: 'sell', clientOrderId: clientOrderId(o.modelId, runDate, 'sell', symbol), status: 'planned', filledQty: 0, filledAvgPrice: null, brokerOrderId: null }));
    // money not invested last time stays with the model; the sells add their proceeds below
    const carried = previous ? previous.moneyAvailable - previous.totalMoneyInvested : o.startingMoney;
    run = { modelId: o.modelId, orderTimestamp, runDate, totalMoneyInvested: 0, moneyAvailable: carried, runStatus: 'selling', orders: sells, startedAt: stamp(), updatedAt: stamp() };
    await save(run);
  }
  const send: SendContext = { options: o, broker: deps.broker, run, save, sleep, log };
  if (run.runStatus === 'selling') {
    for (const order of run.orders.filter((x) => x.orderType === 'sell')) await sendAndTrack(order, send);
    const sold = run.orders.filter((x) => x.orderType === 'sell');
    run.moneyAvailable += o.dryRun ? await estimateProceeds(deps.broker, sold) : sold.reduce((a, x) => a + x.filledQty * (x.filledAvgPrice ?? 0), 0);
    run.runStatus = 'planned';
    await save(run);
  }

  // 2. forecast and plan the buys (recorded before any is sent)
  if (run.runStatus === 'planned' && !run.orders.some((x) => x.orderType === 'buy')) {
    const picks = await deps.pickBuys();
    const budget = Math.min(run.moneyAvailable, o.maxRunNotional ?? Infinity);
    const each = picks.length ? budget / picks.length : 0;
    for (const p of picks) {
      const notional = Math.min(each, o.maxOrderNotional ?? Infinity);
      const qty = Math.floor((notional / p.price) * 1e6) / 1e6;
      // brokers refuse fractional orders under $1
      if (qty * p.price < 1) continue;
      run.orders.push({ symbol: p.symbol, quantity: qty, orderType: 'buy', clientOrderId: clientOrderId(o.modelId, runDate, 'buy', p.symbol), status: 'planned', filledQty: 0, filledAvgPrice: null, brokerOrderId: null });
    }
    run.runStatus = 'buying';
    await save(run);
  }
  if (o.dryRun) {
    return { status: 'dry_run', message: planText(run), run };
  }

  // 3. send the buys, wait for fills, record everything
  for (const order of run.orders.filter((x) => x.orderType === 'buy')) await sendAndTrack(order, send);
  run.totalMoneyInvested = run.orders.filter((x) => x.orderType === 'buy').reduce((a, x) => a + x.filledQty * (x.filledAvgPrice ?? 0), 0);
  run.runStatus = 'complete';
  await save(run);
  return { status: 'complete', message: planText(run), run };
}

/** What sending one order needs from its run: the settings, the broker, the run record and how to save it. */
interface SendContext {
  options: Pick<TradeOptions, 'dryRun' | 'fillPolls' | 'fillWaitMs'>;
  broker: Broker;
  run: LedgerRun;
  save: (r: LedgerRun) => Promise<void>;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

/** Sends one order unless the broker already has it (by client order id), then polls until it settles. */
async function sendAndTrack(order: LedgerOrder, ctx: SendContext): Promise<void> {
  const { options: o, broker, run, save, sleep, log } = ctx;
  if (order.status === 'filled' || order.status === 'rejected' || order.status === 'canceled') return;
  if (o.dryRun) return;
  let b: BrokerOrder | null = await broker.getOrderByClientId(order.clientOrderId);
  if (!b) {
    try {
      b = await broker.submitOrder({ symbol: order.symbol, side: order.orderType, qty: order.quantity, clientOrderId: order.clientOrderId });
    } catch (err) {
      if (!(err instanceof OrderRejectedError)) throw err;
      order.status = 'rejected';
      order.error = err.reason;
      log(`${order.orderType} ${order.symbol} rejected: ${err.reason}`);
      await save(run);
      return;
    }
  }
  order.brokerOrderId = b.id;
  order.status = 'submitted';
  await save(run);
  for (let i = 0; i < (o.fillPolls ?? 30) && !isTerminal(b.status); i++) {
    await sleep(o.fillWaitMs ?? 2000);
    b = (await broker.getOrderByClientId(order.clientOrderId)) ?? b;
  }
  order.filledQty = b.filledQty;
  order.filledAvgPrice = b.filledAvgPrice;
  order.status = b.status === 'filled' ? 'filled' : b.filledQty > 0 ? 'partially_filled' : b.status === 'rejected' ? 'rejected' : b.status === 'canceled' || b.status === 'expired' ? 'canceled' : 'submitted';
  if (order.status !== 'filled') log(`${order.orderType} ${order.symbol}: ${order.status} (${b.filledQty} of ${order.quantity})`);
  await save(run);
}

/**
 * What the model still holds after its previous run: that run's filled buys plus anything its own sells did not
 * get rid of (a rejected or partly filled sell is retried next time rather than orphaned).
 */
function heldFrom(previous: LedgerRun | null): Array<{ symbol: string; qty: number }> {
  const held = new Map<string, number>();
  for (const x of previous?.orders ?? []) {
    if (x.orderType === 'buy' && x.filledQty > 0) held.set(x.symbol, (held.get(x.symbol) ?? 0) + x.filledQty);
    if (x.orderType === 'sell' && x.quantity - x.filledQty > 1e-9) held.set(x.symbol, (held.get(x.symbol) ?? 0) + x.quantity - x.filledQty);
  }
  return [...held].map(([symbol, qty]) => ({ symbol, qty: Math.round(qty * 1e9) / 1e9 }));
}

/** What planned sells would bring at the positions' current market value (for a dry run, which sends nothing). */
async function estimateProceeds(broker: Broker, sells: LedgerOrder[]): Promise<number> {
  const positions = new Map((await broker.getPositions()).map((p) => [p.symbol, p]));
  return sells.reduce((a, x) => {
    const p = positions.get(x.symbol);
    return a + (p && p.qty > 0 ? (p.marketValue / p.qty) * x.quantity : 0);
  }, 0);
}

/** The run's orders as a readable table. */
export function planText(run: LedgerRun): string {
  const lines = [`${run.modelId} on ${run.runDate}: money available ${run.moneyAvailable.toFixed(2)}, run ${run.runStatus}`];
  for (const x of run.orders) {
    const fill = x.filledQty > 0 ? ` ${x.filledQty} @ ${(x.filledAvgPrice ?? 0).toFixed(2)}` : '';
    lines.push(`  ${x.orderType.padEnd(4)} ${x.symbol.padEnd(8)} qty ${x.quantity.toFixed(6).padStart(14)}  ${x.status}${fill}${x.error ? ` (${x.error})` : ''}  [${x.clientOrderId}]`);
  }
  return lines.join('\n');
}
