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

/**
 * Simulates buying the picks at the decision-time value and selling `interval_days` steps later at the realised
 * value, period after period (non-overlapping), with costs and capital-gains tax on each period's net gain.
 * compound_money reinvests everything; otherwise each period invests the starting money and profits pile up.
 */
export function simulate(table: PredictionTable, params: StrategySettings, pick: PickFn = pickerFor(params)): RunResult {
  validateStrategy(params, table.horizon);
  const start = params.startingMoney;
  const cost = (params.transactionCostBps + params.slippageBps) / 10_000;
  const k = params.intervalDays;
  const groups = rowsByTime(table);
  let money = start;
  const periods: Period[] = [];
  const equity = [start];
  const times: number[] = [];
  let trades = 0;
  let bought = 0;
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
    const sellTime = groups[g + k]?.time ?? time + k * 86_400_000;
    if (times.length === 0) times.push(time);
    const budget = investableMoney(params, money);
    let invested = 0;
    let proceeds = 0;
    if (chosen.length > 0 && budget > 0) {
      const each = budget / chosen.length;
      chosen.forEach((c, i) => {
        const buyPrice = table.currentY[c.row]! * (1 + cost);
        const shares = each / buyPrice;
        proceeds += shares * outcomes[i]! * (1 - cost);
      });
      invested = budget;
      trades += chosen.length;
      bought += budget;
    }
    const gain = proceeds - invested;
    const tax = gain > 0 ? gain * params.capitalGainsTax : 0;
    const before = money;
    money = money + gain - tax;
    periods.push({ buyTime: time, sellTime, symbols: chosen.map((c) => c.symbol), invested, proceeds, tax, money, ret: before > 0 ? (money - before) / before : 0 });
    equity.push(money);
    times.push(sellTime);
    g += k;
  }
  const years = times.length > 1 ? (times[times.length - 1]! - times[0]!) / (365.25 * 86_400_000) : 0;
  const perYear = years > 0 ? periods.length / years : 252 / k;
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
