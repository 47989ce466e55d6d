// Charts with Observable Plot (global `Plot`, served from the installed package). Every chart has axes with
// ticks and a pointer tooltip; each returns a <figure class="chart"> holding Plot's SVG.
import { h } from './dom.js';

const Plot = globalThis.Plot;
const WIDTH = () => Math.min(1100, Math.max(420, document.querySelector('main')?.clientWidth - 60 || 900));
const utcDay = (s) => new Date(`${s.slice(0, 10)}T00:00:00Z`);
const fmtPct = (v) => `${(v * 100).toFixed(1)}%`;

/** Wraps a plot in a captioned figure (with an optional note under it). */
export function figure(caption, plot, note) {
  return h('figure', { class: 'chart', 'data-chart': caption }, h('figcaption', {}, caption), plot, note ? h('div', { class: 'note' }, note) : null);
}

/** Training and validation loss per epoch, with the naive last-value loss on the validation set as a flat line. */
export function trainingCurve(history, naiveValLoss, bestEpoch) {
  const rows = history.flatMap((e) => [
    { epoch: e.epoch + 1, loss: e.trainLoss, series: 'train' },
    { epoch: e.epoch + 1, loss: e.valLoss, series: 'validation' },
    ...(Number.isFinite(naiveValLoss) ? [{ epoch: e.epoch + 1, loss: naiveValLoss, series: 'naive last value (validation)' }] : []),
  ]);
  const best = history.filter((e) => e.epoch === bestEpoch).map((e) => ({ epoch: e.epoch + 1, loss: e.valLoss }));
  return Plot.plot({
    width: WIDTH() / 2,
    height: 280,
    grid: true,
    x: { label: 'epoch', ticks: history.length <= 12 ? history.map((e) => e.epoch + 1) : 10, tickFormat: 'd' },
    y: { label: 'quantile loss' },
    color: { legend: true, domain: ['train', 'validation', 'naive last value (validation)'], range: ['#1565c0', '#e65100', '#888'] },
    marks: [
      Plot.line(rows, { x: 'epoch', y: 'loss', stroke: 'series', marker: 'circle' }),
      Plot.dot(best, { x: 'epoch', y: 'loss', r: 7, stroke: '#e65100', fill: 'none' }),
      Plot.tip(rows, Plot.pointerX({ x: 'epoch', y: 'loss', stroke: 'series', title: (d) => `${d.series}\nepoch ${d.epoch}\nloss ${d.loss.toFixed(4)}` })),
    ],
  });
}

/** Money over time for several series ({ label, times: ISO[], values }). */
export function equityChart(series) {
  const rows = series.flatMap((s) => s.times.map((t, i) => ({ date: utcDay(t), value: s.values[i], series: s.label })).filter((r) => r.value !== null));
  return Plot.plot({
    width: WIDTH(),
    height: 300,
    grid: true,
    x: { type: 'utc', label: null },
    y: { label: 'money', tickFormat: '~s' },
    color: { legend: true },
    marks: [
      Plot.line(rows, { x: 'date', y: 'value', stroke: 'series' }),
      Plot.tip(rows, Plot.pointerX({ x: 'date', y: 'value', stroke: 'series', title: (d) => `${d.series}\n${d.date.toISOString().slice(0, 10)}\n${d.value.toFixed(2)}` })),
    ],
  });
}

/** Drawdown (fraction below the running peak) of an equity series. */
export function drawdownChart(times, values) {
  let peak = -Infinity;
  const rows = times.map((t, i) => {
    peak = Math.max(peak, values[i]);
    return { date: utcDay(t), dd: values[i] / peak - 1 };
  });
  return Plot.plot({
    width: WIDTH(),
    height: 200,
    grid: true,
    x: { type: 'utc', label: null },
    y: { label: 'drawdown', tickFormat: fmtPct },
    marks: [
      Plot.areaY(rows, { x: 'date', y: 'dd', fill: '#c62828', fillOpacity: 0.25 }),
      Plot.lineY(rows, { x: 'date', y: 'dd', stroke: '#c62828' }),
      Plot.ruleY([0]),
      Plot.tip(rows, Plot.pointerX({ x: 'date', y: 'dd', title: (d) => `${d.date.toISOString().slice(0, 10)}\ndrawdown ${fmtPct(d.dd)}` })),
    ],
  });
}

