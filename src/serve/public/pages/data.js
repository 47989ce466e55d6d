import { api, card, emptyState, errorBox, h, table } from '../dom.js';
import { coverageHeatmap, figure } from '../charts.js';

/** Coverage of the feature store: features × symbols × date range, and the gaps of any cell. */
export async function dataPage(params) {
  const tf = params.get('timeFrame');
  const d = await api(`/api/data${tf ? `?timeFrame=${encodeURIComponent(tf)}` : ''}`);
  const title = h('h1', {}, 'Data');
  const where = h('p', { class: 'muted' }, 'feature store: ', d.location);
  if (d.timeFrame === null) return [title, where, emptyState('The feature store is empty', 'stockcast backfill --features open,close --start 2024-01-01 --end 2024-12-31 (or npm run demo)')];
  const frames = d.timeFrames.length > 1 ? h('p', {}, 'time frame: ', d.timeFrames.map((x) => [x === d.timeFrame ? h('strong', {}, x) : h('a', { href: `/data?timeFrame=${encodeURIComponent(x)}` }, x), ' '])) : null;
  const daily = d.timeFrame === '1Day';
  const summary = table(
    [
      { label: 'feature', value: (f) => f.feature },
      { label: 'symbols', num: true, value: (f) => f.symbols },
      { label: 'first date', value: (f) => f.firstDate },
      { label: 'last date', value: (f) => f.lastDate },
      { label: 'rows', num: true, field: 'rows', value: (f) => f.rows.toLocaleString('en-US') },
      ...(daily ? [{ label: 'missing trading days', num: true, field: 'missing', value: (f) => f.missingDays.toLocaleString('en-US') }] : []),
      { label: 'symbols behind', num: true, value: (f) => (f.symbolsBehind ? h('span', { class: 'warning' }, f.symbolsBehind) : '0') },
    ],
    d.features,
    { key: (f) => f.feature, class: 'coverage' },
  );
  const gaps = h('div', { id: 'gaps' }, h('p', { class: 'muted' }, daily ? 'click a cell of the map to list its missing trading days' : 'gap lists are for daily data'));
  const showGaps = async (cell) => {
    if (!daily) return;
    gaps.replaceChildren(h('p', { class: 'muted' }, `loading gaps of ${cell.symbol} · ${cell.feature}…`));
    try {
      const g = await api(`/api/data/gaps?feature=${encodeURIComponent(cell.feature)}&symbol=${encodeURIComponent(cell.symbol)}`);
      gaps.replaceChildren(
        h('h3', {}, `${g.symbol} · ${g.feature}: ${g.firstDate} … ${g.lastDate}, ${g.rows} rows`),
        g.missing.length ? h('p', {}, `${g.missing.length} missing trading day(s): `, g.missing.join(', ')) : h('p', { class: 'ok' }, 'no missing trading days in this range'),
      );
    } catch (err) {
      gaps.replaceChildren(errorBox(err));
    }
  };
  return [
    title,
    where,
    frames,
    card(`Features at ${d.timeFrame} (${d.symbols.length} symbols)`, summary, h('p', { class: 'muted' }, daily ? `missing trading days: NYSE sessions inside each symbol’s own first…last range that the store lacks. Behind: symbols whose data ends before the newest date in the store (${d.newestDate}), so a model reading that feature lacks those days.` : 'intraday frames: rows per symbol; sessions are not checked for gaps here.')),
    card('Coverage map', figure('symbols × features', coverageHeatmap(d.cells, d.symbols, d.features.map((f) => f.feature), showGaps), `colour: share of trading days present; outlined: ends before ${d.newestDate}`), gaps),
  ];
}
