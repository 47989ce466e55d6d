import type { Evaluation } from '../backtest/evaluation.js';
import { barChart, heatmap, lineChart } from './svg.js';
import { evaluationText } from './evaluation-text.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A self-contained HTML report: equity vs benchmark, drawdown, grid heatmap, IC over time, and the table. */
export function evaluationHtml(e: Evaluation): string {
  const best = e.grid.runs[e.grid.best]!.result;
  const bench = e.benchmarks[0];
  const peak: number[] = [];
  best.equity.forEach((v, i) => peak.push(Math.max(v, peak[i - 1] ?? v)));
  const drawdown = best.equity.map((v, i) => v / peak[i]! - 1);
  const intervals = [...new Set(e.grid.runs.map((r) => r.params.intervalDays))];
  const stocks = [...new Set(e.grid.runs.map((r) => r.params.numStocksPurchased))];
  const mults = [...new Set(e.grid.runs.map((r) => r.params.uncertaintyMultiplier))];
  const heat = intervals.map((k) =>
    heatmap({
      title: `annualised Sharpe by stocks × uncertainty multiplier (interval ${k} day(s))`,
      rows: stocks.map((s) => `${s} stocks`),
      cols: mults.map((m) => `× ${m}`),
      values: stocks.map((s) => mults.map((m) => e.grid.runs.find((r) => r.params.intervalDays === k && r.params.numStocksPurchased === s && r.params.uncertaintyMultiplier === m)?.result.sharpe.annualised ?? NaN)),
      format: (v) => v.toFixed(2),
    }),
  );
  const ic = e.quality.icByDay;
  return `<!doctype html><html><head><meta charset="utf-8"><title>stockcast evaluation — ${esc(e.modelId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.3em}</style></head><body>
<h1>Evaluation of ${esc(e.modelId)}</h1>
${lineChart({ title: 'equity of the best run vs equal-weight buy & hold', times: best.times, series: [{ label: 'best run', values: best.equity, color: '#1565c0' }, ...(bench ? [{ label: bench.label, values: bench.equity, color: '#888' }] : [])] })}
${lineChart({ title: 'drawdown of the best run', times: best.times, series: [{ label: 'drawdown', values: drawdown, color: '#c62828' }], percent: true })}
${heat.join('\n')}
${lineChart({ title: 'daily information coefficient (predicted vs realised next-step return)', times: ic.map((d) => d.time), series: [{ label: 'IC', values: ic.map((d) => d.ic), color: '#2e7d32' }, { label: 'Rank IC', values: ic.map((d) => d.rankIc), color: '#6a1b9a' }] })}
${barChart({ title: 'calibration: share of outcomes below each forecast quantile (ideal = the quantile)', labels: e.quality.calibration.flatMap((c) => [`p${Math.round(c.quantile * 100)} observed`, `p${Math.round(c.quantile * 100)} ideal`]), values: e.quality.calibration.flatMap((c) => [c.observed, c.quantile]), percent: true })}
<h2>All runs</h2><pre>${esc(evaluationText(e))}</pre>
</body></html>`;
}
