import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { barsToBatch } from '../../src/features/feature-rows.js';
import { runBackfill } from '../../src/features/backfill.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import type { BarRequest, BarResult, MarketDataSource } from '../../src/sources/market-data-source.js';
import type { FeatureBatch, FeatureStore } from '../../src/store/feature-store.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { latestSessionDay } from '../../src/trade/data-gaps.js';
import { refreshRecent, type RefreshRecentOptions } from '../../src/trade/refresh-recent.js';

const DAY = parseTimeFrame('1Day');

/** The synthetic market (under its own name, as the store recorded it), recording each bar request; `failing` symbols fail, `silent` ones get no bars. */
class RecordingMarket implements MarketDataSource {
  readonly name = 'synthetic';
  readonly requests: BarRequest[] = [];
  constructor(
    private readonly market: SyntheticMarket,
    private readonly failing = new Set<string>(),
    readonly silent = new Set<string>(),
  ) {}
  async fetchBars(req: BarRequest): Promise<BarResult> {
    this.requests.push(req);
    const r = await this.market.fetchBars(req);
    for (const s of [...this.failing, ...this.silent]) r.bars.delete(s);
    return { bars: r.bars, failures: [...this.failing].map((symbol) => ({ symbol, reason: 'HTTP 503', attempts: 5 })) };
  }
}

/** A feature store whose `crashAt`-th write dies half-way (as a killed process would): earlier writes landed, later ones never happen. */
function crashingStore(store: FeatureStore, crashAt: number): FeatureStore {
  let writes = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'write') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<FeatureStore['write']>) => {
        if (++writes === crashAt) throw new Error('simulated kill during the refresh');
        return target.write(...args);
      };
    },
  });
}

