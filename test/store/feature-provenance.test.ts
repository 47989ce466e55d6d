import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { runBackfill } from '../../src/features/backfill.js';
import { CsvBarsSource } from '../../src/sources/csv-bars.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import type { BarRequest, BarResult, MarketDataSource } from '../../src/sources/market-data-source.js';
import { FeatureProvenance } from '../../src/store/feature-provenance.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';

const CSV = fileURLToPath(new URL('../fixtures/sp500-6-symbols-2015-2018.csv.gz', import.meta.url));
const DAY = parseTimeFrame('1Day');
const req = (symbols: string[], features = ['open', 'day_of_week'], startDate = '2018-01-02', endDate = '2018-01-31') => ({ features, symbols, startDate, endDate, timeFrame: DAY });

/** Another source's bars under another name (a second real vendor, for the mixing rules). */
function renamed(source: MarketDataSource, name: string, scale = 1.01): MarketDataSource {
  return {
    name,
    async fetchBars(r: BarRequest): Promise<BarResult> {
      const out = await source.fetchBars(r);
      for (const bars of out.bars.values()) for (const b of bars) b.open *= scale;
      return out;
    },
  };
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'sc-prov-'));
  const objects = new LocalObjectStore(dir);
  const store = await ParquetFeatureStore.open({ objects, prefix: 'features' });
  const manifest = async (feature: string) => JSON.parse(await readFile(join(dir, 'features', `feature=${feature}`, 'time_frame=1Day', '_provenance.json'), 'utf8')) as { symbols: Record<string, { source: string; earlier?: Array<{ source: string }> }> };
  return { dir, objects, store, manifest, close: async () => (await store.close(), await rm(dir, { recursive: true, force: true })) };
}

test('a backfill records its source per symbol and feature beside the data; the data files keep the seed’s columns', async () => {
  const s = await setup();
  try {
    await runBackfill(req(['AAPL', 'MSFT']), { bars: new CsvBarsSource(CSV), store: s.store });
    await runBackfill(req(['SYN00']), { bars: new SyntheticMarket({ seed: 1 }), store: s.store });
    const open = await s.manifest('open');
    assert.deepEqual(Object.fromEntries(Object.entries(open.symbols).map(([k, v]) => [k, v.source])), { AAPL: 'csv', MSFT: 'csv', SYN00: 'synthetic' });
    assert.deepEqual(Object.keys((await s.manifest('day_of_week')).symbols), ['AAPL', 'MSFT', 'SYN00']);
    assert.deepEqual(Object.keys((await s.store.readLong('open', '1Day'))[0]!), ['timestamp', 'value', 'type', 'updated_timestamp', 'date', 'symbol', 'feature', 'time_frame']);
    const sources = await s.store.recordedSources(['open', 'close'], '1Day');
    assert.equal(sources.get('open')!.get('MSFT'), 'csv');
    assert.equal(sources.get('close')!.size, 0, 'nothing recorded for a feature never written');
  } finally {
    await s.close();
  }
});

test('synthetic rows are refused for symbols that hold real data (any feature), naming symbols and source; nothing is written', async () => {
  const s = await setup();
  try {
    await runBackfill(req(['AAPL', 'MSFT'], ['open']), { bars: new CsvBarsSource(CSV), store: s.store });
    const before = await s.store.readLong('open', '1Day');
    const synthetic = new SyntheticMarket({ seed: 1 });
    await assert.rejects(
      runBackfill(req(['AAPL', 'MSFT', 'SYN00'], ['open', 'close']), { bars: synthetic, store: s.store }),
      /feature store file:\/\/.*: refusing to write synthetic rows: the store holds real data from csv for AAPL, MSFT \(open\)\. Synthetic data belongs in a store of its own/,
    );
    assert.deepEqual(await s.store.readLong('open', '1Day'), before, 'not one row changed');
    assert.deepEqual(await s.store.coverage('close', '1Day'), [], 'no other feature was written either');
    // and the reverse: real rows for a ticker the store made up
    await runBackfill(req(['SYN00'], ['open']), { bars: synthetic, store: s.store });
    await assert.rejects(runBackfill(req(['SYN00'], ['close']), { bars: renamed(synthetic, 'yahoo'), store: s.store }), /refusing to write yahoo rows: the store holds synthetic \(made-up\) data for SYN00 \(open\)/);
  } finally {
    await s.close();
  }
});

test('a second real source for a symbol is an error unless --allow-source-change, which records and reports the switch', async () => {
  const s = await setup();
  try {
    const csv = new CsvBarsSource(CSV);
    await runBackfill(req(['AAPL', 'MSFT'], ['open']), { bars: csv, store: s.store });
    const yahoo = renamed(csv, 'yahoo');
    await assert.rejects(runBackfill(req(['AAPL', 'JNJ'], ['open']), { bars: yahoo, store: s.store }), /refusing to write yahoo rows: open of AAPL was written from csv\. Two sources in one series put a jump .* pass --allow-source-change/);
    const summary = await runBackfill(req(['AAPL', 'JNJ'], ['open']), { bars: yahoo, store: s.store, allowSourceChange: true });
    assert.deepEqual(summary.sourceChanges, [{ feature: 'open', symbols: ['AAPL'], from: 'csv', to: 'yahoo' }]);
    const open = await s.manifest('open');
    assert.equal(open.symbols.AAPL!.source, 'yahoo');
    assert.deepEqual(open.symbols.AAPL!.earlier!.map((e) => e.source), ['csv']);
    assert.equal(open.symbols.JNJ!.source, 'yahoo');
    assert.equal(open.symbols.MSFT!.source, 'csv');
    // the same source again is no change at all
    assert.deepEqual((await runBackfill(req(['AAPL'], ['open']), { bars: yahoo, store: s.store })).sourceChanges, []);
  } finally {
    await s.close();
  }
});

test('rows written before sources were recorded count as real: synthetic rows are refused there, a real source adopts them', async () => {
  const s = await setup();
  try {
    const csv = new CsvBarsSource(CSV);
    // a store written by the Python predecessor or an older stockcast: data, no manifest
    const legacy = await csv.fetchBars({ symbols: ['AAPL'], start: new Date('2018-01-02T05:00:00Z'), end: new Date('2018-01-31T05:00:00Z'), timeFrame: DAY });
    const { barsToBatch } = await import('../../src/features/feature-rows.js');
    await s.store.write(barsToBatch(legacy.bars, ['open'], [], DAY, new Date()));
    await assert.rejects(runBackfill(req(['AAPL'], ['open']), { bars: new SyntheticMarket({ seed: 1 }), store: s.store }), /open rows of unknown origin \(written before sources were recorded\) for AAPL/);
    await runBackfill(req(['AAPL'], ['open']), { bars: csv, store: s.store });
    assert.equal((await s.manifest('open')).symbols.AAPL!.source, 'csv');
  } finally {
    await s.close();
  }
});

test('concurrent writers of one feature merge their symbols into the manifest; none is lost', async () => {
  const s = await setup();
  try {
    // separate instances, as separate processes would have; each records its own symbols at the same moment
    const symbols = Array.from({ length: 12 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    await Promise.all(
      symbols.map((sym, i) => new FeatureProvenance({ objects: s.objects, prefix: 'features', storedSymbols: async () => [] }).record(['open', 'close'], '1Day', [sym], { source: i % 2 ? 'csv' : 'alpaca' })),
    );
    for (const f of ['open', 'close']) assert.deepEqual(Object.keys((await s.manifest(f)).symbols), symbols, f);
  } finally {
    await s.close();
  }
});
