import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { runBackfill } from '../../src/features/backfill.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import type { BarRequest, BarResult, MarketDataSource } from '../../src/sources/market-data-source.js';
import type { EarningsSource } from '../../src/sources/earnings-source.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import type { FeatureBatch, FeatureStore } from '../../src/store/feature-store.js';
import { refreshRecent, type RefreshRecentOptions } from '../../src/trade/refresh-recent.js';

/** The synthetic market, recording each bar request; `failing` symbols come back as failures. */
class RecordingMarket implements MarketDataSource {
  readonly name = 'recording';
  readonly requests: BarRequest[] = [];
  constructor(
    private readonly market: SyntheticMarket,
    private readonly failing = new Set<string>(),
  ) {}
  async fetchBars(req: BarRequest): Promise<BarResult> {
    this.requests.push(req);
    const r = await this.market.fetchBars(req);
    for (const s of this.failing) r.bars.delete(s);
    return { bars: r.bars, failures: [...this.failing].map((symbol) => ({ symbol, reason: 'HTTP 503', attempts: 5 })) };
  }
}

/** The store, with the symbols of each `write` (each write merges every partition it touches once). */
function countingWrites(store: FeatureStore): { store: FeatureStore; writes: string[][] } {
  const writes: string[][] = [];
  const counting = new Proxy(store, {
    get(target, prop) {
      if (prop === 'write') return (batch: FeatureBatch) => (writes.push([...new Set(batch.symbols)]), target.write(batch));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store: counting, writes };
}

/** A feature store holding daily open of `symbols` (default SYN00 and SYN01) up to 2024-12-31, and the ports of a refresh over it. */
async function setup(failing: string[] = [], symbols = ['SYN00', 'SYN01']) {
  const dir = await mkdtemp(join(tmpdir(), 'sc-refresh-'));
  const parquet = await ParquetFeatureStore.open({ objects: new LocalObjectStore(dir), prefix: 'features' });
  const { store, writes } = countingWrites(parquet);
  const market = new SyntheticMarket({ seed: 7, symbols });
  await runBackfill({ features: ['open'], symbols, startDate: '2024-12-02', endDate: '2024-12-31', timeFrame: parseTimeFrame('1Day') }, { bars: market, store });
  writes.length = 0;
  const bars = new RecordingMarket(market, new Set(failing));
  const opened = { bars: 0, earnings: 0 };
  const lines: string[] = [];
  const options = (over: Partial<RefreshRecentOptions> = {}): RefreshRecentOptions => ({
    features: store,
    bars: async () => (opened.bars++, bars),
    earnings: async (): Promise<EarningsSource> => (opened.earnings++, market),
    unavailableBarFeatures: [],
    modelFeatures: ['open', 'day_of_week'],
    today: '2025-01-03',
    log: (l) => lines.push(l),
    ...over,
  });
  return { store, bars, opened, lines, writes, options, close: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
}

test('fetches only the days after the store’s last date, for the stored symbols, with the model’s features and open', async () => {
  const s = await setup();
  try {
    await refreshRecent(s.options());
    assert.equal(s.bars.requests.length, 1);
    const req = s.bars.requests[0]!;
    assert.deepEqual(req.symbols.sort(), ['SYN00', 'SYN01']);
    assert.equal(req.start.toISOString(), '2025-01-01T05:00:00.000Z');
    const cov = await s.store.coverage('day_of_week', '1Day');
    assert.deepEqual(cov.map((c) => [c.symbol, c.firstDate, c.lastDate]), [['SYN00', '2025-01-02', '2025-01-03'], ['SYN01', '2025-01-02', '2025-01-03']]);
    assert.deepEqual((await s.store.coverage('open', '1Day')).map((c) => c.lastDate), ['2025-01-03', '2025-01-03']);
    assert.equal(s.opened.earnings, 0, 'no earnings feature, no earnings source');
    assert.match(s.lines.join('\n'), /^refreshed 2025-01-01\.\.2025-01-03: \d+ rows$/m);
  } finally {
    await s.close();
  }
});

test('more symbols than a backfill chunk (100) are refreshed in one write, so each partition is merged once', async () => {
  const symbols = Array.from({ length: 130 }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
  const s = await setup([], symbols);
  try {
    await refreshRecent(s.options());
    assert.equal(s.writes.length, 1, `store writes: ${s.writes.map((w) => w.length).join(', ')} symbols`);
    assert.equal(s.writes[0]!.length, 130);
    assert.deepEqual(new Set((await s.store.coverage('open', '1Day')).map((c) => c.lastDate)), new Set(['2025-01-03']));
  } finally {
    await s.close();
  }
});

test('nothing to fetch when the store already reaches today: no source is even opened', async () => {
  const s = await setup();
  try {
    await refreshRecent(s.options({ today: '2024-12-31' }));
    assert.deepEqual(s.opened, { bars: 0, earnings: 0 });
    assert.deepEqual(s.lines, []);
  } finally {
    await s.close();
  }
});

test('an earnings feature of the model opens the earnings source', async () => {
  const s = await setup();
  try {
    await refreshRecent(s.options({ modelFeatures: ['open', 'is_earnings_day'] }));
    assert.equal(s.opened.earnings, 1);
    assert.equal((await s.store.coverage('is_earnings_day', '1Day')).length > 0, true);
  } finally {
    await s.close();
  }
});

test('a failed symbol stops the run rather than trading on stale data', async () => {
  const s = await setup(['SYN01']);
  try {
    await assert.rejects(refreshRecent(s.options()), /refreshing recent features failed for SYN01: not trading on stale data/);
  } finally {
    await s.close();
  }
});
