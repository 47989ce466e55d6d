import { isUnsettled, type LedgerRun, type OrderLedger } from '../store/order-ledger.js';
import { addTradingDays } from '../core/nyse-calendar.js';
import { nyDate } from '../core/ny-time.js';

/** A realised trade: one filled sell costed at the average cost of what the model held. */
export interface RealisedTrade {
  date: string;
  symbol: string;
  cost: number;
  proceeds: number;
}

/** What a model still holds after its runs: filled buys not yet sold, at their average cost. */
export interface OpenPosition {
  symbol: string;
  quantity: number;
  cost: number;
}

/**
 * Replays a model's runs in time order: realised P&L of each filled sell against the average cost of what the
 * model held (its filled buys, carried across runs until sold, so a sell that only partly filled is still costed
 * when its remainder sells later), and what is still held at the end.
 */
export function replayRuns(runs: LedgerRun[]): { trades: RealisedTrade[]; positions: OpenPosition[] } {
  const trades: RealisedTrade[] = [];
  const held = new Map<string, { qty: number; cost: number }>();
  for (const run of [...runs].sort((a, b) => a.orderTimestamp.localeCompare(b.orderTimestamp))) {
    for (const s of run.orders) {
      if (s.orderType !== 'sell' || s.filledQty <= 0) continue;
      const h = held.get(s.symbol);
      if (!h || h.qty <= 0) continue;
      const share = Math.min(1, s.filledQty / h.qty);
      trades.push({ date: run.runDate, symbol: s.symbol, cost: h.cost * share, proceeds: s.filledQty * (s.filledAvgPrice ?? 0) });
      h.qty -= Math.min(h.qty, s.filledQty);
      h.cost -= h.cost * share;
    }
    for (const b of run.orders) {
      if (b.orderType !== 'buy' || b.filledQty <= 0) continue;
      const h = held.get(b.symbol) ?? { qty: 0, cost: 0 };
      h.qty += b.filledQty;
      h.cost += b.filledQty * (b.filledAvgPrice ?? 0);
      held.set(b.symbol, h);
    }
  }
  const positions = [...held].filter(([, h]) => h.qty > 1e-9).map(([symbol, h]) => ({ symbol, quantity: h.qty, cost: h.cost }));
  return { trades, positions: positions.sort((a, b) => a.symbol.localeCompare(b.symbol)) };
}

/** Realised P&L of each filled sell (see `replayRuns`). */
export function realisedTrades(runs: LedgerRun[]): RealisedTrade[] {
  return replayRuns(runs).trades;
}

/** One model's schedule health: its last run, when the next is due, whether one was missed, realised P&L. */
export interface ModelRunStatus {
  modelId: string;
  lastRunDate: string;
  lastRunStatus: LedgerRun['runStatus'];
  nextDue: string;
  /** More than `intervalDays` trading days since the last run, or the last run left incomplete. */
  missed: boolean;
  realisedPnl: number;
  /** Orders of any run not yet final at the broker (the next run reconciles them). */
  unsettledOrders: number;
}

/** Schedule health of one model from its runs (newest first, as the ledger lists them). */
export function modelRunStatus(modelId: string, runs: LedgerRun[], now: Date, intervalDays: number): ModelRunStatus {
  const last = runs[0]!;
  const nextDue = addTradingDays(last.runDate, intervalDays);
  const missed = nextDue < nyDate(now) || last.runStatus !== 'complete';
  const realisedPnl = realisedTrades(runs).reduce((a, t) => a + t.proceeds - t.cost, 0);
  const unsettledOrders = runs.reduce((n, r) => n + r.orders.filter(isUnsettled).length, 0);
  return { modelId, lastRunDate: last.runDate, lastRunStatus: last.runStatus, nextDue, missed, realisedPnl, unsettledOrders };
}

/** Where a model's interval comes from: `--interval-days`, its configs.yaml entry, its artifact, or the default. */
export interface ModelInterval {
  intervalDays: number;
  from: string;
}

/** `trade status` for every model in the ledger. */
export interface TradeStatusReport {
  now: string;
  /** True when any model missed a run (the exit code is 2 then). */
  missed: boolean;
  models: Array<ModelRunStatus & ModelInterval>;
}

/**
 * Per model: the last run, whether a scheduled run was missed (more than its own `interval_days` trading days
 * since the last one, or a last run left incomplete), unsettled orders and realised P&L. `missed` lets a
 * scheduler alert on the exit code.
 */
export async function tradeStatus(ledger: OrderLedger, now: Date, intervalOf: (modelId: string) => Promise<ModelInterval>): Promise<TradeStatusReport> {
  const models: TradeStatusReport['models'] = [];
  for (const model of await ledger.listModels()) {
    const runs = await ledger.listRuns(model);
    if (runs.length === 0) continue;
    const interval = await intervalOf(model);
    models.push({ ...modelRunStatus(model, runs, now, interval.intervalDays), ...interval });
  }
  return { now: now.toISOString(), missed: models.some((m) => m.missed), models };
}

