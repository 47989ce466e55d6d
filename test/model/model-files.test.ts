import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { loadArtifact } from '../../src/model/artifact.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/model/checkpoint.js';

// Issue 14 item 6: a damaged model file is an error naming the file and what is wrong, never ENOTEMPTY,
// TAR_BAD_ARCHIVE, a zlib message or a TypeError, and no temp folder is left behind.

const FIXTURE = fileURLToPath(new URL('./fixtures/stockcast-tft-1/fixture-tft-1/output/model.tar.gz', import.meta.url));
let dir = '';
let scratchTmp = '';
const originalTmp = process.env.TMPDIR;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-model-files-'));
  // every temp folder this process makes lands here, so the test can see that none is left
  scratchTmp = join(dir, 'tmp');
  await mkdir(scratchTmp);
  process.env.TMPDIR = scratchTmp;
});
after(async () => {
  process.env.TMPDIR = originalTmp;
  await rm(dir, { recursive: true, force: true });
});

/** The fixture's model.json and weights, to build damaged artifacts from. */
async function fixtureFiles(): Promise<{ json: string; weights: Buffer }> {
  const out = join(dir, 'x');
  await mkdir(out, { recursive: true });
  await tar.x({ file: FIXTURE, cwd: out });
  return { json: await readFile(join(out, 'model.json'), 'utf8'), weights: await readFile(join(out, 'weights.bin')) };
}

/** A .tar.gz holding exactly these files. */
async function pack(files: Record<string, string | Buffer>): Promise<Buffer> {
  const src = await mkdtemp(join(dir, 'pack-'));
  for (const [name, body] of Object.entries(files)) await writeFile(join(src, name), body);
  await tar.c({ gzip: true, file: join(src, 'out.tar.gz'), cwd: src, portable: true }, Object.keys(files));
  return readFile(join(src, 'out.tar.gz'));
}

test('each kind of damaged artifact is an error naming the file and what is wrong, leaving no temp folder', async () => {
  const good = await readFile(FIXTURE);
  const { json, weights } = await fixtureFiles();
  const nan = Buffer.from(weights);
  nan.writeFloatLE(NaN, 4 * 10);
  const badCrc = Buffer.from(good);
  badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 1) >>> 0, badCrc.length - 8);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['truncated', good.subarray(0, Math.floor(good.length / 2)), /: truncated \(the gzip stream ends early after \d+ bytes\)/],
    ['empty', Buffer.alloc(0), /: the file is empty/],
    ['not gzip', Buffer.from('this is not an archive at all'), /: not a gzip file \(a model artifact is a \.tar\.gz\)/],
    ['bad checksum', badCrc, /: corrupt gzip data \(incorrect data check\)/],
    ['gzip but not tar', gzipSync(Buffer.alloc(2048, 7)), /: not a valid tar archive \(bad header checksum at byte 0\)/],
    ['tar cut short', gzipSync(gunzipSync(good).subarray(0, 1536)), /: truncated tar archive \(an entry needs 29339 bytes, 1024 are left\)/],
    ['no weights.bin', await pack({ 'model.json': json }), /: the archive has no weights\.bin \(it holds model\.json\)/],
    ['invalid JSON', await pack({ 'model.json': json.slice(0, 100), 'weights.bin': weights }), /: model\.json is not valid JSON \(/],
    ['short weights', await pack({ 'model.json': json, 'weights.bin': weights.subarray(0, weights.length - 8) }), /weights\.bin: holds 4506 weights but its manifest describes 4508/],
    ['odd weights size', await pack({ 'model.json': json, 'weights.bin': weights.subarray(0, weights.length - 3) }), /weights\.bin has 18029 bytes, not a whole number of float32 weights/],
    ['NaN weights', await pack({ 'model.json': json, 'weights.bin': nan }), /weights\.bin: 1 of 4508 weights are not finite \(NaN or Infinity\), the first at index 10 \(parameter [\w.]+\): the model diverged/],
  ];
  const store = new LocalObjectStore(join(dir, 'models'));
  for (const [what, bytes, error] of cases) {
    await store.put('m1/output/model.tar.gz', bytes);
    await assert.rejects(loadArtifact(store, 'm1'), (e: Error) => {
      assert.match(e.message, error, what);
      assert.ok(e.message.includes(`${store.location}/m1/output/model.tar.gz`), `${what}: names the file: ${e.message}`);
      return true;
    });
  }
  assert.deepEqual(await readdir(scratchTmp), [], 'no temp folder is left');
  await store.put('m1/output/model.tar.gz', good);
  assert.equal((await loadArtifact(store, 'm1')).weights.length, 4508, 'the intact artifact still loads');
});

function checkpoint(n = 6): Checkpoint {
  const manifest = [{ name: 'w', shape: [2, 3], offset: 0, size: n }];
  const state = { epoch: 1, batchInEpoch: 0, learningRate: 0.001, bestValLoss: 1.5, bestEpoch: 0, epochsWithoutImprovement: 0, plateauEpochs: 0, history: [{ epoch: 0, trainLoss: 2, valLoss: 1.5, learningRate: 0.001, seconds: 1 }], adamStep: 3, seed: 7 };
  return { manifest, state, weights: Float32Array.from({ length: n }, (_, i) => i / 10), adamM: new Float32Array(n), adamV: new Float32Array(n).fill(0.5) };
}

test('a damaged checkpoint is an error naming the file and what is wrong; an intact one round-trips', async () => {
  const path = join(dir, 'ckpt', 'last.ckpt');
  await saveCheckpoint(path, checkpoint());
  const loaded = await loadCheckpoint(path);
  assert.deepEqual([...loaded!.weights], [...checkpoint().weights]);
  assert.equal(loaded!.state.bestValLoss, 1.5);
  const good = await readFile(path);
  const withNaN = checkpoint();
  withNaN.adamV[2] = Infinity;
  await saveCheckpoint(join(dir, 'ckpt', 'nan.ckpt'), withNaN);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['truncated body', good.subarray(0, good.length - 5), /is truncated: \d+ bytes where its header says \d+/],
    ['truncated header', good.subarray(0, 20), /is truncated: its header needs \d+ bytes/],
    ['not a checkpoint', Buffer.from('hello'), /is not a stockcast checkpoint/],
    ['broken header', Buffer.concat([good.subarray(0, 10), Buffer.from('{{{'), good.subarray(13)]), /has an unreadable header/],
    ['NaN moments', await readFile(join(dir, 'ckpt', 'nan.ckpt')), /1 of 6 Adam second moments are not finite/],
  ];
  for (const [what, bytes, error] of cases) {
    await writeFile(path, bytes);
    await assert.rejects(loadCheckpoint(path), (e: Error) => {
      assert.match(e.message, error, what);
      assert.ok(e.message.startsWith(`checkpoint ${path}`), `${what}: names the file: ${e.message}`);
      assert.match(e.message, /delete it \(and train without --resume\) to start over$/);
      return true;
    });
  }
  assert.equal(await loadCheckpoint(join(dir, 'ckpt', 'none.ckpt')), null, 'no checkpoint is not an error');
});

test('a checkpoint taken before the first validation keeps an infinite best loss (JSON stores it as null)', async () => {
  const path = join(dir, 'ckpt', 'early.ckpt');
  const c = checkpoint();
  c.state.bestValLoss = Infinity;
  await saveCheckpoint(path, c);
  assert.equal((await loadCheckpoint(path))!.state.bestValLoss, Infinity);
});
