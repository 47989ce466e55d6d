/**
 * The daily execute-trade workflow (the seed's execute_buy), made crash-safe: every order is written to the
 * ledger as planned before it is sent, carries a deterministic client order id, and a re-run reconciles each
 * recorded order with the broker by that id before sending anything, so no order is ever sent twice. Orders an
 * earlier day's run left unsettled are reconciled first, so no position is orphaned and no money counted twice.
 */
import { brokerLabel, type Broker } from '../broker/broker.js';
import { clientOrderId } from '../broker/client-order-id.js';
import type { LedgerOrder, LedgerRun, OrderLedger } from '../store/order-ledger.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import { tradingDaysBetween } from '../core/nyse-calendar.js';
import { heldPositions, modelCash, proceeds } from './run-accounting.js';
import { reconcileEarlierRuns, changeText, type ReconcileChange } from './reconcile.js';
import { sendAndTrack, type SendContext } from './send-order.js';
import { planText } from './plan-text.js';

export { planText } from './plan-text.js';

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
  /** Makes the features the forecast needs complete up to the run's date (not a full backfill), or throws. */
  refresh?: (runDate: string) => Promise<void>;
  /** Forecast and strategy from data up to the run's date: the symbols to buy, best first. */
  pickBuys: (runDate: string) => Promise<BuyPick[]>;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  now?: () => Date;
}

/** What a run did (or, dry, would do). */
export interface TradeOutcome {
  status: 'market_closed' | 'not_due' | 'already_done' | 'dry_run' | 'complete';
  message: string;
  run?: LedgerRun;
  /** Orders of earlier runs this run settled with the broker (a dry run shows them without recording them). */
  reconciled: ReconcileChange[];
}

/** Every run of a model, for the replay of its money and holdings (far more than a model makes in decades). */
const ALL_RUNS = 1_000_000;

/** Runs the workflow once for one model. */
export async function executeTrade(o: TradeOptions, deps: TradeDeps): Promise<TradeOutcome> {
  const log = deps.log ?? (() => {});
  const stamp = () => (deps.now?.() ?? new Date()).toISOString();
  const save = async (r: LedgerRun) => {
    r.updatedAt = stamp();
    if (!o.dryRun) await deps.ledger.putRun(r);
  };
  const clock = await deps.broker.getClock();
  const runDate = nyDate(clock.timestamp);
  const history = await deps.ledger.listRuns(o.modelId, ALL_RUNS);
  const earlier = history.filter((r) => r.runDate < runDate);

  // 0. settle what earlier runs left open, before anything is decided from them
  const reconciled = await reconcileEarlierRuns(earlier, deps.broker, { save, now: stamp });
  for (const c of reconciled) log(`reconciled ${changeText(c)}${o.dryRun ? ' (dry run: not recorded)' : ''}`);
  const done = (status: TradeOutcome['status'], message: string, run?: LedgerRun): TradeOutcome => ({ status, message, run, reconciled });

  if (!clock.isOpen) return done('market_closed', `market closed; next open ${clock.nextOpen.toISOString()}`);
  let run: LedgerRun | null = history.find((r) => r.runDate === runDate) ?? null;
  if (run?.runStatus === 'complete') return done('already_done', `${o.modelId} already traded on ${runDate}`, run);
  const previous = earlier[0] ?? null;
  if (!run && previous) {
    // interval_days counted in trading days since the previous run
    const elapsed = tradingDaysBetween(previous.runDate, runDate).length - 1;
    if (elapsed < o.intervalDays) return done('not_due', `${o.modelId} last traded ${previous.runDate}; next run after ${o.intervalDays} trading day(s) (${elapsed} so far)`);
  }

  // refresh first: the sells and the forecast both need the run day's data, complete (only missing days are fetched)
  if (run?.runStatus !== 'buying') await deps.refresh?.(runDate);

  // 1. sell what this model holds (only that: several models may share one account)
  if (!run) {
    run = newRun(o, runDate, earlier, stamp(), brokerLabel(deps.broker));
    await save(run);
  }
  const send: SendContext = { broker: deps.broker, run, save, sleep: deps.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))), log, fillPolls: o.fillPolls, fillWaitMs: o.fillWaitMs };
  if (run.runStatus === 'selling') {
    const sells = run.orders.filter((x) => x.orderType === 'sell');
    if (!o.dryRun) for (const order of sells) await sendAndTrack(order, send);
    run.moneyAvailable = (run.moneyCarried ?? run.moneyAvailable) + (o.dryRun ? await estimateProceeds(deps.broker, sells) : proceeds(sells, 'sell'));
    run.runStatus = 'planned';
    await save(run);
  }

  // 2. forecast and plan the buys (recorded before any is sent)
  if (run.runStatus === 'planned' && !run.orders.some((x) => x.orderType === 'buy')) {
    run.orders.push(...planBuys(o, runDate, run.moneyAvailable, await deps.pickBuys(runDate)));
    run.runStatus = 'buying';
    await save(run);
  }
  if (o.dryRun) return done('dry_run', planText(run), run);

  // 3. send the buys, wait for fills, record everything
  for (const order of run.orders.filter((x) => x.orderType === 'buy')) await sendAndTrack(order, send);
  run.totalMoneyInvested = proceeds(run.orders, 'buy');
  run.runStatus = 'complete';
  await save(run);
  return done('complete', planText(run), run);
}