/** The status report as a table. */
export function tradeStatusText(r: TradeStatusReport): string {
  const lines = ['model                                   last run    status     every  next due    realised P&L  unsettled  missed?'];
  for (const s of r.models) {
    lines.push(`${s.modelId.padEnd(40)}${s.lastRunDate}  ${s.lastRunStatus.padEnd(9)}  ${String(s.intervalDays).padStart(5)}  ${s.nextDue}  ${s.realisedPnl.toFixed(2).padStart(12)}  ${String(s.unsettledOrders).padStart(9)}  ${s.missed ? 'YES' : 'no'}`);
  }
  if (lines.length === 1) lines.push('(no runs recorded yet)');
  else lines.push(...[...new Set(r.models.map((s) => s.from))].map((from) => `interval (trading days between runs) from ${from}: ${r.models.filter((s) => s.from === from).map((s) => s.modelId).join(', ')}`));
  return lines.join('\n');
}

/** Realised P&L of a model per ISO week (with the week's return on cost) and per symbol, and the mean weekly return. */
export interface WeeklyBreakdown {
  weeks: Array<{ week: string; cost: number; pnl: number; return: number }>;
  symbols: Array<{ symbol: string; pnl: number }>;
  /** Mean of the weekly returns; NaN without closed trades. */
  meanWeeklyReturn: number;
}

/** Groups realised trades by ISO week and by symbol (weeks in order, symbols best first). */
export function weeklyBreakdown(trades: RealisedTrade[]): WeeklyBreakdown {
  const weeks = new Map<string, { cost: number; pnl: number }>();
  const symbols = new Map<string, number>();
  for (const t of trades) {
    const w = isoWeek(t.date);
    const agg = weeks.get(w) ?? { cost: 0, pnl: 0 };
    agg.cost += t.cost;
    agg.pnl += t.proceeds - t.cost;
    weeks.set(w, agg);
    symbols.set(t.symbol, (symbols.get(t.symbol) ?? 0) + t.proceeds - t.cost);
  }
  const rows = [...weeks].sort().map(([week, v]) => ({ week, cost: v.cost, pnl: v.pnl, return: v.cost > 0 ? v.pnl / v.cost : 0 }));
  const mean = rows.length ? rows.reduce((a, w) => a + w.return, 0) / rows.length : NaN;
  const bySymbol = [...symbols].sort((a, b) => b[1] - a[1]).map(([symbol, pnl]) => ({ symbol, pnl }));
  return { weeks: rows, symbols: bySymbol, meanWeeklyReturn: mean };
}

/** `performance` for every model in the ledger, best mean weekly return first. */
export interface PerformanceReport {
  models: Array<{ rank: number; modelId: string } & Omit<WeeklyBreakdown, 'meanWeeklyReturn'> & { meanWeeklyReturn: number | null }>;
}

/** Models ranked by mean realised weekly return, with each week and each symbol's P&L. */
export async function weeklyPerformanceReport(ledger: OrderLedger): Promise<PerformanceReport> {
  const rows = [];
  for (const modelId of await ledger.listModels()) rows.push({ modelId, ...weeklyBreakdown(realisedTrades(await ledger.listRuns(modelId))) });
  const score = (m: number) => (Number.isFinite(m) ? m : -Infinity);
  rows.sort((a, b) => score(b.meanWeeklyReturn) - score(a.meanWeeklyReturn));
  return { models: rows.map((r, i) => ({ ...r, rank: i + 1, meanWeeklyReturn: Number.isFinite(r.meanWeeklyReturn) ? r.meanWeeklyReturn : null })) };
}

/** The performance report as text. */
export function performanceText(r: PerformanceReport): string {
  const blocks = r.models.map((m) => {
    const mean = m.meanWeeklyReturn;
    const weekLines = m.weeks.map((w) => `    ${w.week}  P&L ${w.pnl.toFixed(2).padStart(10)}  return ${(100 * w.return).toFixed(2).padStart(6)}%`);
    const symLines = m.symbols.map((s) => `    ${s.symbol.padEnd(8)} ${s.pnl.toFixed(2).padStart(10)}`);
    return `#${m.rank} ${m.modelId}: mean weekly return ${mean !== null ? (mean * 100).toFixed(2) : 'n/a'}% over ${m.weeks.length} week(s)\n  by week:\n${weekLines.join('\n') || '    (no closed trades)'}\n  by symbol:\n${symLines.join('\n') || '    (none)'}`;
  });
  return blocks.length ? blocks.join('\n\n') : '(no runs recorded yet)';
}

/** Models ranked by mean realised weekly return, as text. */
export async function weeklyPerformance(ledger: OrderLedger): Promise<string> {
  return performanceText(await weeklyPerformanceReport(ledger));
}

/** ISO week label, e.g. 2025-W02. */
function isoWeek(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((d.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
