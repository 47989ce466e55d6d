import type { Evaluation } from '../backtest/evaluation.js';

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const num = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** The evaluation as a plain-text table for the terminal. */
export function evaluationText(e: Evaluation): string {
  const lines: string[] = [];
  lines.push(`model ${e.modelId}: ${e.grid.runs.length} strategy runs (${e.strategy}), starting money ${e.base.startingMoney ?? 25000}, capital gains tax ${pct(e.base.capitalGainsTax)}`);
  lines.push('');
  lines.push(`interval stocks ${e.strategy === 'VolatilityRanking' ? 'vol.imp' : 'uncert.'}   final money   return   Sharpe(ann.)  seed Sharpe  p-value  max DD  trades  turnover`);
  e.grid.runs.forEach((r, i) => {
    const s = r.result;
    const mark = i === e.grid.best ? ' ← best' : i === e.preferred ? ' ← preferred' : '';
    lines.push(
      `${String(r.params.intervalDays).padStart(8)} ${String(r.params.numStocksPurchased).padStart(6)} ${r.params.uncertaintyMultiplier.toFixed(2).padStart(7)} ${s.finalMoney.toFixed(2).padStart(13)} ${pct(s.totalReturn).padStart(8)} ${num(s.sharpe.annualised).padStart(13)} ${num(s.sharpe.seedAnnualSharpe).padStart(12)} ${num(s.sharpe.pValue, 3).padStart(8)} ${pct(s.maxDrawdown).padStart(7)} ${String(s.trades).padStart(7)} ${num(s.turnover, 1).padStart(9)}${mark}`,
    );
  });
  lines.push('');
  for (const b of e.benchmarks) {
    lines.push(`buy & hold (${b.label}) over the same dates: final ${b.finalMoney.toFixed(2)}, return ${pct(b.totalReturn)}, Sharpe ${num(b.sharpe.annualised)}, max DD ${pct(b.maxDrawdown)}`);
  }
  if (e.grid.deflated) {
    lines.push(
      `deflated Sharpe of the best run, given ${e.grid.deflated.trials} runs tried: ${num(e.grid.deflated.dsr, 3)} (probability its true Sharpe beats the best of ${e.grid.deflated.trials} unskilled runs; < 0.95 means the winner may be luck)`,
    );
  }
  const q = e.quality;
  lines.push('');
  lines.push(`forecast quality: quantile loss ${num(q.quantileLoss, 4)}; p${Math.round((0.5 - q.nominalCoverage / 2) * 100)}–p${Math.round((0.5 + q.nominalCoverage / 2) * 100)} band coverage ${pct(q.bandCoverage)} (nominal ${pct(q.nominalCoverage)})`);
  lines.push(`IC ${num(q.ic.mean, 4)} (ICIR ${num(q.ic.icir)}), Rank IC ${num(q.rankIc.mean, 4)} (ICIR ${num(q.rankIc.icir)}) over ${q.ic.days} days; MAE ${num(q.mae, 4)} vs naive last-value ${num(q.naiveMae, 4)}`);
  return lines.join('\n');
}
