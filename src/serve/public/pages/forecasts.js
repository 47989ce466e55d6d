import { api, card, emptyState, errorBox, h, modelLink, num, table, tryApi } from '../dom.js';
import { fanChart, figure } from '../charts.js';

const q = (p) => `p${Math.round(p * 100)}`;

/** Indices of the quantile closest to the median and of the outermost ones. */
function quantileIndices(quantiles) {
  let mid = 0;
  quantiles.forEach((x, i) => {
    if (Math.abs(x - 0.5) < Math.abs(quantiles[mid] - 0.5)) mid = i;
  });
  return { low: 0, mid, high: quantiles.length - 1 };
}

/** Stored forecasts of a model: the buy list, a symbol search, and the chosen symbol's history with its fan. */
export async function forecastsPage(params) {
  const { models } = await api('/api/models');
  const withForecasts = models.filter((m) => m.forecasts.length > 0);
  const title = h('h1', {}, 'Forecasts');
  if (withForecasts.length === 0) return [title, emptyState('No stored forecasts yet', 'stockcast forecast --model-id <id>')];
  const modelId = params.get('model') ?? withForecasts[0].modelId;
  const asOf = params.get('asOf') ?? '';
  const f = await api(`/api/models/${encodeURIComponent(modelId)}/forecast${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`);
  const wanted = (params.get('symbol') ?? '').trim().toUpperCase();
  const symbol = wanted || f.buyList.picks[0]?.symbol || f.symbols[0]?.symbol;
  const idx = quantileIndices(f.quantiles);
  const labels = [q(f.quantiles[idx.low]), q(f.quantiles[idx.mid]), q(f.quantiles[idx.high])];
  return [title, searchForm(withForecasts, f, symbol), await symbolView(f, symbol, idx, labels), buyList(f, labels, idx), allSymbols(f, labels, idx, symbol)];
}

function searchForm(models, f, symbol) {
  const modelSelect = h('select', { name: 'model', 'aria-label': 'model' }, models.map((m) => h('option', { value: m.modelId, selected: m.modelId === f.modelId ? 'selected' : null }, m.modelId)));
  const asOfSelect = h('select', { name: 'asOf', 'aria-label': 'as of' }, [...f.available].reverse().map((d) => h('option', { value: d, selected: d === f.asOf ? 'selected' : null }, `as of ${d}`)));
  // a changed model has other dates: drop the as-of so its newest forecast is shown
  modelSelect.addEventListener('change', () => asOfSelect.remove());
  return h(
    'form',
    { class: 'search', method: 'get', action: '/forecasts' },
    modelSelect,
    asOfSelect,
    h('input', { name: 'symbol', id: 'symbol-search', list: 'symbols', placeholder: 'symbol, e.g. AAPL', value: symbol ?? '', autocomplete: 'off', 'aria-label': 'symbol' }),
    h('datalist', { id: 'symbols' }, f.symbols.map((s) => h('option', { value: s.symbol }))),
    h('button', { type: 'submit' }, 'Show'),
    h('span', { class: 'muted' }, `${f.symbols.length} symbols, model `, modelLink(f.modelId)),
  );
}

async function symbolView(f, symbol, idx, labels) {
  const s = f.symbols.find((x) => x.symbol.toUpperCase() === String(symbol).toUpperCase());
  if (!s) return card(symbol ?? 'symbol', errorBox({ status: 404, message: `no forecast for symbol "${symbol}" in ${f.modelId}'s forecast as of ${f.asOf}`, hint: 'pick one of the listed symbols' }));
  const pick = (k) => s.forecast.map((step) => step[k]);
  const caption = `${s.symbol}: ${f.targetColumn} with the ${labels.join('/')} forecast of the next ${f.dates.length} trading day(s)`;
  const facts = h('p', {}, `current ${num(s.current, 2)} on ${f.asOf}; `, f.dates.map((d, i) => `${d}: ${labels[1]} ${num(s.forecast[i][idx.mid], 2)} [${num(s.forecast[i][idx.low], 2)} … ${num(s.forecast[i][idx.high], 2)}]`).join('; '));
  if (f.target.startsWith('log_return')) return card(s.symbol, facts, h('p', { class: 'muted' }, 'this model forecasts log returns, so its fan is not drawn over the price history'));
  const history = await tryApi(`/api/history?feature=${encodeURIComponent(f.targetColumn)}&symbol=${encodeURIComponent(s.symbol)}&end=${f.asOf}&days=60&after=${10 + 2 * f.dates.length}`);
  const chart = history.ok
    ? figure(caption, fanChart({ history: history.value.points, asOf: f.asOf, current: s.current, dates: f.dates, low: pick(idx.low), mid: pick(idx.mid), high: pick(idx.high), labels }), 'history from the feature store; dots after the as-of date are what actually happened, when the store has those days')
    : errorBox(history.error);
  return card(s.symbol, h('div', { id: 'symbol-view', 'data-symbol': s.symbol }, facts, chart));
}

function changePct(s, idx, step) {
  const v = s.forecast[step]?.[idx.mid];
  return v === null || v === undefined || !(s.current > 0) ? null : (v / s.current - 1) * 100;
}

function buyList(f, labels, idx) {
  const p = f.buyList.params;
  const link = (sym) => h('a', { href: `/forecasts?model=${encodeURIComponent(f.modelId)}&asOf=${f.asOf}&symbol=${encodeURIComponent(sym)}` }, sym);
  const rows = f.buyList.picks;
  const body = rows.length
    ? table(
        [
          { label: 'symbol', value: (r) => link(r.symbol) },
          { label: 'current', num: true, value: (r) => num(r.current, 2) },
          { label: `predicted change %`, num: true, value: (r) => num(r.predictedChangePct, 2) },
          { label: 'score', num: true, value: (r) => num(r.score, 3) },
        ],
        rows,
        { key: (r) => r.symbol, class: 'buy-list' },
      )
    : h('p', { class: 'muted' }, 'nothing to buy: no symbol has a positive forecast');
  return card(`Buy list (${f.buyList.strategy}: interval ${p.intervalDays}, ${p.numStocksPurchased} stocks, uncertainty × ${p.uncertaintyMultiplier})`, body);
}

function allSymbols(f, labels, idx, symbol) {
  const filter = h('input', { placeholder: 'filter symbols', 'aria-label': 'filter symbols', id: 'symbol-filter' });
  const step = f.dates.length - 1;
  const t = table(
    [
      { label: 'symbol', value: (s) => h('a', { href: `/forecasts?model=${encodeURIComponent(f.modelId)}&asOf=${f.asOf}&symbol=${encodeURIComponent(s.symbol)}` }, s.symbol) },
      { label: 'current', num: true, value: (s) => num(s.current, 2) },
      ...f.dates.map((d, i) => ({ label: `${labels[1]} ${d}`, num: true, value: (s) => num(s.forecast[i][idx.mid], 2) })),
      { label: `${labels[1]} change % (last step)`, num: true, value: (s) => num(changePct(s, idx, step), 2) },
    ],
    f.symbols,
    { key: (s) => s.symbol, selected: (s) => s.symbol === symbol, class: 'all-symbols' },
  );
  filter.addEventListener('input', () => {
    const needle = filter.value.trim().toUpperCase();
    for (const tr of t.querySelectorAll('tbody tr')) tr.hidden = needle !== '' && !tr.dataset.row.toUpperCase().includes(needle);
  });
  return card(`All ${f.symbols.length} symbols as of ${f.asOf}`, filter, t);
}