/**
 * A new run: sells of everything the model holds, replayed over all its earlier (reconciled) runs, and the
 * money it has, replayed the same way (its first run's starting money, plus proceeds, minus costs).
 */
function newRun(o: TradeOptions, runDate: string, earlier: LedgerRun[], now: string, broker: string): LedgerRun {
  const sells: LedgerOrder[] = heldPositions(earlier).map(({ symbol, qty }) => order(o.modelId, runDate, 'sell', symbol, qty));
  const carried = modelCash(earlier, o.startingMoney);
  return { modelId: o.modelId, orderTimestamp: nyMidnightUtc(runDate).toISOString(), runDate, totalMoneyInvested: 0, moneyAvailable: carried, moneyCarried: carried, runStatus: 'selling', orders: sells, startedAt: now, updatedAt: now, broker };
}

/** Splits the money over the picks under the per-run and per-order notional caps (fractional quantities). */
function planBuys(o: TradeOptions, runDate: string, money: number, picks: BuyPick[]): LedgerOrder[] {
  const budget = Math.min(money, o.maxRunNotional ?? Infinity);
  const each = picks.length ? budget / picks.length : 0;
  const out: LedgerOrder[] = [];
  for (const p of picks) {
    const notional = Math.min(each, o.maxOrderNotional ?? Infinity);
    const qty = Math.floor((notional / p.price) * 1e6) / 1e6;
    // brokers refuse fractional orders under $1
    if (qty * p.price >= 1) out.push(order(o.modelId, runDate, 'buy', p.symbol, qty));
  }
  return out;
}

function order(modelId: string, runDate: string, side: 'buy' | 'sell', symbol: string, quantity: number): LedgerOrder {
  return { symbol, quantity, orderType: side, clientOrderId: clientOrderId(modelId, runDate, side, symbol), status: 'planned', filledQty: 0, filledAvgPrice: null, brokerOrderId: null };
}

/** What planned sells would bring at the positions' current market value (for a dry run, which sends nothing). */
async function estimateProceeds(broker: Broker, sells: LedgerOrder[]): Promise<number> {
  const positions = new Map((await broker.getPositions()).map((p) => [p.symbol, p]));
  return sells.reduce((a, x) => {
    const p = positions.get(x.symbol);
    return a + (p && p.qty > 0 ? (p.marketValue / p.qty) * x.quantity : 0);
  }, 0);
}
