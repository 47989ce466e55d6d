import { brokerLabel, type Broker, type BrokerOrder } from '../broker/broker.js';
import { isUnsettled, type LedgerOrder, type LedgerRun } from '../store/order-ledger.js';
import { heldPositions, carriedIn, proceeds } from './run-accounting.js';
import { applyBrokerState, ledgerStatus } from './send-order.js';

/** One order an earlier run left unsettled, as reconciliation found it at the broker. */
export interface ReconcileChange {
  runDate: string;
  symbol: string;
  side: 'buy' | 'sell';
  clientOrderId: string;
  from: { status: LedgerOrder['status']; filledQty: number };
  to: { status: LedgerOrder['status']; filledQty: number; filledAvgPrice: number | null };
}

/** The ledger records an order the broker does not know: wrong account or keys, or a reset paper account. */
export class ReconcileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileError';
  }
}

/**
 * Settles every unsettled order of earlier runs with the broker, by client order id, before a run decides
 * anything: a fill a crashed run never recorded is recorded (so the model sells it and pays for it once), an
 * order planned but never sent is closed as `canceled`, and a run left part-way is marked `failed`. Changed
 * runs get their money recomputed and are passed to `save`. An order recorded as sent that the broker does
 * not know stops everything: something is wrong with the account, not with the run.
 */
export async function reconcileEarlierRuns(runs: LedgerRun[], broker: Broker, o: { save: (r: LedgerRun) => Promise<void>; now: () => string }): Promise<ReconcileChange[]> {
  const changes: ReconcileChange[] = [];
  for (const run of runs) {
    const open = run.orders.filter(isUnsettled);
    if (open.length === 0 && (run.runStatus === 'complete' || run.runStatus === 'failed')) continue;
    run.moneyCarried = carriedIn(run); // before any fill changes: older records derive it from the fills recorded
    const statusBefore = run.runStatus;
    const changesBefore = changes.length;
    for (const order of open) {
      const before = { status: order.status, filledQty: order.filledQty };
      const b = await broker.getOrderByClientId(order.clientOrderId);
      if (b) applyBrokerState(order, b);
      else if (order.status === 'planned') {
        order.status = 'canceled';
        order.error = `never sent: the run of ${run.runDate} stopped before sending it`;
      } else {
        throw new ReconcileError(`${run.modelId}: the ledger records ${order.orderType} ${order.symbol} of ${run.runDate} (${order.clientOrderId}) as ${order.status}, but ${broker.name} (${broker.mode}) does not know that order: is this the account it was sent to? Nothing was traded; compare with \`stockcast trade reconcile --model-id ${run.modelId}\``);
      }
      if (order.status !== before.status || order.filledQty !== before.filledQty) {
        changes.push({ runDate: run.runDate, symbol: order.symbol, side: order.orderType, clientOrderId: order.clientOrderId, from: before, to: { status: order.status, filledQty: order.filledQty, filledAvgPrice: order.filledAvgPrice } });
      }
    }
    if (run.runStatus !== 'complete' && !run.orders.some(isUnsettled)) run.runStatus = 'failed';
    if (changes.length === changesBefore && run.runStatus === statusBefore) continue; // still open at the broker: nothing new
    run.moneyAvailable = run.moneyCarried + proceeds(run.orders, 'sell');
    run.totalMoneyInvested = proceeds(run.orders, 'buy');
    run.reconciledAt = run.updatedAt = o.now();
    await o.save(run);
  }
  return changes;
}

/** One line per change: `2025-01-06 buy AAPL: submitted, 0 filled → filled 62.5 @ 200.00`. */
export function changeText(c: ReconcileChange): string {
  const fill = c.to.filledQty > 0 ? ` ${c.to.filledQty} @ ${(c.to.filledAvgPrice ?? 0).toFixed(2)}` : '';
  return `${c.runDate} ${c.side} ${c.symbol}: ${c.from.status}, ${c.from.filledQty} filled → ${c.to.status}${fill} [${c.clientOrderId}]`;
}

/** A difference between the ledger and the broker. */
export interface ReconcileDifference {
  kind: 'order' | 'never_sent' | 'missing_at_broker' | 'position';
  symbol: string;
  runDate?: string;
  side?: 'buy' | 'sell';
  clientOrderId?: string;
  ledger: { status?: LedgerOrder['status']; filledQty: number; filledAvgPrice?: number | null } | null;
  broker: { status?: BrokerOrder['status']; filledQty: number; filledAvgPrice?: number | null } | null;
  message: string;
}

