import type { LedgerRun, OrderLedger } from '../store/order-ledger.js';
import { addTradingDays } from '../core/nyse-calendar.js';
import { nyDate } from '../core/ny-time.js';

/**
 * Realised P&L of each filled sell against the average cost of what the model held (its filled buys, carried
 * across runs until sold, so a sell that only partly filled is still costed when its remainder sells later).
 */
export function realisedTrades(runs: LedgerRun[]): Array<{ date: string; symbol: string; cost: number; proceeds: number }> {
  const out: Array<{ date: string; symbol: string; cost: number; proceeds: number }> = [];
  const held = new Map<string, { qty: number; cost: number }>();
  for (const run of [...runs].sort((a, b) => a.orderTimestamp.localeCompare(b.orderTimestamp))) {
    for (const s of run.orders) {
      if (s.orderType !== 'sell' || s.filledQty <= 0) continue;
      const h = held.get(s.symbol);
      if (!h || h.qty <= 0) continue;
      const share = Math.min(1, s.filledQty / h.qty);
      out.push({ date: run.runDate, symbol: s.symbol, cost: h.cost * share, proceeds: s.filledQty * (s.filledAvgPrice ?? 0) });
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
  return out;
}

/**
 * Per model: the last run, whether a scheduled run was missed (more than `intervalDays` trading days since the
 * last one, or a last run left incomplete), and realised P&L. `missed` lets a scheduler alert on the exit code.
 */
export async function tradeStatus(ledger: OrderLedger, now: Date, intervalDays: number): Promise<{ text: string; missed: boolean }> {
  const today = nyDate(now);
  const lines = ['model                                   last run    status     next due    realised P&L  missed?'];
  let missed = false;
  for (const model of await ledger.listModels()) {
    const runs = await ledger.listRuns(model);
    const last = runs[0]!;
    const due = addTradingDays(last.runDate, intervalDays);
    const late = due < today || last.runStatus !== 'complete';
    missed ||= late;
    const pnl = realisedTrades(runs).reduce((a, t) => a + t.proceeds - t.cost, 0);
    lines.push(`${model.padEnd(40)}${last.runDate}  ${last.runStatus.padEnd(9)}  ${due}  ${pnl.toFixed(2).padStart(12)}  ${late ? 'YES' : 'no'}`);
  }
  if (lines.length === 1) lines.push('(no runs recorded yet)');
  return { text: lines.join('\n'), missed };
}

/** Models ranked by mean realised weekly return, with each week and each symbol's P&L. */
export async function weeklyPerformance(ledger: OrderLedger): Promise<string> {
  const blocks: Array<{ model: string; mean: number; text: string }> = [];
  for (const model of await ledger.listModels()) {
    const trades = realisedTrades(await ledger.listRuns(model));
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
    const rets = [...weeks.values()].map((w) => (w.cost > 0 ? w.pnl / w.cost : 0));
    const mean = rets.length ? rets.reduce((a, b) => a + b, 0) / rets.length : NaN;
    const weekLines = [...weeks].sort().map(([w, v]) => `    ${w}  P&L ${v.pnl.toFixed(2).padStart(10)}  return ${(v.cost > 0 ? (100 * v.pnl) / v.cost : 0).toFixed(2).padStart(6)}%`);
    const best = [...symbols].sort((a, b) => b[1] - a[1]);
    const symLines = best.map(([s, p]) => `    ${s.padEnd(8)} ${p.toFixed(2).padStart(10)}`);
    blocks.push({ model, mean, text: `${model}: mean weekly return ${Number.isFinite(mean) ? (mean * 100).toFixed(2) : 'n/a'}% over ${weeks.size} week(s)\n  by week:\n${weekLines.join('\n') || '    (no closed trades)'}\n  by symbol:\n${symLines.join('\n') || '    (none)'}` });
  }
  blocks.sort((a, b) => (Number.isFinite(b.mean) ? b.mean : -Infinity) - (Number.isFinite(a.mean) ? a.mean : -Infinity));
  return blocks.length ? blocks.map((b, i) => `#${i + 1} ${b.text}`).join('\n\n') : '(no runs recorded yet)';
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
