import { api, card, emptyState, h, modelLink, money, pct, table } from '../dom.js';
import { figure, weeklyPnlChart } from '../charts.js';

/** The order ledger per model: missed-run warning, open positions, weekly P&L, and recent runs with their orders. */
export async function tradingPage() {
  const t = await api('/api/trading');
  const title = h('h1', {}, 'Trading');
  const when = h('p', { class: 'muted' }, `as of ${t.now}; realised P&L costs each filled sell at the average price of what the model held`);
  if (!t.hasLedger || t.models.length === 0) return [title, emptyState('No trading runs in the order ledger yet', 'stockcast trade --model-id <id> --execute')];
  return [title, when, ...t.models.map(modelCard)];
}

function modelCard(m) {
  const s = m.status;
  const status = h(
    'p',
    { class: s.missed ? 'warning missed' : 'ok', 'data-missed': String(s.missed) },
    s.missed
      ? `⚠ missed run: the last run (${s.lastRunDate}) is ${s.lastRunStatus}${s.lastRunStatus === 'complete' ? '' : ' — left unfinished'}; the next was due ${s.nextDue}`
      : `on schedule: last run ${s.lastRunDate} (${s.lastRunStatus}); next due ${s.nextDue}`,
  );
  const facts = h('p', { class: 'muted' }, `runs every ${m.intervalDays} trading day(s) (${m.intervalFrom}); ${m.runCount} run(s) in the ${m.ledger} ledger; realised P&L ${money(s.realisedPnl)}; mean weekly return ${pct(m.weekly.meanWeeklyReturn)}`);
  const positions = m.positions.length
    ? table(
        [
          { label: 'symbol', value: (p) => p.symbol },
          { label: 'quantity', num: true, value: (p) => p.quantity.toFixed(4) },
          { label: 'cost', num: true, value: (p) => money(p.cost) },
          { label: 'average price', num: true, value: (p) => money(p.cost / p.quantity) },
        ],
        m.positions,
        { key: (p) => p.symbol, class: 'positions' },
      )
    : h('p', { class: 'muted' }, 'no open positions');
  const weekly = m.weekly.weeks.length ? figure('realised P&L per week', weeklyPnlChart(m.weekly.weeks)) : h('p', { class: 'muted' }, 'no closed trades yet (P&L appears once a position is sold)');
  return h(
    'section',
    { class: 'card trading-model', 'data-model': m.modelId },
    h('h2', {}, modelLink(m.modelId)),
    status,
    facts,
    h('div', { class: 'grid2' }, h('div', {}, h('h3', {}, 'open positions'), positions), h('div', {}, h('h3', {}, 'weekly P&L'), weekly)),
    h('h3', {}, `latest runs (${Math.min(m.recentRuns.length, m.runCount)} of ${m.runCount})`),
    runsTable(m.recentRuns),
  );
}

function runsTable(runs) {
  return table(
    [
      { label: 'date', value: (r) => r.runDate },
      { label: 'status', value: (r) => h('span', { class: `badge ${r.runStatus === 'complete' ? 'good' : 'bad'}` }, r.runStatus) },
      { label: 'invested', num: true, value: (r) => money(r.totalMoneyInvested) },
      { label: 'available', num: true, value: (r) => money(r.moneyAvailable) },
      { label: 'orders', value: (r) => ordersDetail(r.orders) },
    ],
    runs,
    { key: (r) => r.runDate, class: 'runs' },
  );
}

function ordersDetail(orders) {
  const sells = orders.filter((o) => o.orderType === 'sell').length;
  const buys = orders.length - sells;
  const rejected = orders.filter((o) => o.status === 'rejected').length;
  return h(
    'details',
    {},
    h('summary', {}, `${sells} sells, ${buys} buys${rejected ? `, ${rejected} rejected` : ''}`),
    table(
      [
        { label: 'side', value: (o) => o.orderType },
        { label: 'symbol', value: (o) => o.symbol },
        { label: 'qty', num: true, value: (o) => o.quantity.toFixed(4) },
        { label: 'filled', num: true, value: (o) => o.filledQty.toFixed(4) },
        { label: 'avg price', num: true, value: (o) => money(o.filledAvgPrice) },
        { label: 'status', value: (o) => [o.status, o.error ? h('div', { class: 'warning' }, o.error) : null] },
        { label: 'client order id', value: (o) => h('code', {}, o.clientOrderId) },
      ],
      orders,
    ),
  );
}
