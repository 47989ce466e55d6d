import type { Evaluation } from '../backtest/evaluation.js';
import type { ForecastQuality } from '../backtest/forecast-quality.js';
import type { GridRun } from '../backtest/grid.js';
import { strategyKnob } from '../strategies/registry.js';

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a');
const num = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const day = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '?');

/** The test-range comparison: the model and each baseline, forecast quality and best strategy run side by side. */
export function comparisonText(e: Evaluation): string[] {
  const rows: Array<[string, ForecastQuality, GridRun]> = [['model', e.quality, e.grid.runs[e.grid.best]!], ...e.baselines.map((b): [string, ForecastQuality, GridRun] => [b.name, b.quality, b.grid.runs[b.grid.best]!])];
  const nominal = Math.round(e.quality.nominalCoverage * 100);
  const lines = [`forecaster        quantile loss       MAE  coverage (${nominal}%)  Rank IC     DM p  | best run: return  Sharpe (ann.)`];
  for (const [name, q, run] of rows) {
    const dm = e.baselines.find((b) => b.name === name)?.dm.pValue;
    lines.push(
      `${name.padEnd(16)} ${num(q.quantileLoss, 4).padStart(14)} ${num(q.mae, 4).padStart(9)} ${pct(q.bandCoverage).padStart(15)} ${num(q.rankIc.mean, 4).padStart(8)} ${(dm === undefined ? '' : num(dm, 3)).padStart(8)}  | ${pct(run.result.totalReturn).padStart(16)} ${num(run.result.sharpe.annualised).padStart(14)}`,
    );
  }
  return lines;
}

/** The evaluation as plain text: the test-range verdict first, then the strategy runs, benchmarks and forecast detail. */
export function evaluationText(e: Evaluation & { restrictedTo?: { start: string; end: string; source: string } }): string {
  const lines: string[] = [];
  const r = e.testRange;
  lines.push(`model ${e.modelId} on its TEST range: decisions ${day(r.first)} … ${day(r.last)}, ${r.symbols} symbols × ${r.decisions} days (data that chose nothing: validation chose the epoch)`);
  if (e.restrictedTo) lines.push(`test dates restricted to ${e.restrictedTo.start} … ${e.restrictedTo.end} (exclusive) by ${e.restrictedTo.source}`);
  lines.push(e.verdict.sentence, '', ...comparisonText(e), '');
  const b = e.base;
  const knob = strategyKnob(b);
  lines.push(`${e.grid.runs.length} strategy runs (${e.strategy}), starting money ${b.startingMoney}, capital gains tax ${pct(b.capitalGainsTax)}, costs ${b.transactionCostBps} + slippage ${b.slippageBps} bps per side${b.buyWeekdays ? `, buying on weekdays ${b.buyWeekdays.join(',')}` : ''}`);
  lines.push('');
  lines.push(`interval stocks ${knob.key === 'volatilityImportance' ? 'vol.imp' : 'uncert.'}   final money   return   Sharpe(ann.)  seed Sharpe  p-value  max DD  trades  turnover | no-cost return  Sharpe`);
  e.grid.runs.forEach((r, i) => {
    const s = r.result;
    const mark = i === e.grid.best ? ' ← best' : i === e.preferred ? ' ← preferred' : '';
    lines.push(
      `${String(r.params.intervalDays).padStart(8)} ${String(r.params.numStocksPurchased).padStart(6)} ${strategyKnob(r.params).value.toFixed(2).padStart(7)} ${s.finalMoney.toFixed(2).padStart(13)} ${pct(s.totalReturn).padStart(8)} ${num(s.sharpe.annualised).padStart(13)} ${num(s.sharpe.seedAnnualSharpe).padStart(12)} ${num(s.sharpe.pValue, 3).padStart(8)} ${pct(s.maxDrawdown).padStart(7)} ${String(s.trades).padStart(7)} ${num(s.turnover, 1).padStart(9)} | ${pct(r.costFree.totalReturn).padStart(14)} ${num(r.costFree.sharpe).padStart(7)}${mark}`,
    );
  });
  lines.push('');
  for (const bh of e.benchmarks) {
    lines.push(
      `buy & hold (${bh.label}) over the same dates: return ${pct(bh.totalReturn)} after costs, ${pct(bh.afterTax.totalReturn)} after ${pct(bh.afterTax.capitalGainsTax)} tax on the final gain (${pct(bh.costFree.totalReturn)} without costs); Sharpe ${num(bh.sharpe.annualised)}, max DD ${pct(bh.maxDrawdown)}`,
    );
  }
  if (e.grid.deflated) {
    lines.push(
      `deflated Sharpe of the best run, given ${e.grid.deflated.trials} runs tried: ${num(e.grid.deflated.dsr, 3)} (probability its true Sharpe beats the best of ${e.grid.deflated.trials} unskilled runs, expected ${num(e.grid.deflated.benchmark)} annualised; < 0.95 means the winner may be luck)`,
    );
  }
  const q = e.quality;
  lines.push('');
  lines.push(`forecast quality: quantile loss ${num(q.quantileLoss, 4)}; p${Math.round((0.5 - q.nominalCoverage / 2) * 100)}–p${Math.round((0.5 + q.nominalCoverage / 2) * 100)} band coverage ${pct(q.bandCoverage)} (nominal ${pct(q.nominalCoverage)})`);
  lines.push(`IC ${num(q.ic.mean, 4)} (ICIR ${num(q.ic.icir)}), Rank IC ${num(q.rankIc.mean, 4)} (ICIR ${num(q.rankIc.icir)}) over ${q.ic.days} days; MAE ${num(q.mae, 4)} vs naive last-value ${num(q.naiveMae, 4)}`);
  return lines.join('\n');
}
