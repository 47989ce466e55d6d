import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import type { DashboardContext } from './serve-home.js';

/** The JSON API, checked against what the CLI printed while building the home. */
export function apiChecks(ctx: DashboardContext): void {
const SECRET = ctx.secret;

/** The status of a GET sent exactly as given (no URL normalisation), optionally with another Host header. */
function rawStatus(path: string, host?: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const u = new URL(ctx.dashboard.url);
    const req = request({ host: u.hostname, port: u.port, path, headers: host ? { host } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function get(path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${ctx.dashboard.url}${path}`);
  const text = await res.text();
  assert.ok(!text.includes(SECRET), `${path} leaks the secret`);
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text, headers: res.headers };
}

test('models: training history and test-range figures equal what train and `evaluate --json` produced', async () => {
  const { status, body } = await get('/api/models');
  assert.equal(status, 200);
  const tiny = body.models.find((m: { modelId: string }) => m.modelId === 'tiny');
  assert.equal(tiny.training.epochs, 2);
  assert.equal(tiny.evaluation.quantileLoss, ctx.outputs.evaluation.forecastQuality.quantileLoss);
  assert.equal(tiny.evaluation.rankIc, ctx.outputs.evaluation.forecastQuality.rankIc.mean);
  // symmetric quantiles: the naive forecast's quantile loss equals its MAE, which evaluate prints
  assert.ok(Math.abs(tiny.evaluation.naiveQuantileLoss - ctx.outputs.evaluation.forecastQuality.naiveMae) < 1e-9);
  assert.deepEqual(tiny.evaluation.baselines.map((b: { name: string; quantileLoss: number }) => [b.name, b.quantileLoss]), ctx.outputs.evaluation.baselines.map((b) => [b.name, b.quantileLoss]));
  assert.equal(tiny.evaluation.verdict.sentence, ctx.outputs.evaluation.verdict.sentence);
  // `forecast` twice, then each `trade` run keeps the forecast it traded on
  assert.deepEqual(tiny.forecasts, ['2020-12-15', '2020-12-31', '2021-01-04', '2021-01-05']);
  assert.deepEqual(tiny.explanations, ['val']);

  const detail = (await get('/api/models/tiny')).body;
  assert.equal(detail.training.history.length, 2);
  assert.ok(detail.training.history.every((e: { trainLoss: number; valLoss: number }) => e.trainLoss > 0 && e.valLoss > 0));
  assert.equal(detail.dataset.target, 'open');
  assert.deepEqual(detail.config.features, ['open', 'day_of_week']);
  assert.equal(detail.training.dataRange.symbols, 4);
});

test('evaluation and explanation: every run and importance as the CLI printed them', async () => {
  const e = (await get('/api/models/tiny/evaluation')).body;
  assert.equal(e.runs.length, 8, 'interval 1–2 × stocks 1–2 × uncertainty 0.1, 0.3');
  assert.deepEqual(e.runs.map((r: { finalMoney: number }) => r.finalMoney), ctx.outputs.evaluation.runs.map((r) => r.finalMoney));
  assert.equal(e.best, ctx.outputs.evaluation.best);
  assert.equal(e.benchmarks[0].label, 'equal-weight universe');
  assert.equal(e.runs[0].equity.values[0], 25_000, 'equity starts with the starting money');
  const x = (await get('/api/models/tiny/explanation/val')).body;
  assert.deepEqual(x.encoderImportance, ctx.outputs.explanation.encoderImportance);
  assert.equal((await get('/api/models/tiny/explanation/test')).status, 404);
  assert.equal((await get('/api/models/tiny/explanation/nope')).status, 400);
});

test('forecasts: latest and back-dated, with the feature history under them', async () => {
  const latest = (await get('/api/models/tiny/forecast')).body;
  assert.equal(latest.asOf, '2021-01-05', 'the last trade run forecast from the data up to its own day');
  const f = (await get('/api/models/tiny/forecast?asOf=2020-12-31')).body;
  assert.equal(f.asOf, '2020-12-31');
  assert.deepEqual(f.available, ['2020-12-15', '2020-12-31', '2021-01-04', '2021-01-05']);
  assert.deepEqual(f.dates, ['2021-01-04', '2021-01-05']);
  assert.equal(f.symbols.length, 4);
  assert.equal(f.buyList.picks.length, 2, "the config's 2 stocks, negative forecasts allowed");
  const back = (await get('/api/models/tiny/forecast?asOf=2020-12-15')).body;
  assert.equal(back.asOf, '2020-12-15');
  const sym = f.symbols.find((s: { symbol: string }) => s.symbol === 'SYN01');
  assert.equal(sym.forecast.length, 2);
  assert.ok(sym.forecast.every((step: unknown[]) => step.length === 3 && step.every(Number.isFinite)), 'three quantiles per step');
  const hist = (await get('/api/history?feature=open&symbol=SYN01&end=2020-12-31&days=30&after=10')).body;
  const last = hist.points.filter((p: { date: string }) => p.date <= '2020-12-31').at(-1);
  assert.equal(last.date, '2020-12-31');
  assert.ok(Math.abs(last.value - sym.current) < 1e-3, 'the forecast starts from the stored value of its as-of day');
  assert.ok(hist.points.some((p: { date: string }) => p.date === '2021-01-04'), 'the days trade refreshed after the as-of date');
  assert.equal((await get('/api/models/tiny/forecast?asOf=2020-11-30')).status, 404);
  assert.equal((await get('/api/models/tiny/forecast?asOf=yesterday')).status, 400);
});

test('trading: runs, open positions, weekly P&L and a missed run, from the ledger', async () => {
  const t = (await get('/api/trading')).body;
  assert.equal(t.hasLedger, true);
  const m = t.models.find((x: { modelId: string }) => x.modelId === 'tiny');
  assert.equal(m.runCount, 2);
  assert.equal(m.intervalDays, 1);
  assert.deepEqual(
    { last: m.status.lastRunDate, due: m.status.nextDue, missed: m.status.missed },
    { last: '2021-01-05', due: '2021-01-06', missed: true },
    'nothing ran after 5 January and the dashboard clock says 12 January',
  );
  // the second run sold the first run's 2 buys and bought 2 again: those are open, the first two are realised
  const buys = m.recentRuns[0].orders.filter((o: { orderType: string; filledQty: number }) => o.orderType === 'buy' && o.filledQty > 0);
  assert.deepEqual(m.positions.map((p: { symbol: string }) => p.symbol), buys.map((o: { symbol: string }) => o.symbol).sort());
  assert.equal(m.weekly.weeks.length, 1);
  assert.equal(m.weekly.weeks[0].week, '2021-W01');
  assert.ok(Math.abs(m.weekly.weeks[0].pnl - m.status.realisedPnl) < 1e-9);
  const status = await runCli(['trade', 'status', '--now', '2021-01-12T15:00:00Z'], ctx.dir);
  assert.match(status.stdout, new RegExp(`tiny\\s+2021-01-05\\s+complete\\s+1\\s+2021-01-06\\s+${m.status.realisedPnl.toFixed(2).replace('.', '\\.')}\\s+0\\s+YES`), 'the same figures as `trade status`');
  const runs = (await get('/api/trading/tiny/runs')).body;
  assert.equal(runs.runs.length, 2);
  assert.equal((await get('/api/trading/ghost/runs')).status, 404);
});

test('data: coverage per feature and symbol, and the gaps of one cell', async () => {
  const d = (await get('/api/data')).body;
  assert.equal(d.timeFrame, '1Day');
  assert.deepEqual(d.symbols, ['SYN00', 'SYN01', 'SYN02', 'SYN03']);
  const open = d.features.find((f: { feature: string }) => f.feature === 'open');
  assert.equal(open.firstDate, '2020-01-02');
  assert.equal(open.lastDate, '2021-01-05', 'trade refreshed the first days of 2021');
  assert.equal(open.symbols, 4);
  assert.equal(open.missingDays, 0);
  assert.equal(open.rows, 4 * (253 + 2), '253 NYSE sessions in 2020 + 2 in January 2021');
  const dow = d.features.find((f: { feature: string }) => f.feature === 'day_of_week');
  assert.deepEqual([dow.lastDate, dow.missingDays, dow.symbolsBehind], ['2021-01-05', 0, 0], "trade refreshed the model's features too");
  assert.equal(d.cells.length, 8);
  const gaps = (await get('/api/data/gaps?feature=open&symbol=SYN02')).body;
  assert.deepEqual(gaps.missing, []);
  assert.equal(gaps.rows, 255);
  assert.equal((await get('/api/data/gaps?feature=open&symbol=NOPE')).status, 404);
  assert.equal((await get('/api/data?timeFrame=10Min')).status, 404);
});

test('bad requests get JSON errors naming the problem; the server stays up', async () => {
  const ghost = await get('/api/models/ghost');
  assert.equal(ghost.status, 404);
  assert.match(ghost.body.error, /no trained model "ghost"/);
  assert.equal(ghost.body.hint, 'run `stockcast train --model-id ghost`');
  // sent as written (fetch would normalise them first): encoded dot segments resolve like plain ones, to nothing
  assert.equal(await rawStatus('/api/models/%2E%2E/evaluation'), 404);
  assert.equal(await rawStatus('/api/models/%ZZ'), 400);
  assert.match((await get('/api/models/a%5Cb')).body.error, /invalid model id "a\\\\b"/);
  assert.equal((await get('/api/models/a%00b/evaluation')).status, 400);
  assert.equal((await get('/api/nothing-here')).status, 404);
  assert.match((await get('/api/history?feature=open')).body.error, /missing query parameter symbol/);
  assert.match((await get('/api/history?feature=nope&symbol=A&end=2020-01-01')).body.error, /unknown feature "nope"/);
  const post = await fetch(`${ctx.dashboard.url}/api/models`, { method: 'POST' });
  assert.equal(post.status, 405, 'read-only');
  assert.equal((await get('/no/such/page')).status, 404);
  assert.equal((await get('/api/health')).body.ok, true);
});

test('a corrupt result file is a 500 naming the file, with no secret in the message; other models still list', async () => {
  const broken = join(ctx.dir, 'home', 'models', 'broken', 'output');
  await mkdir(broken, { recursive: true });
  // JSON.parse quotes the start of what it could not read: the secret must not come back with it
  await writeFile(join(broken, 'evaluation.json'), `${SECRET} is not json`);
  const e = await get('/api/models/broken/evaluation');
  assert.equal(e.status, 500);
  assert.match(e.body.error, /models\/broken\/output\/evaluation\.json: not valid JSON/);
  const list = (await get('/api/models')).body.models;
  assert.match(list.find((m: { modelId: string }) => m.modelId === 'broken').evaluationError, /not valid JSON/);
  assert.ok(list.some((m: { modelId: string; evaluation?: unknown }) => m.modelId === 'tiny' && m.evaluation));
  assert.equal((await get('/api/models/broken')).status, 404, 'no artifact: not a trained model');
});

test('security headers; a loopback dashboard refuses a foreign Host header (DNS rebinding)', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.match(String(page.body), /<script src="\/vendor\/plot\.umd\.min\.js"><\/script>/);
  const plot = await fetch(`${ctx.dashboard.url}/vendor/plot.umd.min.js`);
  assert.equal(plot.status, 200);
  assert.match((await plot.text()).slice(0, 200), /@observablehq\/plot v0\.6/);
  assert.equal(await rawStatus('/api/models', 'evil.example:80'), 403);
  assert.equal(await rawStatus('/api/models', `localhost:${new URL(ctx.dashboard.url).port}`), 200);
});
}
