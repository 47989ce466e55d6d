import type { PredictionTable } from '../core/prediction-table.js';
import { rowsByTime } from '../core/prediction-table.js';
import { maxDrawdown, sharpe, type SharpeFigures } from './sharpe.js';
import { nyDate } from '../core/ny-time.js';
import type { StrategySettings } from '../strategies/strategy-settings.js';
import { buysOn, investableMoney, pickerFor, validateStrategy, type PickFn } from '../strategies/registry.js';

export type { PickFn } from '../strategies/registry.js';

/** One holding period of a run. */
export interface Period {
  buyTime: number;
  sellTime: number;
  symbols: string[];
  invested: number;
  proceeds: number;
  tax: number;
  /** Money after the period (after tax). */
  money: number;
  /**
   * Return of the period on all the money held before it, invested or not: without compound_money at most the
   * starting money is invested and profits above it sit idle, diluting this return. Sharpe is computed from it.
   */
  ret: number;
}

/** Figures of one strategy run. */
export interface RunResult {
  finalMoney: number;
  totalReturn: number;
  sharpe: SharpeFigures;
  maxDrawdown: number;
  trades: number;
  /** Money bought per year as a multiple of average equity. */
  turnover: number;
  periods: Period[];
  /** Equity after each period, starting with the starting money. */
  equity: number[];
  times: number[];
  years: number;
  /** Holding periods per year, from the real dates (what the Sharpe is annualised with). */
  periodsPerYear: number;
}

/** One decision of a run: when, what was chosen, and (read when the period closes) the outcomes. */
interface Decision {
  time: number;
  sellTime: number;
  rows: number[];
  symbols: string[];
  outcomes: number[];
}

const groupCache = new WeakMap<PredictionTable, Array<{ time: number; rows: number[] }>>();

/** The strategy's decisions, period after period (non-overlapping); they do not depend on money or costs. */
function decide(table: PredictionTable, params: StrategySettings, pick: PickFn): Decision[] {
  let groups = groupCache.get(table);
  if (!groups) groupCache.set(table, (groups = rowsByTime(table)));
  const k = params.intervalDays;
  const out: Decision[] = [];
  for (let g = 0; g < groups.length; ) {
    const { time, rows } = groups[g]!;
    if (!buysOn(params, nyDate(new Date(time)))) {
      g++;
      continue;
    }
    const chosen = pick(table, rows);
    // the outcome is read only now, when the holding period closes
    const outcomes = chosen.map((c) => table.y[c.row * table.horizon + k - 1]!);
    if (outcomes.some((v) => !Number.isFinite(v))) break; // the data ends before this period would close
    out.push({ time, sellTime: groups[g + k]?.time ?? time + k * 86_400_000, rows: chosen.map((c) => c.row), symbols: chosen.map((c) => c.symbol), outcomes });
    g += k;
  }
  return out;
}

/** The money of a run through its decisions at one cost rate per side (commission + slippage, as a fraction). */
function account(table: PredictionTable, params: StrategySettings, decisions: Decision[], cost: number): RunResult {
  const start = params.startingMoney;
  let money = start;
  const periods: Period[] = [];
  const equity = [start];
  const times: number[] = [];
  let trades = 0;
  let bought = 0;
  for (const d of decisions) {
    if (times.length === 0) times.push(d.time);
    const budget = investableMoney(params, money);
    let invested = 0;
    let proceeds = 0;
    if (d.rows.length > 0 && budget > 0) {
      const each = budget / d.rows.length;
      d.rows.forEach((row, i) => {
        const shares = each / (table.currentY[row]! * (1 + cost));
        proceeds += shares * d.outcomes[i]! * (1 - cost);
      });
      invested = budget;
      trades += d.rows.length;
      bought += budget;
    }
    const gain = proceeds - invested;
    const tax = gain > 0 ? gain * params.capitalGainsTax : 0;
    const before = money;
    money = money + gain - tax;
    periods.push({ buyTime: d.time, sellTime: d.sellTime, symbols: d.symbols, invested, proceeds, tax, money, ret: before > 0 ? (money - before) / before : 0 });
    equity.push(money);
    times.push(d.sellTime);
  }
  const years = times.length > 1 ? (times[times.length - 1]! - times[0]!) / (365.25 * 86_400_000) : 0;
  const perYear = years > 0 ? periods.length / years : 252 / params.intervalDays;
  const meanEquity = equity.reduce((a, b) => a + b, 0) / equity.length;
  return {
    finalMoney: money,
    totalReturn: money / start - 1,
    sharpe: sharpe(periods.map((p) => p.ret), perYear),
    maxDrawdown: maxDrawdown(equity),
    trades,
    turnover: years > 0 ? bought / meanEquity / years : 0,
    periods,
    equity,
    times,
    years,
    periodsPerYear: perYear,
  };
}

/**
 * Simulates buying the picks at the decision-time value and selling `interval_days` steps later at the realised
 * value, period after period (non-overlapping), with costs and capital-gains tax on each period's net gain.
 * compound_money reinvests everything; otherwise each period invests the starting money and profits pile up.
 */
export function simulate(table: PredictionTable, params: StrategySettings, pick: PickFn = pickerFor(params)): RunResult {
  return simulateWithAndWithoutCosts(table, params, pick).withCosts;
}

/** The same run after its costs and without any: the decisions are made once, the money is counted twice. */
export function simulateWithAndWithoutCosts(table: PredictionTable, params: StrategySettings, pick: PickFn = pickerFor(params)): { withCosts: RunResult; costFree: RunResult } {
  validateStrategy(params, table.horizon);
  const decisions = decide(table, params, pick);
  const cost = (params.transactionCostBps + params.slippageBps) / 10_000;
  const withCosts = account(table, params, decisions, cost);
  return { withCosts, costFree: cost > 0 ? account(table, params, decisions, 0) : withCosts };
}
