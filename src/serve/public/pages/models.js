import { api, card, day, emptyState, h, modelLink, num, table } from '../dom.js';

/** The baseline with the lowest test quantile loss, e.g. `drift 1.2345`, or – for evaluations without baselines. */
function bestBaseline(x) {
  const best = (x.baselines ?? []).filter((b) => Number.isFinite(b.quantileLoss)).sort((a, b) => a.quantileLoss - b.quantileLoss)[0];
  return best ? `${best.name} ${num(best.quantileLoss)}` : '–';
}

/** Every model in the model store, its training figures and, when evaluated, test-range figures beside naive. */
export async function modelsPage() {
  const { location, models } = await api('/api/models');
  const title = h('h1', {}, 'Models');
  const where = h('p', { class: 'muted' }, 'model store: ', location);
  if (models.length === 0) return [title, where, emptyState('No models in the model store yet', 'stockcast train --model-id <id> (or npm run demo)')];
  const t = (m) => m.training;
  const e = (m) => m.evaluation;
  const evalCell = (m, f) => (m.evaluationError ? h('span', { class: 'warning', title: m.evaluationError }, 'broken file') : m.evaluation ? f(e(m)) : h('span', { class: 'muted' }, 'not evaluated'));
  const columns = [
    { label: 'model', value: (m) => [modelLink(m.modelId), m.error ? h('div', { class: 'warning' }, m.error) : null, !m.hasArtifact ? h('div', { class: 'muted' }, 'no trained artifact') : null] },
    { label: 'trained', value: (m) => (t(m) ? day(t(m).createdAt) : '–') },
    { label: 'data range', value: (m) => (t(m) ? `${t(m).dataRange.first} … ${t(m).dataRange.last} (${t(m).dataRange.symbols} symbols)` : '–') },
    { label: 'epochs', num: true, value: (m) => (t(m) ? `${t(m).epochs} (best ${t(m).bestEpoch + 1})` : '–') },
    { label: 'val loss', num: true, field: 'val-loss', value: (m) => (t(m) ? num(t(m).bestValLoss) : '–') },
    { label: 'naive val', num: true, field: 'naive-val-loss', value: (m) => (t(m) ? num(t(m).naiveValLoss) : '–') },
    { label: 'test q-loss', num: true, field: 'test-quantile-loss', value: (m) => evalCell(m, (x) => num(x.quantileLoss)) },
    { label: 'naive test', num: true, field: 'naive-test-quantile-loss', value: (m) => evalCell(m, (x) => num(x.naiveQuantileLoss)) },
    { label: 'best baseline', num: true, field: 'best-baseline', value: (m) => evalCell(m, (x) => bestBaseline(x)) },
    { label: 'Rank IC', num: true, field: 'rank-ic', value: (m) => evalCell(m, (x) => num(x.rankIc)) },
    { label: 'forecasts', value: (m) => (m.forecasts.length ? h('a', { href: `/forecasts?model=${encodeURIComponent(m.modelId)}` }, `as of ${m.forecasts.at(-1)}`) : h('span', { class: 'muted' }, 'none')) },
  ];
  return [
    title,
    where,
    card(null, table(columns, models, { key: (m) => m.modelId, class: 'models' })),
    h('p', { class: 'muted' }, 'Losses are the mean quantile loss in the target’s units. Validation loss picked the epoch, so only the test figures (from ', h('code', {}, 'stockcast evaluate'), ') are out of sample; naive = the last value as every quantile; best baseline = the lowest test quantile loss of the naive, drift, seasonal-naive and moving-average forecasts on the same rows. Rank IC: mean daily Spearman correlation of predicted and realised next-step change.'),
  ];
}
