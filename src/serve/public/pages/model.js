import { api, card, day, h, missingOrBroken, money, num, pct, table, tryApi } from '../dom.js';
import { attentionChart, calibrationChart, drawdownChart, equityChart, figure, gridHeatmap, icChart, importanceChart, trainingCurve } from '../charts.js';

/** One model: config and training curve, its evaluation on the test range, and what it attends to. */
export async function modelPage(modelId) {
  const m = await api(`/api/models/${encodeURIComponent(modelId)}`);
  const [evaluation, explanation] = await Promise.all([
    tryApi(`/api/models/${encodeURIComponent(modelId)}/evaluation`),
    tryApi(`/api/models/${encodeURIComponent(modelId)}/explanation/${m.files.explanations.includes('val') || m.files.explanations.length === 0 ? 'val' : m.files.explanations[0]}`),
  ]);
  return [
    h('h1', {}, modelId),
    overview(m),
    card('Evaluation on the test range', evaluation.ok ? evaluationView(evaluation.value) : missingOrBroken(evaluation.error)),
    card('What the model looks at', explanation.ok ? explanationView(explanation.value) : missingOrBroken(explanation.error)),
  ];
}

function overview(m) {
  const t = m.training;
  const d = m.dataset;
  const facts = [
    ['data range', `${t.dataRange.first} … ${t.dataRange.last}, ${t.dataRange.symbols} symbols`],
    ['splits', `train ${d.trainStart} … ${d.trainEnd}, validation … ${d.valEnd}, test … ${d.testEnd} (ends exclusive)`],
    ['target', `${d.target}; quantiles ${d.quantiles.join(', ')}; encoder ${d.encoderLength}, decoder ${d.decoderLength}`],
    ['features', d.features.join(', ')],
    ['trained', `${t.createdAt} with stockcast ${t.stockcastVersion} on ${t.backend}`],
    ['epochs', `${t.epochs}, best ${t.bestEpoch + 1}, stopped by ${t.stoppedBy}`],
    ['validation loss', `${num(t.bestValLoss)} (naive last value ${num(t.naiveValLoss)})`],
  ];
  const kv = h('dl', { class: 'kv' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const config = h('details', {}, h('summary', {}, 'config and hyperparameters'), h('pre', {}, JSON.stringify({ config: m.config, hyperparameters: m.hyperparameters }, null, 2)));
  const curve = t.history.length
    ? figure('training curve', trainingCurve(t.history, t.naiveValLoss, t.bestEpoch), 'circled: the epoch kept (lowest validation loss). The validation range chose it, so its loss is not an out-of-sample figure.')
    : h('p', { class: 'empty' }, 'no completed epoch in this artifact');
  return h('div', { class: 'grid2' }, card('Model', kv, config), card('Training', curve));
}

/** The model's test-range figures beside every baseline's (or the naive last value, for older evaluations). */
function summaryTable(e) {
  const q = e.forecastQuality;
  const baselines = e.baselines ?? [];
  const band = `p${Math.round((q.calibration[0]?.quantile ?? 0) * 100)}–p${Math.round((q.calibration.at(-1)?.quantile ?? 0) * 100)} coverage (nominal ${pct(q.nominalCoverage)})`;
  const rows = [
    { key: 'test-quantile-loss', label: 'quantile loss', model: num(q.quantileLoss), naive: num(q.naiveQuantileLoss), b: (x) => num(x.quantileLoss) },
    { key: 'test-mae', label: 'MAE of the median', model: num(q.mae), naive: num(q.naiveMae), b: (x) => num(x.mae) },
    { key: 'test-ic', label: 'IC (mean daily)', model: num(q.ic.mean), naive: '–', b: (x) => num(x.ic) },
    { key: 'test-rank-ic', label: 'Rank IC (mean daily)', model: num(q.rankIc.mean), naive: '–', b: (x) => num(x.rankIc) },
    { key: 'coverage', label: band, model: pct(q.bandCoverage), naive: '–', b: (x) => pct(x.bandCoverage) },
    { key: 'best-run-return', label: 'best strategy run: return (after costs)', model: pct(e.runs[e.best]?.totalReturn), naive: '–', b: (x) => pct(x.bestRun.totalReturn) },
    { key: 'dm-p', label: 'Diebold–Mariano p (model vs baseline)', model: '', naive: '–', b: (x) => num(x.dieboldMariano.pValue, 3) },
  ];
  const columns = [{ label: 'figure', value: (r) => r.label }, { label: 'model', num: true, field: 'model', value: (r) => r.model }];
  if (baselines.length === 0) columns.push({ label: 'naive last value', num: true, field: 'naive', value: (r) => r.naive });
  for (const b of baselines) columns.push({ label: b.name, num: true, field: b.name, value: (r) => r.b(b) });
  return table(columns, rows, { key: (r) => r.key, class: 'summary' });
}

function evaluationView(e) {
  const runLabel = (r) => `interval ${r.params.intervalDays}, ${r.params.numStocksPurchased} stocks, × ${r.params.uncertaintyMultiplier}`;
  const base = e.base;
  const holder = h('div', {});
  const show = (index) => {
    const r = e.runs[index];
    const tag = index === e.best ? ' (best of the grid: chosen on this test range)' : index === e.preferred ? ' (the config’s preferred strategy)' : '';
    const series = [{ label: `strategy: ${runLabel(r)}`, times: r.equity.times, values: r.equity.values }, ...e.benchmarks.map((b) => ({ label: `buy & hold: ${b.label}`, times: b.equity.times, values: b.equity.values }))];
    holder.replaceChildren(
      h('h3', {}, `Run: ${runLabel(r)}${tag}`),
      h('p', { class: 'muted' }, `final ${money(r.finalMoney)}, return ${pct(r.totalReturn)}, annualised Sharpe ${num(r.sharpe.annualised, 2)} (p = ${num(r.sharpe.pValue, 3)}), max drawdown ${pct(r.maxDrawdown)}, ${r.trades} trades`),
      figure('equity vs buy & hold', equityChart(series)),
      figure('drawdown', drawdownChart(r.equity.times, r.equity.values)),
    );
  };
  show(e.preferred ?? e.best);
  const runs = table(
    [
      { label: 'run', value: (r) => runLabel(r) },
      { label: 'final money', num: true, value: (r) => money(r.finalMoney) },
      { label: 'return', num: true, value: (r) => pct(r.totalReturn) },
      { label: 'Sharpe (ann.)', num: true, value: (r) => num(r.sharpe.annualised, 2) },
      { label: 'p-value', num: true, value: (r) => num(r.sharpe.pValue, 3) },
      { label: 'max DD', num: true, value: (r) => pct(r.maxDrawdown) },
      { label: 'trades', num: true, value: (r) => r.trades },
    ],
    e.runs,
    { onRow: (_r, i) => show(i), key: (_r, i) => `run-${i}` },
  );
  const bh = e.benchmarks.map((b) => `${b.label}: return ${pct(b.totalReturn)}${b.afterTax ? ` after costs, ${pct(b.afterTax.totalReturn)} after tax` : ''}, Sharpe ${num(b.sharpe.annualised, 2)}, max drawdown ${pct(b.maxDrawdown)}`);
  const dsr = e.deflatedSharpe ? `deflated Sharpe ratio of the best run given ${e.deflatedSharpe.trials} runs tried: ${num(e.deflatedSharpe.dsr, 3)} (probability its Sharpe beats luck)` : 'deflated Sharpe: not enough periods';
  return [
    h('p', { class: 'muted' }, `${e.strategy} on ${day(e.testRange.first)} … ${day(e.testRange.last)} (${e.testRange.symbols} symbols, ${e.testRange.decisions} decision days); costs ${base.transactionCostBps ?? 0} + slippage ${base.slippageBps ?? 0} bps per side; evaluated ${e.createdAt}.`),
    e.verdict ? h('p', { class: e.verdict.beatsAll ? 'verdict' : 'verdict warning', 'data-verdict': e.verdict.beatsAll ? 'beats' : 'does-not-beat' }, e.verdict.sentence) : null,
    summaryTable(e),
    holder,
    h('p', {}, bh.join(' · ')),
    h('p', {}, dsr),
    figure('strategy grid: annualised Sharpe', gridHeatmap(e.runs, e.best, show), 'outlined: the best run. Click a cell (or a row below) to show that run above.'),
    h('details', {}, h('summary', {}, `all ${e.runs.length} runs`), runs),
    figure('calibration', calibrationChart(e.forecastQuality.calibration), 'share of realised values below each forecast quantile; ideal on the diagonal'),
    figure('information coefficient over time', icChart(e.forecastQuality.icByDay), 'daily cross-sectional correlation of the predicted and the realised next-step change'),
  ];
}

function explanationView(x) {
  return [
    h('p', { class: 'muted' }, `${x.split} split, ${x.windows} windows; explained ${x.createdAt}`),
    h('div', { class: 'grid2' }, figure('encoder variable importance', importanceChart(x.encoderImportance)), figure('decoder variable importance', importanceChart(x.decoderImportance))),
    figure('attention by position', attentionChart(x.attention)),
  ];
}
