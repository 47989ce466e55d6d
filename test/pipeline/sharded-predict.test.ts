import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/model/backend.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';
import { runBackfill } from '../../src/features/backfill.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { getConfig, parseConfigText } from '../../src/config/seed-config.js';
import { trainModel } from '../../src/pipeline/train-model.js';
import { predictPart } from '../../src/pipeline/sharded-predict.js';
import { concatTables, mergeParts, readPredictionSet } from '../../src/pipeline/prediction-set.js';
import { shardOf } from '../../src/core/shard.js';
import { listParts, partKey } from '../../src/store/prediction-parts.js';
import { predictionsKey, readPredictionFile, readPredictions, writePredictions } from '../../src/store/predictions-parquet.js';
import { loadArtifact, saveArtifact } from '../../src/model/artifact.js';
import type { PredictionTable } from '../../src/core/prediction-table.js';
import { tinyConfigEntry } from '../helpers/tiny-model.js';

const SYMBOLS = ['SYN00', 'SYN01', 'SYN02', 'SYN03', 'SYN04', 'SYN05', 'SYN06'];

/** The table's values as plain arrays (Float64Array equality is then exact, NaN equal to NaN). */
const plain = (t: PredictionTable) => ({ ...t, timestamps: [...t.timestamps], currentY: [...t.currentY], y: [...t.y], pred: [...t.pred] });

describe('sharded batch inference', () => {
  let dir = '';
  let features: ParquetFeatureStore;
  let models: LocalObjectStore;
  let whole: PredictionTable;
  const predict = (shard?: { index: number; count: number }) => predictPart({ modelId: 'tiny', features, models, shard });

  before(async () => {
    await initBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'sc-shards-'));
    features = await ParquetFeatureStore.open({ objects: new LocalObjectStore(join(dir, 'store')), prefix: 'f' });
    const market = new SyntheticMarket({ seed: 42, symbols: SYMBOLS });
    await runBackfill({ features: ['open', 'day_of_week'], symbols: SYMBOLS, startDate: '2020-01-01', endDate: '2020-12-31', timeFrame: parseTimeFrame('1Day') }, { bars: market, earnings: market, store: features });
    models = new LocalObjectStore(join(dir, 'models'));
    const config = getConfig(parseConfigText(`configs:\n${tinyConfigEntry('tiny', { features: ['open', 'day_of_week'] })}`, 'configs.yaml'), 'tiny');
    await trainModel({ config, modelId: 'tiny', features, models, home: dir, backend: 'wasm', threads: 1 });
    // in the order the Parquet files keep (time, then symbol)
    whole = concatTables([(await predict()).table]);
  });
  after(async () => {
    await features?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an unsharded run is part 1 of 1 and the merged file; evaluate reads the same table', async () => {
    assert.deepEqual((await listParts(models, 'tiny')).map((p) => p.key), [partKey('tiny', 1, 1)]);
    assert.deepEqual(plain(await readPredictions(models, predictionsKey('tiny'), 'tiny')), plain(whole));
    assert.deepEqual(plain(await readPredictionSet(models, 'tiny')), plain(whole));
    assert.equal(new Set(whole.symbols).size, SYMBOLS.length);
  });

  test('3 shards split the symbols by their hash; merged they equal the unsharded run value for value', async () => {
    for (let i = 1; i <= 3; i++) {
      const part = (await predict({ index: i, count: 3 })).table;
      assert.deepEqual([...new Set(part.symbols)].sort(), SYMBOLS.filter((s) => shardOf(s, 3) === i), `shard ${i}/3 holds its symbols`);
    }
    await assert.rejects(readPredictionSet(models, 'tiny'), /the predictions of tiny mix splits \(1 part\(s\) of 1, 3 part\(s\) of 3\): pick one with `stockcast predict --model-id tiny --merge --shards <n>`/);
    await assert.rejects(mergeParts({ modelId: 'tiny', models }), /mix splits/);
    const merged = await mergeParts({ modelId: 'tiny', models, count: 3 });
    assert.deepEqual(merged.removed, [partKey('tiny', 1, 1)]);
    assert.deepEqual(plain(merged.table), plain(whole));
    assert.deepEqual(plain(await readPredictions(models, predictionsKey('tiny'), 'tiny')), plain(whole), 'the merged Parquet holds the very values');
    assert.deepEqual(plain(await readPredictionSet(models, 'tiny')), plain(whole));
  });

  test('a missing part, a renamed part and parts of two trainings are refused with what to run', async () => {
    const scratch = new LocalObjectStore(join(dir, 'scratch-models'));
    const copy = async (key: string, to = key) => (await models.getFile(key, join(dir, 'copy.bin'))) && scratch.putFile(to, join(dir, 'copy.bin'));
    await copy('tiny/output/model.tar.gz');
    await copy(partKey('tiny', 1, 3));
    await copy(partKey('tiny', 3, 3));
    await assert.rejects(readPredictionSet(scratch, 'tiny'), /the predictions of tiny are incomplete: parts 2\/3 are missing \(have: 1, 3\); run `stockcast predict --model-id tiny --shard <i>\/3` for each missing part/);
    await copy(partKey('tiny', 3, 3), partKey('tiny', 2, 3));
    await assert.rejects(readPredictionSet(scratch, 'tiny'), /part-2-of-3\.parquet says it is part 3\/3, not 2\/3/);
    const { table, metadata } = await readPredictionFile(models, partKey('tiny', 2, 3), 'part 2');
    await writePredictions(scratch, partKey('tiny', 2, 3), table, { ...metadata, 'stockcast.artifact_created_at': '2020-01-01T00:00:00.000Z' });
    await assert.rejects(readPredictionSet(scratch, 'tiny'), /the parts of tiny come from different trainings \(1\/3, 3\/3 by the model trained at [^;]+; 2\/3 by the model trained at 2020-01-01T00:00:00\.000Z\)/);
    await writePredictions(scratch, partKey('tiny', 2, 3), table, metadata);
    const artifact = await loadArtifact(scratch, 'tiny');
    await saveArtifact(scratch, { ...artifact.meta, training: { ...artifact.meta.training, createdAt: '2030-01-01T00:00:00.000Z', epochs: 9 } }, artifact.weights);
    await assert.rejects(mergeParts({ modelId: 'tiny', models: scratch }), /the parts of tiny were forecast by the model trained at .*, but its artifact now is the one trained at 2030-01-01T00:00:00\.000Z: run the shards again/);
  });

  test('a shard without symbols writes an empty part, and merging tolerates it', async () => {
    const empty = Array.from({ length: 40 }, (_, i) => i + 1).find((i) => !SYMBOLS.some((s) => shardOf(s, 40) === i))!;
    const part = await predict({ index: empty, count: 40 });
    assert.equal(part.table.symbols.length, 0);
    assert.equal((await readPredictionFile(models, partKey('tiny', empty, 40), 'empty')).table.symbols.length, 0);
    await models.delete(partKey('tiny', empty, 40));
  });
});
