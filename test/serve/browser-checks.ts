import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openRuntime } from '../../src/cli/runtime.js';
import { dashboardSources } from '../../src/cli/serve.js';
import { startDashboard } from '../../src/serve/dashboard-server.js';
import type { DashboardContext } from './serve-home.js';

const CHROMIUM = '/usr/bin/chromium';
/** A chart's plot itself (legends hold small SVG swatches too). */
const PLOT = (caption: string) => `figure.chart[data-chart="${caption}"] svg:has(g[aria-label="y-axis tick"])`;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The pages in headless Chromium (Debian's package), against the same home and dashboard as the API checks. */
export function browserChecks(ctx: DashboardContext): void {
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  after(async () => {
    await browser?.close();
  });

  /** Opens a dashboard path and waits until the front end has rendered it. */
  async function open(path: string, base = ctx.dashboard.url): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(`${path}: ${err.message}`));
    await page.goto(`${base}${path}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    const html = await page.content();
    assert.ok(!html.includes(ctx.secret), `${path} shows the secret`);
    return page;
  }
  const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent())?.trim();

  test('browser: the models page lists the model with the test figures `evaluate --json` printed', async () => {
    const page = await open('/');
    const q = ctx.outputs.evaluation.forecastQuality;
    assert.equal(await text(page, 'tr[data-row="tiny"] td[data-field="test-quantile-loss"]'), q.quantileLoss.toFixed(4));
    assert.equal(await text(page, 'tr[data-row="tiny"] td[data-field="rank-ic"]'), q.rankIc.mean.toFixed(4));
    assert.equal(await text(page, 'tr[data-row="tiny"] td[data-field="naive-test-quantile-loss"]'), q.naiveMae.toFixed(4));
    assert.equal(await text(page, 'tr[data-row="tiny"] a'), 'tiny');
    const best = [...ctx.outputs.evaluation.baselines].sort((a, b) => a.quantileLoss - b.quantileLoss)[0]!;
    assert.equal(await text(page, 'tr[data-row="tiny"] td[data-field="best-baseline"]'), `${best.name} ${best.quantileLoss.toFixed(4)}`);
    await page.close();
  });

  test('browser: a model page draws the training curve, the evaluation and the explanation with axes and tooltips', async () => {
    const page = await open('/models/tiny');
    assert.equal(await text(page, 'h1'), 'tiny');
    const captions = await page.locator('figure.chart > figcaption').allTextContents();
    for (const c of ['training curve', 'equity vs buy & hold', 'drawdown', 'strategy grid: annualised Sharpe', 'calibration', 'information coefficient over time', 'encoder variable importance', 'decoder variable importance', 'attention by position']) {
      assert.ok(captions.includes(c), `chart "${c}" is drawn (have: ${captions.join(', ')})`);
      assert.equal(await page.locator(PLOT(c)).count(), 1, `"${c}" has a plot with a y axis`);
    }
    const ticks = await page.locator('figure.chart[data-chart="training curve"] g[aria-label="y-axis tick label"] text').allTextContents();
    assert.ok(ticks.length >= 2 && ticks.every((t) => /^[\d.]+$/.test(t)), `y ticks: ${ticks.join(' ')}`);
    assert.equal(await text(page, 'table.summary tr[data-row="test-quantile-loss"] td[data-field="model"]'), ctx.outputs.evaluation.forecastQuality.quantileLoss.toFixed(4));
    // every baseline beside the model, with the numbers and the verdict `evaluate --json` printed
    for (const b of ctx.outputs.evaluation.baselines) {
      assert.equal(await text(page, `table.summary tr[data-row="test-quantile-loss"] td[data-field="${b.name}"]`), b.quantileLoss.toFixed(4));
      assert.equal(await text(page, `table.summary tr[data-row="test-mae"] td[data-field="${b.name}"]`), b.mae.toFixed(4));
    }
    assert.equal(await text(page, 'p[data-verdict]'), ctx.outputs.evaluation.verdict.sentence);
    // hover the training curve: a tooltip with an epoch's loss appears
    const box = (await page.locator(PLOT('training curve')).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5);
    await page.waitForSelector('figure.chart[data-chart="training curve"] g[aria-label="tip"] text', { timeout: 5000 });
    assert.match((await text(page, 'figure.chart[data-chart="training curve"] g[aria-label="tip"]'))!, /epoch \d.*loss \d/);
    // a run chosen in the table replaces the equity chart's run
    await page.locator('details summary', { hasText: 'all 8 runs' }).click();
    await page.locator('tr[data-row="run-3"]').click();
    assert.match((await text(page, 'h3'))!, /^Run: interval 1, 2 stocks, × 0\.3/);
    await page.close();
  });

  test('browser: forecasts show the fan of the chosen symbol, searchable by symbol', async () => {
    const page = await open('/forecasts?model=tiny');
    const first = (await (await fetch(`${ctx.dashboard.url}/api/models/tiny/forecast`)).json()) as { asOf: string; buyList: { picks: Array<{ symbol: string }> }; symbols: Array<{ symbol: string; current: number }> };
    assert.equal(await page.locator('#symbol-view').getAttribute('data-symbol'), first.buyList.picks[0]!.symbol);
    assert.ok((await page.locator('#symbol-view figure.chart svg').count()) >= 1, 'the fan chart is drawn');
    await page.fill('#symbol-search', 'syn03');
    await Promise.all([page.waitForURL(/symbol=syn03/), page.press('#symbol-search', 'Enter')]);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.locator('#symbol-view').getAttribute('data-symbol'), 'SYN03');
    const current = first.symbols.find((s) => s.symbol === 'SYN03')!.current;
    assert.match((await text(page, '#symbol-view p'))!, new RegExp(`^current ${current.toFixed(2).replace('.', '\\.')} on ${first.asOf}`));
    await page.fill('#symbol-filter', 'SYN01');
    assert.deepEqual(await page.locator('table.all-symbols tbody tr:visible').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row'))), ['SYN01']);
    await page.goto(`${ctx.dashboard.url}/forecasts?model=tiny&symbol=NOPE`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.match((await text(page, '.error'))!, /no forecast for symbol "NOPE"/);
    await page.close();
  });

  test('browser: trading shows the missed run, open positions and the runs', async () => {
    const page = await open('/trading');
    const card = 'section.trading-model[data-model="tiny"]';
    assert.match((await text(page, `${card} p.missed`))!, /missed run: the last run \(2021-01-05\) is complete; the next was due 2021-01-06/);
    const api = (await (await fetch(`${ctx.dashboard.url}/api/trading`)).json()) as { models: Array<{ positions: Array<{ symbol: string }> }> };
    assert.deepEqual(await page.locator(`${card} table.positions tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row'))), api.models[0]!.positions.map((p) => p.symbol));
    assert.equal(await page.locator(`${card} table.runs > tbody > tr`).count(), 2);
    assert.ok((await page.locator(`${card} figure.chart svg`).count()) >= 1, 'weekly P&L chart');
    await page.close();
  });

  test('browser: data coverage per feature, a map, and the gaps of a clicked cell', async () => {
    const page = await open('/data');
    assert.equal(await text(page, 'table.coverage tr[data-row="open"] td[data-field="rows"]'), '1,020');
    assert.equal(await text(page, 'table.coverage tr[data-row="open"] td[data-field="missing"]'), '0');
    const cell = page.locator('figure.chart[data-chart="symbols × features"] g[aria-label="cell"] rect').first();
    const box = (await cell.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('#gaps h3');
    assert.match((await text(page, '#gaps h3'))!, /^SYN0\d · (open|day_of_week): 2020-01-02 … 2021-01-05, 255 rows$/);
    assert.match((await text(page, '#gaps p'))!, /no missing trading days/);
    await page.close();
  });

  test('browser: a missing model and a corrupt evaluation give error pages naming them; the server keeps serving', async () => {
    const ghost = await open('/models/ghost');
    assert.equal(await text(ghost, 'h1'), 'Error');
    assert.match((await text(ghost, '.error'))!, /no trained model "ghost".*run `stockcast train --model-id ghost`/s);
    await ghost.close();
    const file = join(ctx.dir, 'home', 'models', 'tiny', 'output', 'evaluation.json');
    const good = await readFile(file);
    await writeFile(file, '{"format": "stockcast-evaluation/1", "runs": [');
    try {
      const page = await open('/models/tiny');
      assert.match((await text(page, '.error'))!, /tiny\/output\/evaluation\.json: not valid JSON/);
      assert.equal(await page.locator(PLOT('training curve')).count(), 1, 'the rest of the page still renders');
      assert.equal(await page.locator(PLOT('encoder variable importance')).count(), 1);
      await page.close();
      const list = await open('/');
      assert.equal(await text(list, 'tr[data-row="tiny"] td[data-field="test-quantile-loss"]'), 'broken file');
      await list.close();
    } finally {
      await writeFile(file, good);
    }
    assert.equal((await fetch(`${ctx.dashboard.url}/api/health`)).status, 200);
  });

  test('browser: model ids and symbols are shown as text, never run as markup', async () => {
    const evil = '<img src=x onerror=window.__pwned=1>';
    await mkdir(join(ctx.dir, 'home', 'models', evil, 'output'), { recursive: true });
    await writeFile(join(ctx.dir, 'home', 'models', evil, 'output', 'evaluation.json'), await readFile(join(ctx.dir, 'home', 'models', 'tiny', 'output', 'evaluation.json')));
    for (const path of ['/', `/models/${encodeURIComponent(evil)}`]) {
      const page = await open(path);
      assert.ok((await page.locator('main').textContent())!.includes(evil), `${path} shows the id as text`);
      assert.equal(await page.locator('main img').count(), 0);
      assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
      await page.close();
    }
    await rm(join(ctx.dir, 'home', 'models', evil), { recursive: true, force: true });
  });

  test('browser: an empty home says which command fills each page', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'sc-serve-empty-'));
    const runtime = await openRuntime({ cwd: empty, env: { STOCKCAST_HOME: join(empty, 'home') } });
    const dashboard = await startDashboard({ port: 0, sources: await dashboardSources(runtime), log: () => {} });
    try {
      const expect: Array<[string, RegExp]> = [
        ['/', /No models in the model store yet: run stockcast train --model-id <id>/],
        ['/forecasts', /No stored forecasts yet: run stockcast forecast --model-id <id>/],
        ['/trading', /No trading runs in the order ledger yet: run stockcast trade --model-id <id> --execute/],
        ['/data', /The feature store is empty: run stockcast backfill/],
      ];
      for (const [path, message] of expect) {
        const page = await open(path, dashboard.url);
        assert.match((await text(page, '.empty'))!, message);
        await page.close();
      }
      assert.equal(existsSync(join(empty, 'home', 'ledger.duckdb')), false, 'viewing creates no ledger');
    } finally {
      await dashboard.close();
      await runtime.close();
      await rm(empty, { recursive: true, force: true });
    }
  });

  test('browser: no page threw a script error', () => {
    assert.deepEqual(pageErrors, []);
  });
}
