import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { equalWeightReturns, joinByTimestamp, MarketJoinedFeatureStore, VIX_TICKER } from '../../src/features/market-covariates.js';
import { backfillFeatures } from '../../src/pipeline/backfill-features.js';
import { CsvBarsSource } from '../../src/sources/csv-bars.js';
import { IndexCsvSource } from '../../src/sources/index-csv.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { MARKET_SYMBOL } from '../../src/core/feature-catalog.js';
import type { WideFrame } from '../../src/core/wide-frame.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
const frame = (rows: Array<[number, number, number]>, column = 'open'): WideFrame => ({
  symbols: ['A', 'B'],
  symbolIndex: Int32Array.from(rows, (r) => r[0]),
  timestamps: Float64Array.from(rows, (r) => r[1]),
  columns: new Map([[column, Float64Array.from(rows, (r) => r[2])]]),
  length: rows.length,
});

test('the equal-weight return of the universe by hand: only symbols that traded on the previous date count', () => {
  // A: 100 → 110 → 99; B: 50 → (no day 2) → 60
  const r = equalWeightReturns(frame([[0, 1, 100], [0, 2, 110], [0, 3, 99], [1, 1, 50], [1, 3, 60]]), 'open');
  close(r.get(2)!, 0.1);
  close(r.get(3)!, -0.1, );
  assert.equal(r.has(1), false, 'the first date has no previous one');
});

test('a market series is joined into every symbol by timestamp; a missing date is NaN', () => {
  const index: WideFrame = { symbols: [MARKET_SYMBOL], symbolIndex: Int32Array.of(0, 0), timestamps: Float64Array.of(1, 3), columns: new Map([['vix_close', Float64Array.of(20, 30)]]), length: 2 };
  const joined = joinByTimestamp(frame([[0, 1, 100], [0, 2, 110], [1, 3, 60]]), index, ['vix_close']);
  const vix = Array.from(joined.columns.get('vix_close')!);
  assert.deepEqual([vix[0], Number.isNaN(vix[1]!), vix[2]], [20, true, 30]);
  assert.deepEqual(Array.from(joined.columns.get('open')!), [100, 110, 60]);
});

test('backfill stores the VIX and the universe return once, under the market symbol; every symbol reads them by date', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-market-'));
  const inner = await ParquetFeatureStore.open({ objects: new LocalObjectStore(join(dir, 'store')), prefix: 'p' });
  const store = new MarketJoinedFeatureStore(inner);
  try {
    await writeFile(join(dir, 'bars.csv'), 'symbol,date,open,high,low,close,volume\nA,2020-01-02,100,1,1,1,1\nA,2020-01-03,110,1,1,1,1\nB,2020-01-02,50,1,1,1,1\nB,2020-01-03,45,1,1,1,1\n');
    await writeFile(join(dir, 'vix.csv'), 'DATE,OPEN,HIGH,LOW,CLOSE\n2020-01-02,12.5,14,12,13.75\n2020-01-03,14.0,15,13,14.02\n');
    const summary = await backfillFeatures({
      request: { features: ['open', 'vix_open', 'vix_close', 'market_open_return'], symbols: ['A', 'B'], startDate: '2020-01-01', endDate: '2020-01-31', timeFrame: parseTimeFrame('1Day') },
      bars: new CsvBarsSource(join(dir, 'bars.csv')),
      earnings: () => Promise.reject(new Error('no earnings asked for')),
      vix: async () => new IndexCsvSource(join(dir, 'vix.csv'), VIX_TICKER),
      store,
      unavailableBarFeatures: [],
      checkpointDir: join(dir, 'ckpt'),
    });
    assert.deepEqual(Object.fromEntries(summary.receivedRows), { open: 4, vix_open: 2, vix_close: 2, market_open_return: 1 });
    assert.deepEqual((await inner.coverage('vix_close', '1Day')).map((c) => c.symbol), [MARKET_SYMBOL], 'stored once, not per symbol');
    const wide = await store.queryWide({ features: ['open', 'vix_open', 'market_open_return'], timeFrame: '1Day' });
    assert.deepEqual(wide.symbols, ['A', 'B'], 'the market symbol is not a tradable series');
    assert.deepEqual(Array.from(wide.columns.get('vix_open')!), [12.5, 14, 12.5, 14]);
    // day 2: A +10 %, B −10 % → 0
    const mret = Array.from(wide.columns.get('market_open_return')!);
    assert.ok(Number.isNaN(mret[0]!) && Number.isNaN(mret[2]!));
    close(mret[1]!, 0);
    close(mret[3]!, 0);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
