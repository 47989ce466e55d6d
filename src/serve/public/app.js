// The dashboard's front end: picks the page from the URL path, renders it into <main>, and turns any failure
// into an error box naming what is wrong (the server's message), never a blank page.
import { errorBox, h } from './dom.js';
import { modelsPage } from './pages/models.js';
import { modelPage } from './pages/model.js';
import { forecastsPage } from './pages/forecasts.js';
import { tradingPage } from './pages/trading.js';
import { dataPage } from './pages/data.js';

const ROUTES = [
  [/^\/$/, 'models', () => modelsPage()],
  [/^\/models\/([^/]+)$/, 'models', (m) => modelPage(decodeURIComponent(m[1]))],
  [/^\/forecasts$/, 'forecasts', () => forecastsPage(new URLSearchParams(location.search))],
  [/^\/trading$/, 'trading', () => tradingPage()],
  [/^\/data$/, 'data', () => dataPage(new URLSearchParams(location.search))],
];

async function main() {
  const app = document.getElementById('app');
  const route = ROUTES.find(([re]) => re.test(location.pathname));
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.nav === route?.[1]);
  if (!globalThis.Plot) {
    app.replaceChildren(errorBox({ message: 'the charting library did not load (/vendor/plot.umd.min.js)' }));
    return;
  }
  try {
    const content = route ? await route[2](route[0].exec(location.pathname)) : [h('h1', {}, 'No such page'), errorBox({ status: 404, message: `no dashboard page at ${location.pathname}`, hint: 'the pages are Models, Forecasts, Trading and Data' })];
    app.replaceChildren(...[content].flat().filter((c) => c !== null && c !== undefined && c !== false));
  } catch (err) {
    app.replaceChildren(h('h1', {}, 'Error'), errorBox(err));
  }
  document.body.dataset.ready = 'true';
}

main();
