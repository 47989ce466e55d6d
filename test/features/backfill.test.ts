import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import type { Bar, EarningsEvent } from '../../src/core/types.js';
import type { BarRequest, BarResult, MarketDataSource } from '../../src/sources/market-data-source.js';
import type { EarningsResult, EarningsSource } from '../../src/sources/earnings-source.js';
import { runBackfill, validateBackfillRequest, type BackfillRequest } from '../../src/features/backfill.js';
import { FileBackfillCheckpoint } from '../../src/features/backfill-checkpoint.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';

const DAYS = ['2018-01-02', '2018-01-03', '2018-01-04', '2018-01-05'];

/** A scripted bar source: fixed bars per symbol, optional failing symbols, counts its calls. */
class ScriptedBars implements MarketDataSource {
  readonly name = 'scripted';
  calls: string[][] = [];
  constructor(private readonly failing = new Set<string>(), private readonly crashOnCall?: number) {}
  async fetchBars(req: BarRequest): Promise<BarResult> {
    this.calls.push(req.symbols);
    if (this.crashOnCall === this.calls.length) throw new Error('simulated crash');
    const bars = new Map<string, Bar[]>();
    const failures = [];
    for (const s of req.symbols) {
      if (this.failing.has(s)) {
        failures.push({ symbol: s, reason: 'HTTP 503 after retries', attempts: 5 });
        continue;
      }
      if (s === 'EMPTY') {
        bars.set(s, []);
        continue;
      }
      bars.set(
        s,
        DAYS.map((d, i) => ({
          symbol: s,
          timestamp: new Date(`${d}T05:00:00Z`),
          open: 10 + i,
          high: 11 + i,
          low: 9 + i,
          close: 10.5 + i,
          volume: 1000 * (i + 1),
          tradeCount: 10,
          vwap: 10.2 + i,
        })),
      );
      // DUP's source repeats its second day with another open (and the first day exactly)
      if (s === 'DUP') {
        const list = bars.get(s)!;
        list.push({ ...list[1]!, open: 99 }, { ...list[0]! });
      }
    }
    return { bars, failures };
  }
}

class ScriptedEarnings implements EarningsSource {
  readonly name = 'scripted-earnings';
  constructor(private readonly events: EarningsEvent[], private readonly failedDates: string[] = []) {}
  async fetchEarnings(): Promise<EarningsResult> {
    return { events: this.events, failures: this.failedDates.map((d) => ({ symbol: `date:${d}`, reason: 'HTTP 500' })) };
  }
}

const request = (over: Partial<BackfillRequest> = {}): BackfillRequest => ({
  features: ['open', 'volume', 'day_of_week'],
  symbols: ['AAA', 'BBB', 'CCC'],
  startDate: DAYS[0]!,
  endDate: DAYS[3]!,
  timeFrame: parseTimeFrame('1Day'),
  chunkSize: 2,
  ...over,
});