/** The strategy grid as a heatmap of annualised Sharpe: stocks × uncertainty, one panel per interval. */
export function gridHeatmap(runs, best, onPick) {
  const rows = runs.map((r, index) => ({ index, k: `interval ${r.params.intervalDays}`, stocks: r.params.numStocksPurchased, u: r.params.uncertaintyMultiplier, sharpe: r.sharpe.annualised, ret: r.totalReturn, best: index === best }));
  const plot = Plot.plot({
    width: WIDTH(),
    height: 80 + 34 * new Set(rows.map((r) => r.stocks)).size,
    padding: 0.05,
    fx: { label: null },
    x: { label: 'uncertainty multiplier', type: 'band' },
    y: { label: 'stocks', type: 'band' },
    color: { type: 'diverging', scheme: 'RdYlGn', pivot: 0, legend: true, label: 'annualised Sharpe' },
    marks: [
      Plot.cell(rows, { fx: 'k', x: 'u', y: 'stocks', fill: 'sharpe', stroke: (d) => (d.best ? 'black' : 'none'), strokeWidth: 2 }),
      Plot.text(rows, { fx: 'k', x: 'u', y: 'stocks', text: (d) => (d.sharpe === null ? '–' : d.sharpe.toFixed(2)), fill: 'black' }),
      Plot.tip(rows, Plot.pointer({ fx: 'k', x: 'u', y: 'stocks', title: (d) => `${d.k}, ${d.stocks} stocks, × ${d.u}\nSharpe ${d.sharpe === null ? '–' : d.sharpe.toFixed(3)}\nreturn ${d.ret === null ? '–' : fmtPct(d.ret)}${d.best ? '\n(best of the grid)' : ''}\nclick to show this run` })),
    ],
  });
  plot.addEventListener('click', () => {
    if (plot.value) onPick(plot.value.index);
  });
  return plot;
}

/** Observed share of outcomes below each forecast quantile against the ideal diagonal. */
export function calibrationChart(calibration) {
  return Plot.plot({
    width: WIDTH() / 2,
    height: 280,
    grid: true,
    x: { label: 'forecast quantile', domain: [0, 1], tickFormat: fmtPct },
    y: { label: 'observed share below', domain: [0, 1], tickFormat: fmtPct },
    marks: [
      Plot.line([{ q: 0, o: 0 }, { q: 1, o: 1 }], { x: 'q', y: 'o', stroke: '#888', strokeDasharray: '4,3' }),
      Plot.dot(calibration.filter((c) => c.observed !== null), { x: 'quantile', y: 'observed', r: 5, fill: '#1565c0', tip: true, title: (c) => `p${Math.round(c.quantile * 100)}: ${fmtPct(c.observed)} of outcomes below (ideal ${fmtPct(c.quantile)})` }),
    ],
  });
}

/** Daily IC and Rank IC with a 20-day rolling mean of Rank IC. */
export function icChart(icByDay) {
  const rows = icByDay.flatMap((d) => [
    { date: utcDay(d.time), v: d.ic, series: 'IC' },
    { date: utcDay(d.time), v: d.rankIc, series: 'Rank IC' },
  ]).filter((r) => r.v !== null);
  const rank = rows.filter((r) => r.series === 'Rank IC');
  return Plot.plot({
    width: WIDTH(),
    height: 240,
    grid: true,
    x: { type: 'utc', label: null },
    y: { label: 'correlation' },
    color: { legend: true, domain: ['IC', 'Rank IC', 'Rank IC, 20-day mean'], range: ['#9ccc65', '#b39ddb', '#4a148c'] },
    marks: [
      Plot.ruleY([0]),
      Plot.line(rows, { x: 'date', y: 'v', stroke: 'series', strokeWidth: 0.8 }),
      Plot.line(rank, Plot.windowY({ k: 20, anchor: 'end' }, { x: 'date', y: 'v', stroke: () => 'Rank IC, 20-day mean', strokeWidth: 2 })),
      Plot.tip(rows, Plot.pointerX({ x: 'date', y: 'v', stroke: 'series', title: (d) => `${d.date.toISOString().slice(0, 10)}\n${d.series} ${d.v.toFixed(3)}` })),
    ],
  });
}

/** Variable importances as horizontal bars, largest first. */
export function importanceChart(record) {
  const rows = Object.entries(record).map(([name, weight]) => ({ name, weight })).filter((r) => r.weight !== null).sort((a, b) => b.weight - a.weight);
  return Plot.plot({
    width: WIDTH() / 2,
    height: 40 + 24 * Math.max(rows.length, 1),
    marginLeft: 130,
    x: { label: 'importance', tickFormat: fmtPct, grid: true },
    y: { label: null, domain: rows.map((r) => r.name) },
    marks: [Plot.barX(rows, { x: 'weight', y: 'name', fill: '#1565c0', tip: true, title: (r) => `${r.name}: ${fmtPct(r.weight)}` }), Plot.ruleX([0])],
  });
}

/** Mean attention by position relative to the forecast (negative = days before it). */
export function attentionChart(attention) {
  const rows = attention.filter((a) => a.weight !== null);
  const every = Math.max(1, Math.ceil(rows.length / 20));
  return Plot.plot({
    width: WIDTH() / 2,
    height: 260,
    x: { label: 'position (days relative to the forecast)', tickFormat: (p, i) => (i % every === 0 ? String(p) : '') },
    y: { label: 'attention', tickFormat: fmtPct, grid: true },
    marks: [Plot.barY(rows, { x: 'position', y: 'weight', fill: (a) => (a.position < 0 ? 'encoder' : 'decoder'), tip: true, title: (a) => `position ${a.position}: ${fmtPct(a.weight)}` }), Plot.ruleY([0])],
    color: { domain: ['encoder', 'decoder'], range: ['#1565c0', '#e65100'], legend: true },
  });
}

