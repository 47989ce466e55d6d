import type { Evaluation } from '../backtest/evaluation.js';
import { strategyKnob } from '../strategies/registry.js';
import { barChart, heatmap, lineChart } from './svg.js';
import { evaluationText } from './evaluation-text.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a');
const COLORS = ['#888', '#ef6c00', '#2e7d32', '#6a1b9a', '#00838f'];

/** The model beside every baseline on the test range: forecast quality and each one's best strategy run. */
function comparisonTable(e: Evaluation): string {
  const rows = [
    { name: 'model', q: e.quality, run: e.grid.runs[e.grid.best]!, dm: undefined as number | undefined },
    ...e.baselines.map((b) => ({ name: b.name, q: b.quality, run: b.grid.runs[b.grid.best]!, dm: b.dm.pValue })),
  ];
  const head = ['forecaster', 'quantile loss', 'MAE', `coverage (nominal ${pct(e.quality.nominalCoverage)})`, 'Rank IC', 'DM p vs model', 'best run return', 'best run Sharpe (ann.)'];
  const body = rows
    .map((r) => `<tr><td>${esc(r.name)}</td><td>${num(r.q.quantileLoss)}</td><td>${num(r.q.mae)}</td><td>${pct(r.q.bandCoverage)}</td><td>${num(r.q.rankIc.mean)}</td><td>${r.dm === undefined ? '' : num(r.dm, 3)}</td><td>${pct(r.run.result.totalReturn)}</td><td>${num(r.run.result.sharpe.annualised, 2)}</td></tr>`)
    .join('');
  return `<table class="cmp"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A self-contained HTML report: the test-range verdict beside the baselines, equity vs benchmark, drawdown, grid heatmap, IC, and the table. */
export function evaluationHtml(e: Evaluation): string {
  const best = e.grid.runs[e.grid.best]!.result;
  const bench = e.benchmarks[0];
  const peak: number[] = [];
  best.equity.forEach((v, i) => peak.push(Math.max(v, peak[i - 1] ?? v)));
  const drawdown = best.equity.map((v, i) => v / peak[i]! - 1);
  const knob = strategyKnob(e.base);
  const intervals = [...new Set(e.grid.runs.map((r) => r.params.intervalDays))];
  const stocks = [...new Set(e.grid.runs.map((r) => r.params.numStocksPurchased))];
  const knobs = [...new Set(e.grid.runs.map((r) => strategyKnob(r.params).value))];
  const heat = intervals.map((k) =>
    heatmap({
      title: `annualised Sharpe after costs by stocks × ${knob.label} (interval ${k} day(s))`,
      rows: stocks.map((s) => `${s} stocks`),
      cols: knobs.map((m) => `× ${m}`),
      values: stocks.map((s) => knobs.map((m) => e.grid.runs.find((r) => r.params.intervalDays === k && r.params.numStocksPurchased === s && strategyKnob(r.params).value === m)?.result.sharpe.annualised ?? NaN)),
      format: (v) => v.toFixed(2),
    }),
  );
  // baselines' best runs have their own dates: drawn on the model's best run's dates only when they match
  const baselineSeries = e.baselines
    .map((b, i) => ({ b, run: b.grid.runs[b.grid.best]!.result, color: COLORS[(i + 1) % COLORS.length]! }))
    .filter((x) => x.run.times.length === best.times.length && x.run.times.every((t, i) => t === best.times[i]))
    .map((x) => ({ label: `${x.b.name} (best run)`, values: x.run.equity, color: x.color }));
  const ic = e.quality.icByDay;
  return `<!doctype html><html><head><meta charset="utf-8"><title>stockcast evaluation — ${esc(e.modelId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.3em}table.cmp{border-collapse:collapse;font-size:13px}table.cmp td,table.cmp th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:right}table.cmp td:first-child,table.cmp th:first-child{text-align:left}</style></head><body>
<h1>Evaluation of ${esc(e.modelId)}</h1>
<p><strong>${esc(e.verdict.sentence)}</strong></p>
<p>Test range only (decisions ${esc(new Date(e.testRange.first).toISOString().slice(0, 10))} … ${esc(new Date(e.testRange.last).toISOString().slice(0, 10))}, ${e.testRange.symbols} symbols): the validation range chose the epoch, so it is not used here. Strategies after ${e.base.transactionCostBps} + ${e.base.slippageBps} bps per side.</p>
${comparisonTable(e)}
${lineChart({ title: 'equity of the best run vs equal-weight buy & hold (after costs) and the baselines’ best runs', times: best.times, series: [{ label: 'best run', values: best.equity, color: '#1565c0' }, ...(bench ? [{ label: bench.label, values: bench.equity, color: COLORS[0]! }] : []), ...baselineSeries] })}
${lineChart({ title: 'drawdown of the best run', times: best.times, series: [{ label: 'drawdown', values: drawdown, color: '#c62828' }], percent: true })}
${heat.join('\n')}
${lineChart({ title: 'daily information coefficient (predicted vs realised next-step return)', times: ic.map((d) => d.time), series: [{ label: 'IC', values: ic.map((d) => d.ic), color: '#2e7d32' }, { label: 'Rank IC', values: ic.map((d) => d.rankIc), color: '#6a1b9a' }] })}
${barChart({ title: 'calibration: share of outcomes below each forecast quantile (ideal = the quantile)', labels: e.quality.calibration.flatMap((c) => [`p${Math.round(c.quantile * 100)} observed`, `p${Math.round(c.quantile * 100)} ideal`]), values: e.quality.calibration.flatMap((c) => [c.observed, c.quantile]), percent: true })}
<h2>All runs</h2><pre>${esc(evaluationText(e))}</pre>
</body></html>`;
}
