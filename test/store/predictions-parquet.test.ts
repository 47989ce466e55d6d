import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { predictionsKey, readPredictions, writePredictions } from '../../src/store/predictions-parquet.js';
import type { PredictionTable } from '../../src/core/prediction-table.js';
import { openDuckDb } from '../../src/store/duckdb-session.js';

test('predictions round-trip through Parquet with the seed column names; missing outcomes stay NaN', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-pred-'));
  try {
    const store = new LocalObjectStore(dir);
    const t: PredictionTable = {
      quantiles: [0.3, 0.5, 0.7],
      horizon: 2,
      symbols: ['A', 'B'],
      timestamps: Float64Array.of(Date.parse('2025-01-02T05:00:00Z'), Date.parse('2025-01-02T05:00:00Z')),
      currentY: Float64Array.of(100, 50),
      y: Float64Array.of(101, 102, 49, NaN),
      pred: Float64Array.from({ length: 12 }, (_, i) => 40 + i),
    };
    await writePredictions(store, predictionsKey('m1'), t);
    const back = await readPredictions(store, predictionsKey('m1'), 'model m1');
    assert.deepEqual(back.quantiles, [0.3, 0.5, 0.7]);
    assert.deepEqual(back.symbols, ['A', 'B']);
    assert.deepEqual([...back.currentY], [100, 50]);
    assert.deepEqual([...back.y].slice(0, 3), [101, 102, 49]);
    assert.ok(Number.isNaN(back.y[3]));
    assert.deepEqual([...back.pred], [...t.pred]);
    assert.deepEqual([...back.timestamps], [...t.timestamps]);
    await assert.rejects(readPredictions(store, predictionsKey('nope'), 'model nope'), /no predictions for model nope at file:.*nope\/output\/predictions\.parquet: run `stockcast predict` first/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the model's own target is kept in the Parquet metadata; the columns stay the seed's", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-pred-'));
  try {
    const store = new LocalObjectStore(dir);
    const base: PredictionTable = {
      quantiles: [0.3, 0.5, 0.7],
      horizon: 1,
      symbols: ['A'],
      timestamps: Float64Array.of(Date.parse('2025-01-02T05:00:00Z')),
      currentY: Float64Array.of(100),
      y: Float64Array.of(101),
      pred: Float64Array.of(99, 100.5, 102),
    };
    await writePredictions(store, predictionsKey('lr'), { ...base, modelTarget: 'log_return_open' });
    const back = await readPredictions(store, predictionsKey('lr'), 'model lr');
    assert.equal(back.modelTarget, 'log_return_open');
    assert.deepEqual([...back.pred], [99, 100.5, 102]);
    const { connection: db, close } = await openDuckDb();
    try {
      const file = store.localPath(predictionsKey('lr'));
      const cols = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRows().map((r) => String(r[0]));
      assert.deepEqual(cols, ['symbol', 'timestamp', 'current_y', 'y', 'y_pred_p30', 'y_pred_p50', 'y_pred_p70']);
      const kv = (await db.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata('${file}') ORDER BY 1`)).getRows();
      assert.deepEqual(kv, [['stockcast.model_target', 'log_return_open'], ['stockcast.values', 'price']]);
    } finally {
      close();
    }
    await writePredictions(store, predictionsKey('p'), base);
    assert.equal((await readPredictions(store, predictionsKey('p'), 'model p')).modelTarget, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