/** A symbol's history with the forecast fan (low–high band, median line) over the next days; realised values after as-of as dots. */
export function fanChart({ history, asOf, current, dates, low, mid, high, labels }) {
  const before = history.filter((p) => p.date <= asOf && p.value !== null).map((p) => ({ date: utcDay(p.date), value: p.value }));
  const after = history.filter((p) => p.date > asOf && p.value !== null).map((p) => ({ date: utcDay(p.date), value: p.value }));
  const fan = [{ date: utcDay(asOf), lo: current, mid: current, hi: current, step: 0 }, ...dates.map((d, i) => ({ date: utcDay(d), lo: low[i], mid: mid[i], hi: high[i], step: i + 1 }))];
  return Plot.plot({
    width: WIDTH(),
    height: 340,
    grid: true,
    x: { type: 'utc', label: null },
    y: { label: 'value', zero: false },
    color: { legend: true, domain: ['history', `${labels[0]}–${labels[2]} band`, `${labels[1]} forecast`, 'realised after as-of'], range: ['#344054', '#90caf9', '#1565c0', '#e65100'] },
    marks: [
      Plot.line(before, { x: 'date', y: 'value', stroke: () => 'history' }),
      Plot.areaY(fan, { x: 'date', y1: 'lo', y2: 'hi', fill: () => `${labels[0]}–${labels[2]} band`, fillOpacity: 0.45 }),
      Plot.line(fan, { x: 'date', y: 'mid', stroke: () => `${labels[1]} forecast`, strokeDasharray: '5,3', marker: 'circle' }),
      Plot.dot(after, { x: 'date', y: 'value', fill: () => 'realised after as-of', r: 3.5 }),
      Plot.ruleX([utcDay(asOf)], { stroke: '#888', strokeDasharray: '2,3' }),
      Plot.tip(before, Plot.pointerX({ x: 'date', y: 'value', title: (d) => `${d.date.toISOString().slice(0, 10)}\n${d.value.toFixed(2)}` })),
      Plot.tip(fan.slice(1), Plot.pointerX({ x: 'date', y: 'mid', title: (d) => `${d.date.toISOString().slice(0, 10)} (step ${d.step})\n${labels[0]} ${d.lo?.toFixed(2)}\n${labels[1]} ${d.mid?.toFixed(2)}\n${labels[2]} ${d.hi?.toFixed(2)}` })),
    ],
  });
}

/** Realised P&L per ISO week as bars. */
export function weeklyPnlChart(weeks) {
  return Plot.plot({
    width: WIDTH() / 2,
    height: 220,
    x: { label: 'ISO week', type: 'band' },
    y: { label: 'realised P&L', grid: true },
    marks: [Plot.barY(weeks, { x: 'week', y: 'pnl', fill: (w) => (w.pnl >= 0 ? '#2e7d32' : '#c62828'), tip: true, title: (w) => `${w.week}\nP&L ${w.pnl.toFixed(2)}\nreturn ${fmtPct(w.return)}` }), Plot.ruleY([0])],
  });
}

/** Coverage of symbols × features: share of trading days present in each symbol's own range. */
export function coverageHeatmap(cells, symbols, features, onPick) {
  const labelSymbols = symbols.length <= 60;
  const rows = cells.map((c) => ({ ...c, share: c.missingDays === null ? 1 : c.rows / (c.rows + c.missingDays) }));
  const plot = Plot.plot({
    width: WIDTH(),
    height: 60 + 22 * new Set(cells.map((c) => c.feature)).size,
    marginLeft: 110,
    marginBottom: labelSymbols ? 60 : 30,
    padding: 0.04,
    x: { label: 'symbol', domain: symbols, tickRotate: labelSymbols ? -60 : 0, ticks: labelSymbols ? undefined : [] },
    y: { label: null, domain: features },
    color: { type: 'linear', domain: [0.9, 1], range: ['#d32f2f', '#43a047'], clamp: true, legend: true, label: 'share of trading days present', tickFormat: fmtPct },
    marks: [
      Plot.cell(rows, { x: 'symbol', y: 'feature', fill: 'share', stroke: (c) => (c.behind ? '#111' : 'none') }),
      Plot.tip(rows, Plot.pointer({ x: 'symbol', y: 'feature', title: (c) => `${c.symbol} · ${c.feature}\n${c.firstDate} … ${c.lastDate}\n${c.rows} rows${c.missingDays === null ? '' : `, ${c.missingDays} trading days missing`}${c.behind ? '\nends before the newest date in the store' : ''}\nclick to list the gaps` })),
    ],
  });
  plot.addEventListener('click', () => {
    if (plot.value) onPick(plot.value);
  });
  return plot;
}