/** What `trade reconcile` found for one model. */
export interface ReconcileReport {
  modelId: string;
  broker: string;
  checkedRuns: number;
  checkedOrders: number;
  /** Per symbol this model holds or traded in the runs checked: its holding, all ledger models', the account's. */
  positions: Array<{ symbol: string; model: number; allModels: number; account: number }>;
  differences: ReconcileDifference[];
}

/**
 * Compares one model's ledger with the broker, changing nothing: each order of its `recentRuns` newest runs and
 * every unsettled order of any run against the broker's order with that client order id, then the account's
 * position in every symbol involved against what all models in the ledger hold.
 */
export async function compareWithBroker(o: { modelId: string; runs: LedgerRun[]; allModelsHeld: Map<string, number>; broker: Broker; recentRuns: number }): Promise<ReconcileReport> {
  const scope = o.runs.filter((r, i) => i < o.recentRuns || r.orders.some(isUnsettled));
  const differences: ReconcileDifference[] = [];
  let checkedOrders = 0;
  const symbols = new Set(heldPositions(o.runs).map((p) => p.symbol));
  for (const run of scope) {
    for (const order of run.orders) {
      checkedOrders++;
      symbols.add(order.symbol);
      const d = orderDifference(run, order, await o.broker.getOrderByClientId(order.clientOrderId));
      if (d) differences.push(d);
    }
  }
  const account = new Map((await o.broker.getPositions()).map((p) => [p.symbol, p.qty]));
  const model = new Map(heldPositions(o.runs).map((p) => [p.symbol, p.qty]));
  const positions = [...symbols].sort().map((symbol) => ({ symbol, model: model.get(symbol) ?? 0, allModels: o.allModelsHeld.get(symbol) ?? 0, account: account.get(symbol) ?? 0 }));
  for (const p of positions) {
    if (Math.abs(p.account - p.allModels) <= 1e-6) continue;
    const who = p.allModels === p.model ? `${o.modelId} holds ${p.model}` : `the ledger's models hold ${p.allModels} (${o.modelId}: ${p.model})`;
    const why = p.account > p.allModels ? 'more than the ledger accounts for (a fill the ledger missed, or a trade outside stockcast)' : 'less than the ledger says (sold outside stockcast, or a fill recorded wrongly)';
    differences.push({ kind: 'position', symbol: p.symbol, ledger: { filledQty: p.allModels }, broker: { filledQty: p.account }, message: `position ${p.symbol}: ${who}; the account holds ${p.account}: ${why}` });
  }
  return { modelId: o.modelId, broker: brokerLabel(o.broker), checkedRuns: scope.length, checkedOrders, positions, differences };
}

/** How a ledger order differs from the broker's order with its client id, or null when they agree. */
function orderDifference(run: LedgerRun, order: LedgerOrder, b: BrokerOrder | null): ReconcileDifference | null {
  const base = { symbol: order.symbol, runDate: run.runDate, side: order.orderType, clientOrderId: order.clientOrderId, ledger: { status: order.status, filledQty: order.filledQty, filledAvgPrice: order.filledAvgPrice } };
  const what = `${run.runDate} ${order.orderType} ${order.symbol}`;
  if (!b) {
    if (order.status === 'rejected' || (order.status === 'canceled' && order.brokerOrderId === null)) return null;
    if (order.status === 'planned') return { ...base, kind: 'never_sent', broker: null, message: `${what}: planned, never reached the broker (the next run closes it as canceled)` };
    return { ...base, kind: 'missing_at_broker', broker: null, message: `${what}: the ledger says ${order.status} (${order.filledQty} filled); the broker has no order ${order.clientOrderId}` };
  }
  const same = ledgerStatus(b) === order.status && Math.abs(b.filledQty - order.filledQty) <= 1e-9 && (b.filledQty === 0 || Math.abs((b.filledAvgPrice ?? 0) - (order.filledAvgPrice ?? 0)) <= 1e-9);
  if (same) return null;
  const fill = (qty: number, price: number | null | undefined) => `${qty} filled${qty > 0 ? ` @ ${(price ?? 0).toFixed(2)}` : ''}`;
  return {
    ...base,
    kind: 'order',
    broker: { status: b.status, filledQty: b.filledQty, filledAvgPrice: b.filledAvgPrice },
    message: `${what}: the ledger says ${order.status}, ${fill(order.filledQty, order.filledAvgPrice)}; the broker says ${b.status}, ${fill(b.filledQty, b.filledAvgPrice)}`,
  };
}