/** A store holding SYN00 and SYN01 (open, day_of_week, is_earnings_day) up to 2024-12-31, and the options of a refresh over it. */
async function setup(o: { failing?: string[]; silent?: string[]; features?: string[]; symbols?: string[] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sc-refresh-'));
  const store = await ParquetFeatureStore.open({ objects: new LocalObjectStore(dir), prefix: 'features' });
  const symbols = o.symbols ?? ['SYN00', 'SYN01'];
  const market = new SyntheticMarket({ seed: 7, symbols });
  await runBackfill({ features: o.features ?? ['open', 'day_of_week', 'is_earnings_day'], symbols, startDate: '2024-12-02', endDate: '2024-12-31', timeFrame: DAY }, { bars: market, earnings: market, store });
  const bars = new RecordingMarket(market, new Set(o.failing), new Set(o.silent));
  const opened: string[] = [];
  const lines: string[] = [];
  const options = (over: Partial<RefreshRecentOptions> = {}): RefreshRecentOptions => ({
    features: store,
    sources: {
      bars: async (name) => (opened.push(`bars:${name}`), bars),
      earnings: async (name) => (opened.push(`earnings:${name}`), market),
      unavailableBarFeatures: () => [],
    },
    modelFeatures: ['open', 'day_of_week'],
    day: '2025-01-03',
    log: (l) => lines.push(l),
    ...over,
  });
  const lastDates = async (feature: string) => (await store.coverage(feature, '1Day')).map((c) => `${c.symbol}:${c.lastDate}`);
  return { store, market, bars, opened, lines, options, lastDates, close: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
}

test('fetches only the missing days, for the traded symbols and the model’s features, from the source recorded as having written them', async () => {
  const s = await setup();
  try {
    const out = await refreshRecent(s.options());
    assert.deepEqual(s.opened, ['bars:synthetic'], 'the recorded source; no earnings source for a model without earnings features');
    assert.equal(s.bars.requests.length, 1);
    const req = s.bars.requests[0]!;
    assert.deepEqual(req.symbols.sort(), ['SYN00', 'SYN01']);
    assert.equal(req.start.toISOString(), '2025-01-01T05:00:00.000Z');
    assert.deepEqual(await s.lastDates('day_of_week'), ['SYN00:2025-01-03', 'SYN01:2025-01-03']);
    assert.deepEqual(await s.lastDates('open'), ['SYN00:2025-01-03', 'SYN01:2025-01-03']);
    assert.deepEqual(out.symbols, ['SYN00', 'SYN01']);
    assert.match(s.lines.join('\n'), /^refreshed 2025-01-01\.\.2025-01-03 from synthetic \(open, day_of_week; 2 symbols\): \d+ rows$/m);
  } finally {
    await s.close();
  }
});

test('more symbols than a backfill step (100) are refreshed in one write, so each partition is merged once', async () => {
  const s = await setup({ symbols: Array.from({ length: 130 }, (_, i) => `SYM${String(i).padStart(3, '0')}`), features: ['open'] });
  try {
    const writes: number[] = [];
    const counting = new Proxy(s.store, {
      get(target, prop) {
        if (prop === 'write') return (batch: FeatureBatch) => (writes.push(new Set(batch.symbols).size), target.write(batch));
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    await refreshRecent(s.options({ features: counting, modelFeatures: ['open'] }));
    assert.deepEqual(writes, [130], 'one write of every symbol');
    assert.equal(s.bars.requests.length, 1);
  } finally {
    await s.close();
  }
});

test('nothing to fetch when every feature already reaches the day: no source is even opened', async () => {
  const s = await setup();
  try {
    await refreshRecent(s.options({ day: '2024-12-31' }));
    assert.deepEqual(s.opened, []);
    assert.deepEqual(s.lines, []);
  } finally {
    await s.close();
  }
});

test('an earnings feature of the model is refreshed from the earnings source recorded for it', async () => {
  const s = await setup();
  try {
    await refreshRecent(s.options({ modelFeatures: ['open', 'is_earnings_day'] }));
    assert.deepEqual(s.opened.sort(), ['bars:synthetic', 'earnings:synthetic']);
    assert.deepEqual(await s.lastDates('is_earnings_day'), ['SYN00:2025-01-03', 'SYN01:2025-01-03']);
  } finally {
    await s.close();
  }
});

test('partial refresh: with only today’s open in the store (a backfill of open alone), the other features are fetched for today', async () => {
  const s = await setup();
  try {
    await runBackfill({ features: ['open'], symbols: ['SYN00', 'SYN01'], startDate: '2025-01-02', endDate: '2025-01-03', timeFrame: DAY }, { bars: s.market, store: s.store });
    await refreshRecent(s.options({ modelFeatures: ['open', 'day_of_week', 'is_earnings_day'] }));
    assert.deepEqual(await s.lastDates('day_of_week'), ['SYN00:2025-01-03', 'SYN01:2025-01-03'], 'the newest open date no longer hides the missing features');
    assert.deepEqual(await s.lastDates('is_earnings_day'), ['SYN00:2025-01-03', 'SYN01:2025-01-03']);
    assert.equal(s.bars.requests[0]!.start.toISOString(), '2025-01-01T05:00:00.000Z');
  } finally {
    await s.close();
  }
});

test('killed refresh: a refresh that died half-way is completed by the next run; a run that cannot complete it stops', async () => {
  const s = await setup();
  try {
    await assert.rejects(refreshRecent(s.options({ features: crashingStore(s.store, 1), modelFeatures: ['open', 'day_of_week', 'is_earnings_day'] })), /simulated kill/);
    await assert.rejects(refreshRecent(s.options({ features: crashingStore(s.store, 2), modelFeatures: ['open', 'day_of_week', 'is_earnings_day'] })), /simulated kill/);
    assert.deepEqual(await s.lastDates('open'), ['SYN00:2025-01-03', 'SYN01:2025-01-03'], 'the bars landed before the kill');
    assert.deepEqual(await s.lastDates('is_earnings_day'), ['SYN00:2024-12-31', 'SYN01:2024-12-31'], 'the earnings never did');
    // the next run completes it
    await refreshRecent(s.options({ modelFeatures: ['open', 'day_of_week', 'is_earnings_day'] }));
    for (const f of ['open', 'day_of_week', 'is_earnings_day']) assert.deepEqual(await s.lastDates(f), ['SYN00:2025-01-03', 'SYN01:2025-01-03'], f);
    // a refresh that cannot complete stops the run: here the earnings calendar fails for a day
    const failing = s.options({ modelFeatures: ['open', 'is_earnings_day'], day: '2025-01-06' });
    failing.sources = { ...failing.sources, earnings: async () => ({ name: 'synthetic', fetchEarnings: async () => ({ events: [], failures: [{ symbol: 'date:2025-01-06', reason: 'HTTP 500' }] }) }) };
    await assert.rejects(refreshRecent(failing), /refreshing recent features from synthetic failed for date:2025-01-06 \(HTTP 500\): not trading on stale data/);
    assert.deepEqual(await s.lastDates('is_earnings_day'), ['SYN00:2025-01-03', 'SYN01:2025-01-03'], 'the failed day was not written as "no earnings"');
  } finally {
    await s.close();
  }
});

test('a symbol the source has no bar for on the day (halted, delisted) is left out, said so; with none left the run stops', async () => {
  const s = await setup();
  try {
    const silent = new RecordingMarket(s.market, new Set(), new Set(['SYN01']));
    const o = s.options();
    o.sources = { ...o.sources, bars: async () => silent };
    const out = await refreshRecent(o);
    assert.deepEqual(out.symbols, ['SYN00']);
    assert.deepEqual(out.excluded, [{ symbol: 'SYN01', lastDate: '2024-12-31', reason: 'no bar on 2025-01-03 at the source' }]);
    assert.match(s.lines.join('\n'), /not trading 1 symbol\(s\) without a bar on 2025-01-03 at the source: SYN01/);
    const none = new RecordingMarket(s.market, new Set(), new Set(['SYN00', 'SYN01']));
    const o2 = s.options({ day: '2025-01-06' });
    o2.sources = { ...o2.sources, bars: async () => none };
    await assert.rejects(refreshRecent(o2), /no symbol has a bar on 2025-01-06 at its source: nothing to trade on/);
  } finally {
    await s.close();
  }
});

test('a failed symbol stops the run rather than trading on stale data', async () => {
  const s = await setup({ failing: ['SYN01'] });
  try {
    await assert.rejects(refreshRecent(s.options()), /refreshing recent features from synthetic failed for SYN01 \(HTTP 503\): not trading on stale data/);
  } finally {
    await s.close();
  }
});

test('--source must agree with the provenance; data without a recorded source needs --source', async () => {
  const s = await setup();
  try {
    await assert.rejects(refreshRecent(s.options({ source: 'yahoo' })), /open of SYN00 was written from synthetic, not yahoo \(--source yahoo\)/);
    assert.deepEqual(s.opened, [], 'nothing fetched');
    await refreshRecent(s.options({ source: 'synthetic' }));
    // rows written without a source (the Python predecessor's files): only an explicit --source refreshes them
    const legacy = await s.market.fetchBars({ symbols: ['OLD00'], start: new Date('2024-12-02T05:00:00Z'), end: new Date('2025-01-03T05:00:00Z'), timeFrame: DAY });
    await s.store.write(barsToBatch(legacy.bars, ['open'], ['day_of_week'], DAY, new Date()));
    await assert.rejects(refreshRecent(s.options({ day: '2025-01-06' })), /no source is recorded for open of OLD00 \(written before stockcast recorded sources\): pass --source/);
  } finally {
    await s.close();
  }
});

test('a symbol whose data ended long before the rest (delisted) is left out, and said so', async () => {
  const s = await setup();
  try {
    await runBackfill({ features: ['open', 'day_of_week'], symbols: ['GONE0'], startDate: '2024-10-01', endDate: '2024-11-01', timeFrame: DAY }, { bars: s.market, store: s.store });
    const out = await refreshRecent(s.options());
    assert.deepEqual(out.excluded, [{ symbol: 'GONE0', lastDate: '2024-11-01', reason: 'data ends more than 10 trading days before the rest' }]);
    assert.deepEqual(s.bars.requests[0]!.symbols.sort(), ['SYN00', 'SYN01']);
    assert.match(s.lines[0]!, /not trading 1 symbol\(s\) whose data ends more than 10 trading days before the rest: GONE0 \(2024-11-01\)/);
  } finally {
    await s.close();
  }
});

test('the latest session day: today once the market has opened, else the trading day before', () => {
  assert.equal(latestSessionDay(new Date('2025-01-06T15:00:00Z')), '2025-01-06'); // Monday 10:00 New York
  assert.equal(latestSessionDay(new Date('2025-01-06T14:00:00Z')), '2025-01-03'); // Monday 09:00: Friday
  assert.equal(latestSessionDay(new Date('2025-01-05T15:00:00Z')), '2025-01-03'); // Sunday
  assert.equal(latestSessionDay(new Date('2025-01-20T16:00:00Z')), '2025-01-17'); // Martin Luther King Day
});

test('runs refreshing one store at once take turns under the refresh lock: the first fetches the day, the others find it there', async () => {
  const s = await setup();
  const { acquireFileLock } = await import('../../src/core/file-lock.js');
  const locks = await mkdtemp(join(tmpdir(), 'sc-refresh-lock-'));
  try {
    const lock = () => acquireFileLock(join(locks, 'refresh.lock'), { timeoutMs: 60_000 });
    const outcomes = await Promise.all([1, 2, 3].map(() => refreshRecent(s.options({ lock }))));
    assert.equal(s.bars.requests.length, 1, 'one fetch, not three');
    assert.deepEqual(outcomes.map((o) => o.fetched.length).sort(), [0, 0, 1]);
    assert.deepEqual(await s.lastDates('day_of_week'), ['SYN00:2025-01-03', 'SYN01:2025-01-03']);
  } finally {
    await s.close();
    await rm(locks, { recursive: true, force: true });
  }
});
