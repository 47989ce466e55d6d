import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { artifactKey, loadArtifact, saveArtifact, type ModelArtifact } from '../../src/model/artifact.js';
import { listVersionNames, versionKey, versionName, versionTime } from '../../src/model/artifact-versions.js';
import { describeModel, listModelCatalog } from '../../src/pipeline/model-catalog.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/stockcast-tft-1/', import.meta.url));
const ID = 'fixture-tft-1';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function fixture(): Promise<ModelArtifact> {
  return loadArtifact(new LocalObjectStore(FIXTURE), ID);
}

/** The same model retrained: other weights, another best loss. */
function retrained(a: ModelArtifact, by: number): ModelArtifact {
  return { meta: { ...a.meta, training: { ...a.meta.training, bestValLoss: a.meta.training.bestValLoss + by } }, weights: a.weights.map((w) => w + by) };
}

/** A local store whose n-th write (put or putFile) fails, as a crash at that point would. */
class CrashingStore extends LocalObjectStore {
  writes = 0;
  constructor(root: string, private readonly failAt: number) {
    super(root);
  }
  override async putFile(key: string, path: string): Promise<void> {
    if (++this.writes === this.failAt) throw new Error(`simulated crash writing ${key}`);
    return super.putFile(key, path);
  }
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-versions-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A tar.gz like the seed's SageMaker output: a PyTorch file and inference code, no model.json. */
async function sagemakerArtifact(dir: string): Promise<string> {
  const src = join(dir, 'sm');
  await mkdir(join(src, 'code'), { recursive: true });
  await writeFile(join(src, 'model.pth'), Buffer.from([1, 2, 3, 4]));
  await writeFile(join(src, 'code', 'inference.py'), 'def model_fn(d): ...\n');
  const file = join(dir, 'sm.tar.gz');
  await tar.c({ gzip: true, file, cwd: src }, ['model.pth', 'code']);
  return file;
}

test('version names are sortable UTC times that read back', () => {
  const t = new Date('2026-01-15T10:15:02.123Z');
  assert.equal(versionName(t), '2026-01-15T10-15-02-123Z');
  assert.equal(versionTime('2026-01-15T10-15-02-123Z'), '2026-01-15T10:15:02.123Z');
  assert.equal(versionTime('2026-01-15T10-15-02-123Z-2'), '2026-01-15T10:15:02.123Z');
  assert.equal(versionTime('my-copy'), null);
});

test('training again keeps the artifact it replaces under versions/<timestamp>; saving the same model writes nothing', async () => {
  await withDir(async (dir) => {
    const store = new LocalObjectStore(dir);
    const a = await fixture();
    const first = await saveArtifact(store, a.meta, a.weights, { now: new Date('2026-01-01T00:00:00Z') });
    assert.deepEqual(first, { key: artifactKey(ID), previousVersion: null, unchanged: false });
    const firstBytes = (await store.get(artifactKey(ID)))!;
    const b = retrained(a, 0.5);
    const second = await saveArtifact(store, b.meta, b.weights, { now: new Date('2026-01-02T03:04:05.678Z') });
    assert.equal(second.previousVersion, versionKey(ID, '2026-01-02T03-04-05-678Z'));
    assert.equal(sha((await store.get(second.previousVersion!))!), sha(firstBytes), 'the kept version is the replaced artifact, byte for byte');
    assert.deepEqual((await loadArtifact(store, ID)).weights, b.weights);
    // the same model again (a re-run of a finished training; only its packing time differs): nothing written
    const before = sha((await store.get(artifactKey(ID)))!);
    const again = await saveArtifact(store, { ...b.meta, training: { ...b.meta.training, createdAt: '2030-01-01T00:00:00Z' } }, b.weights);
    assert.deepEqual(again, { key: artifactKey(ID), previousVersion: null, unchanged: true });
    assert.equal(sha((await store.get(artifactKey(ID)))!), before);
    assert.deepEqual(await listVersionNames(store, ID), ['2026-01-02T03-04-05-678Z']);
  });
});

test("a foreign artifact (the seed's SageMaker output) is kept byte for byte before stockcast replaces it", async () => {
  await withDir(async (dir) => {
    const store = new LocalObjectStore(join(dir, 'models'));
    const seed = await readFile(await sagemakerArtifact(dir));
    await store.put(artifactKey(ID), seed);
    const a = await fixture();
    const saved = await saveArtifact(store, a.meta, a.weights, { now: new Date('2026-02-01T00:00:00Z') });
    assert.equal(sha((await store.get(saved.previousVersion!))!), sha(seed));
    const m = await describeModel(store, ID);
    assert.equal(m.artifact?.format, 'stockcast-tft/1');
    assert.equal(m.versions.length, 1);
    assert.equal(m.versions[0]!.format, 'foreign');
    assert.match(m.versions[0]!.problem!, /not a stockcast model: the archive holds model\.pth, code\/inference\.py and no model\.json \(e\.g\. the seed's SageMaker output\)/);
    assert.equal(m.versions[0]!.archivedAt, '2026-02-01T00:00:00.000Z');
  });
});

test('a crash at any write of a save leaves a whole artifact at the output; the re-run keeps exactly one copy', async () => {
  const a = await fixture();
  const b = retrained(a, 1);
  // save #2 writes twice: the kept version, then the new output
  for (const failAt of [1, 2]) {
    await withDir(async (dir) => {
      await saveArtifact(new LocalObjectStore(dir), a.meta, a.weights);
      const old = sha((await new LocalObjectStore(dir).get(artifactKey(ID)))!);
      const crashing = new CrashingStore(dir, failAt);
      await assert.rejects(saveArtifact(crashing, b.meta, b.weights), /simulated crash/);
      const store = new LocalObjectStore(dir);
      assert.equal(sha((await store.get(artifactKey(ID)))!), old, `crash at write ${failAt}: the old artifact is still in place`);
      await loadArtifact(store, ID);
      await saveArtifact(store, b.meta, b.weights);
      assert.deepEqual((await loadArtifact(store, ID)).weights, b.weights);
      const versions = await listVersionNames(store, ID);
      assert.equal(versions.length, 1, `crash at write ${failAt}: ${versions.join(', ')}`);
      assert.equal(sha((await store.get(versionKey(ID, versions[0]!)))!), old);
    });
  }
});

test('the catalog: training facts, evaluation, versions; foreign, damaged and version-only models are listed with a reason', async () => {
  await withDir(async (dir) => {
    const store = new LocalObjectStore(join(dir, 'models'));
    const a = await fixture();
    await saveArtifact(store, a.meta, a.weights);
    const b = retrained(a, 0.25);
    await saveArtifact(store, b.meta, b.weights, { now: new Date('2026-03-01T00:00:00Z') });
    await store.put(`${ID}/output/evaluation.json`, '{"format": "stockcast-evaluation/1"}');
    await store.put(artifactKey('seed-model'), await readFile(await sagemakerArtifact(dir)));
    await store.put(artifactKey('garbage'), 'not a tarball at all');
    const good = (await store.get(artifactKey(ID)))!;
    await store.put(artifactKey('truncated'), good.subarray(0, 100));
    await store.put(versionKey('retired', '2025-12-31T00-00-00-000Z'), good);
    const { location, models } = await listModelCatalog(store);
    assert.equal(location, store.location);
    assert.deepEqual(models.map((m) => m.modelId), ['fixture-tft-1', 'garbage', 'retired', 'seed-model', 'truncated']);
    const [fx, garbage, retired, seed, truncated] = models;
    assert.equal(fx!.artifact!.configId, ID);
    assert.equal(fx!.artifact!.target, 'open');
    assert.equal(fx!.artifact!.bestValLoss, b.meta.training.bestValLoss);
    assert.equal(fx!.artifact!.naiveValLoss, a.meta.training.naiveValLoss);
    assert.deepEqual(fx!.artifact!.dataRange, a.meta.training.dataRange);
    assert.equal(fx!.versions.length, 1);
    assert.equal(fx!.versions[0]!.bestValLoss, a.meta.training.bestValLoss);
    assert.equal(fx!.evaluation, null);
    assert.match(fx!.evaluationError!, /evaluation\.json: not a stockcast result of the expected shape/);
    assert.equal(garbage!.artifact!.format, 'unreadable');
    assert.match(garbage!.artifact!.problem!, /not a readable \.tar\.gz archive/);
    assert.equal(truncated!.artifact!.format, 'unreadable');
    assert.match(truncated!.artifact!.problem!, /unexpected end of file|cannot be extracted|not a readable/);
    assert.equal(seed!.artifact!.format, 'foreign');
    assert.equal(retired!.artifact, null);
    assert.equal(retired!.versions[0]!.configId, ID);
    await assert.rejects(describeModel(store, 'nope'), /no model "nope" in file:.*: the store holds fixture-tft-1, garbage, retired, seed-model, truncated/);
  });
});