async function withStore(fn: (store: ParquetFeatureStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-bf-'));
  const store = await ParquetFeatureStore.open({ objects: new LocalObjectStore(join(dir, 'store')), prefix: 'p' });
  try {
    await fn(store, dir);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('backfills bar and time features and reports rows per feature', async () => {
  await withStore(async (store) => {
    const summary = await runBackfill(request(), { bars: new ScriptedBars(), store });
    assert.deepEqual(Object.fromEntries(summary.changedRows), { open: 12, volume: 12, day_of_week: 12 });
    assert.deepEqual(summary.failures, []);
    const frame = await store.queryWide({ features: ['open', 'day_of_week'], timeFrame: '1Day' });
    assert.deepEqual(frame.symbols, ['AAA', 'BBB', 'CCC']);
    // 2018-01-02 was a Tuesday: pandas dayofweek 1
    assert.deepEqual([...frame.columns.get('day_of_week')!].slice(0, 4), [1, 2, 3, 4]);
    assert.deepEqual([...frame.columns.get('open')!].slice(0, 4), [10, 11, 12, 13]);
  });
});

test('failed symbols are reported with their reason, never silently dropped; empty symbols are listed', async () => {
  await withStore(async (store) => {
    const summary = await runBackfill(request({ symbols: ['AAA', 'BAD', 'EMPTY'] }), {
      bars: new ScriptedBars(new Set(['BAD'])),
      store,
    });
    assert.deepEqual(summary.failures, [{ symbol: 'BAD', reason: 'HTTP 503 after retries', attempts: 5 }]);
    assert.deepEqual(summary.noData, ['EMPTY']);
  });
});

test('an interrupted backfill resumes from its checkpoint without duplicates', async () => {
  await withStore(async (store, dir) => {
    const checkpoint = new FileBackfillCheckpoint(join(dir, 'cp.json'));
    const crashing = new ScriptedBars(new Set(), 2);
    await assert.rejects(runBackfill(request(), { bars: crashing, store, checkpoint }), /simulated crash/);
    assert.deepEqual(await checkpoint.completed(), ['bars:0']);
    const resumed = new ScriptedBars();
    const summary = await runBackfill(request(), { bars: resumed, store, checkpoint: new FileBackfillCheckpoint(join(dir, 'cp.json')) });
    assert.deepEqual(resumed.calls, [['CCC']], 'only the unfinished chunk is fetched again');
    assert.equal(summary.chunksSkipped, 1);
    assert.equal((await store.readLong('open', '1Day')).length, 12);
    assert.deepEqual(await new FileBackfillCheckpoint(join(dir, 'cp.json')).completed(), [], 'a clean finish clears the checkpoint');
  });
});

test('a step whose write fails is not checkpointed: the re-run writes it', async () => {
  await withStore(async (store, dir) => {
    const checkpoint = new FileBackfillCheckpoint(join(dir, 'cp.json'));
    let writes = 0;
    const failing = Object.create(store) as ParquetFeatureStore;
    failing.write = async (batch) => {
      if (++writes === 2) throw new Error('disk full');
      return store.write(batch);
    };
    await assert.rejects(runBackfill(request(), { bars: new ScriptedBars(), store: failing, checkpoint }), /disk full/);
    assert.deepEqual(await checkpoint.completed(), ['bars:0'], 'only the step whose write landed');
    const resumed = new ScriptedBars();
    await runBackfill(request(), { bars: resumed, store, checkpoint: new FileBackfillCheckpoint(join(dir, 'cp.json')) });
    assert.deepEqual(resumed.calls, [['CCC']]);
    assert.equal((await store.readLong('open', '1Day')).length, 12);
  });
});

test('a date given twice with different values is reported as a failure and not written; its chunk is retried', async () => {
  await withStore(async (store, dir) => {
    const checkpoint = new FileBackfillCheckpoint(join(dir, 'cp.json'));
    const summary = await runBackfill(request({ symbols: ['DUP', 'AAA', 'BBB'] }), { bars: new ScriptedBars(), store, checkpoint });
    assert.deepEqual(summary.failures, [
      { symbol: 'DUP', reason: "1 date(s) given twice with different values, not written (2018-01-03 open 11.0 vs 99.0): fix the source's duplicate rows" },
    ]);
    const opens = (await store.readLong('open', '1Day')).filter((r) => r.symbol === 'DUP').map((r) => [r.date, r.value]);
    assert.deepEqual(opens, [['2018-01-02', '10.0'], ['2018-01-04', '12.0'], ['2018-01-05', '13.0']], 'the exact repeat is kept once, the conflicting date not at all');
    assert.deepEqual(await checkpoint.completed(), ['bars:1'], 'the chunk with the conflict is not complete');
  });
});

test('earnings features cover every symbol and trading day; failed days are left out and reported', async () => {
  await withStore(async (store) => {
    const earnings = new ScriptedEarnings(
      [
        { symbol: 'AAA', date: '2018-01-03', surprise: 12.59 },
        { symbol: 'BBB', date: '2018-01-04', surprise: null },
      ],
      ['2018-01-05'],
    );
    const summary = await runBackfill(request({ features: ['surprise', 'is_earnings_day'], symbols: ['AAA', 'BBB'] }), {
      bars: new ScriptedBars(),
      earnings,
      store,
    });
    assert.deepEqual(summary.failures, [{ symbol: 'date:2018-01-05', reason: 'HTTP 500' }]);
    const frame = await store.queryWide({ features: ['surprise', 'is_earnings_day'], timeFrame: '1Day' });
    assert.equal(frame.length, 6, '2 symbols × 3 good trading days');
    const surprise = [...frame.columns.get('surprise')!];
    assert.deepEqual(surprise.slice(0, 3), [0, 12.59, 0]);
    assert.ok(Number.isNaN(surprise[5]), 'a known earnings day with unknown surprise is NaN, not zero');
    assert.deepEqual([...frame.columns.get('is_earnings_day')!], [0, 1, 0, 0, 0, 1]);
  });
});

test('bad requests get clear errors', () => {
  assert.throws(() => validateBackfillRequest(request({ features: ['opem'] })), /unknown feature "opem": valid features are open/);
  assert.throws(
    () => validateBackfillRequest(request({ startDate: '2018-02-01', endDate: '2018-01-01' })),
    /end 2018-01-01 is before start 2018-02-01/,
  );
  assert.throws(() => validateBackfillRequest(request({ symbols: [] })), /symbol list is empty/);
  assert.throws(() => validateBackfillRequest(request({ features: ['hour_of_day'] })), /needs an intraday time frame/);
  assert.throws(() => validateBackfillRequest(request({ features: ['vwap'] }), ['vwap']), /vwap is not provided by this source/);
});
