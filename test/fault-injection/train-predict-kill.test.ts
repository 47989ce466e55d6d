import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { TINY_CONFIGS } from '../helpers/cli.js';
import { ageLeftovers, discard, killed, leftovers, ok, scratch, stockcast, tempFoldersOf, type KillPoint } from './harness.js';

// `kill -9` of train (after an epoch's checkpoint, and mid-epoch) and of predict, then a re-run: training resumes
// to exactly the weights of an uninterrupted run, predict writes exactly the same predictions, nothing is left.

const TRAIN = ['train', '--model-id', 'tiny', '--max-epochs', '3', '--threads', '1'];
const CHECKPOINT = '/checkpoints/last\\.ckpt$';
const PREDICTIONS = '/output/predictions\\.parquet$';

/** weights.bin of the model's artifact (the tar's second member, after model.json). */
async function artifactWeights(dir: string): Promise<Buffer> {
  const tar = gunzipSync(await readFile(join(dir, 'home', 'models', 'tiny', 'output', 'model.tar.gz')));
  const files = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const name = tar.subarray(at, at + 100).toString().replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(at + 124, at + 136).toString().replace(/\0.*$/s, '').trim(), 8);
    files.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files.get('weights.bin')!;
}

/** The stored predictions, every row as text, in a stable order. */
async function predictionRows(dir: string): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const file = join(dir, 'home', 'models', 'tiny', 'output', 'predictions.parquet');
    const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY ALL`)).getRows();
    return rows.map((r) => r.map(String).join('|'));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('train and predict killed with SIGKILL, then re-run', () => {
  let base = '';
  let reference = '';
  let referenceWeights: Buffer = Buffer.alloc(0);
  let referencePredictions: string[] = [];

  before(async () => {
    base = await scratch();
    await writeFile(join(base, 'configs.yaml'), TINY_CONFIGS);
    await ok(base, ['backfill', '--source', 'synthetic', '--symbols', 'SYN00,SYN01,SYN02', '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31']);
    reference = await scratch(base);
    await ok(reference, TRAIN);
    referenceWeights = await artifactWeights(reference);
    await ok(reference, ['predict', '--model-id', 'tiny']);
    referencePredictions = await predictionRows(reference);
    assert.ok(referencePredictions.length > 100);
  });
  after(async () => {
    await discard(base);
    await discard(reference);
  });

  const trainPoints: Array<[string, KillPoint]> = [
    ['after the first epoch’s checkpoint', { match: CHECKPOINT, count: 1 }],
    ['in the middle of the last epoch', { match: CHECKPOINT, count: 2, delayMs: 300 }],
  ];
  for (const [when, point] of trainPoints) {
    test(`train killed ${when}: --resume reaches the weights of the uninterrupted run`, async () => {
      const dir = await scratch(base);
      try {
        const dead = await killed(dir, TRAIN, point);
        await ageLeftovers(join(dir, 'home'), dead.pid);
        const resumed = await ok(dir, [...TRAIN, '--resume']);
        assert.doesNotMatch(resumed.stdout, /^epoch 1 /m, 'the finished epoch is not trained again');
        assert.ok((await artifactWeights(dir)).equals(referenceWeights), 'same weights as the uninterrupted run');
        assert.deepEqual(await leftovers(join(dir, 'home')), []);
        assert.deepEqual(await tempFoldersOf(dead.pid), []);
      } finally {
        await discard(dir);
      }
    });
  }

  const predictPoints: Array<[string, KillPoint]> = [
    ['with its predictions written but not yet renamed into place', { match: PREDICTIONS, count: 1, when: 'before' }],
    ['right after its predictions landed', { match: PREDICTIONS, count: 1 }],
  ];
  for (const [when, point] of predictPoints) {
    test(`predict killed ${when}: the re-run writes the same predictions`, async () => {
      const dir = await scratch(reference);
      try {
        const dead = await killed(dir, ['predict', '--model-id', 'tiny'], point);
        await ageLeftovers(join(dir, 'home'), dead.pid);
        await ok(dir, ['predict', '--model-id', 'tiny']);
        assert.deepEqual(await predictionRows(dir), referencePredictions);
        assert.deepEqual(await leftovers(join(dir, 'home')), []);
        assert.deepEqual(await tempFoldersOf(dead.pid), []);
      } finally {
        await discard(dir);
      }
    });
  }

  test('a damaged artifact stops predict with an error naming the file; a diverged one too', async () => {
    const dir = await scratch(reference);
    try {
      const artifact = join(dir, 'home', 'models', 'tiny', 'output', 'model.tar.gz');
      const bytes = await readFile(artifact);
      await writeFile(artifact, bytes.subarray(0, bytes.length - 100));
      const truncated = await stockcast(dir, ['predict', '--model-id', 'tiny']);
      assert.equal(truncated.code, 1);
      assert.match(truncated.stderr, new RegExp(`error: model "tiny" \\(file://${artifact.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): truncated`));
      assert.deepEqual(await tempFoldersOf(truncated.pid), [], 'no temp folder is left');
      // the same artifact with one weight NaN, as a diverged training would have left it
      const tar = gunzipSync(bytes);
      const weightsAt = tar.indexOf(Buffer.from('weights.bin\0')) + 512;
      tar.writeFloatLE(NaN, weightsAt + 4 * 7);
      await writeFile(artifact, gzipSync(tar));
      const diverged = await stockcast(dir, ['predict', '--model-id', 'tiny']);
      assert.equal(diverged.code, 1);
      assert.match(diverged.stderr, /weights\.bin: 1 of \d+ weights are not finite \(NaN or Infinity\), the first at index 7/);
    } finally {
      await discard(dir);
    }
  });
});
