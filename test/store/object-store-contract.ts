import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore, ObjectUpdate } from '../../src/store/object-store.js';

/** A fresh, empty store and how to dispose of it. */
export interface ContractStore {
  store: ObjectStore;
  /** A second adapter instance over the same storage (another writer). */
  twin(): ObjectStore;
  close(): Promise<void>;
}

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));

/**
 * The contract every ObjectStore adapter satisfies (run by each adapter's test). Known differences, by design:
 * LocalObjectStore rejects keys ending in `.tmp` or `.lock` (reserved for its atomic writes and locks); only S3
 * pages its listings.
 */
export function runObjectStoreContract(name: string, factory: () => Promise<ContractStore>): void {
  const withStore = async (fn: (s: ObjectStore, twin: () => ObjectStore) => Promise<void>) => {
    const { store, twin, close } = await factory();
    try {
      await fn(store, twin);
    } finally {
      await close();
    }
  };
  /** An update step that adds one to a counter object (0 when missing). */
  const increment = async ({ current, output }: ObjectUpdate) => {
    const n = current === null ? 0 : Number(await readFile(current, 'utf8'));
    await writeFile(output, String(n + 1));
    return { write: true, result: n + 1 };
  };

  test(`${name}: update creates, replaces, or leaves an object as the step decides`, () =>
    withStore(async (s) => {
      const seen: Array<string | null> = [];
      assert.equal(await s.update('u/counter.txt', async (u) => (seen.push(u.current), increment(u))), 1);
      assert.equal(seen[0], null, 'a missing key reads as null');
      assert.equal(await s.update('u/counter.txt', increment), 2);
      assert.equal(text(await s.get('u/counter.txt')), '2');
      const kept = await s.update('u/counter.txt', async ({ output }) => {
        await writeFile(output, 'ignored');
        return { write: false, result: 'kept' };
      });
      assert.equal(kept, 'kept');
      assert.equal(text(await s.get('u/counter.txt')), '2', 'write: false leaves the object');
      await assert.rejects(s.update('u/counter.txt', async () => Promise.reject(new Error('step failed'))), /step failed/);
      assert.equal(await s.update('u/counter.txt', increment), 3, 'a failed step released the object');
      assert.deepEqual(await s.list('u/'), ['u/counter.txt'], 'no lock or temp object is left');
    }));

  test(`${name}: concurrent updates through two store instances lose no change`, () =>
    withStore(async (s, twin) => {
      const other = twin();
      const writer = async (store: ObjectStore) => {
        for (let i = 0; i < 6; i++) await store.update('u/shared.txt', increment);
      };
      await Promise.all([writer(s), writer(other), writer(s), writer(other)]);
      assert.equal(text(await s.get('u/shared.txt')), '24');
    }));

  test(`${name}: a missing key reads as null / false and deleting it is a no-op`, () =>
    withStore(async (s) => {
      assert.equal(await s.get('a/b.txt'), null);
      assert.equal(await s.exists('a/b.txt'), false);
      await s.delete('a/b.txt');
      assert.deepEqual(await s.list(''), []);
    }));

  test(`${name}: put, get, overwrite, exists, delete`, () =>
    withStore(async (s) => {
      await s.put('a/b.txt', 'hello ✓');
      assert.equal(text(await s.get('a/b.txt')), 'hello ✓');
      await s.put('a/b.txt', new Uint8Array([0, 1, 2, 255]));
      assert.deepEqual([...(await s.get('a/b.txt'))!], [0, 1, 2, 255]);
      assert.equal(await s.exists('a/b.txt'), true);
      await s.put('empty.bin', new Uint8Array());
      assert.equal((await s.get('empty.bin'))?.length, 0);
      await s.delete('a/b.txt');
      assert.equal(await s.exists('a/b.txt'), false);
      assert.equal(await s.get('a/b.txt'), null);
      assert.deepEqual(await s.list(''), ['empty.bin']);
    }));

  test(`${name}: nested keys are objects, their "directories" are not`, () =>
    withStore(async (s) => {
      await s.put('p/feature=open/time_frame=1Day/2018.parquet', 'x');
      assert.equal(text(await s.get('p/feature=open/time_frame=1Day/2018.parquet')), 'x');
      assert.equal(await s.get('p/feature=open'), null);
      assert.equal(await s.exists('p/feature=open'), false);
      assert.deepEqual(await s.list('p/'), ['p/feature=open/time_frame=1Day/2018.parquet']);
    }));

  test(`${name}: lists keys under a prefix recursively, sorted, across pages`, () =>
    withStore(async (s) => {
      const keys = Array.from({ length: 25 }, (_, i) => `p/feature=x/${String(i).padStart(2, '0')}.parquet`);
      for (const k of [...keys].reverse()) await s.put(k, k);
      await s.put('p/feature=y/deep/er/a b.txt', 'space');
      await s.put('q/other.txt', 'no');
      await s.put('pp.txt', 'no');
      assert.deepEqual(await s.list('p/'), [...keys, 'p/feature=y/deep/er/a b.txt']);
      assert.deepEqual(await s.list('p/feature=x/'), keys);
      assert.deepEqual(await s.list('p/feature=x/0'), keys.slice(0, 10), 'a prefix need not end at a /');
      assert.deepEqual(await s.list('p/feature=y'), ['p/feature=y/deep/er/a b.txt']);
      assert.deepEqual(await s.list('p'), [...keys, 'p/feature=y/deep/er/a b.txt', 'pp.txt']);
      assert.equal((await s.list('')).length, 28);
      assert.deepEqual(await s.list('none/'), []);
      assert.equal(text(await s.get('p/feature=y/deep/er/a b.txt')), 'space');
    }));

  test(`${name}: putFile and getFile round-trip a binary file`, () =>
    withStore(async (s) => {
      const dir = await mkdtemp(join(tmpdir(), 'sc-os-'));
      try {
        const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31 + (i >> 8)) % 256));
        await writeFile(join(dir, 'in.bin'), bytes);
        await s.putFile('files/in.bin', join(dir, 'in.bin'));
        assert.equal(Buffer.compare(Buffer.from((await s.get('files/in.bin'))!), bytes), 0);
        await writeFile(join(dir, 'old.bin'), 'stale');
        assert.equal(await s.getFile('files/in.bin', join(dir, 'old.bin')), true, 'getFile replaces an existing file');
        assert.equal(Buffer.compare(await readFile(join(dir, 'old.bin')), bytes), 0);
        assert.equal(await s.getFile('files/in.bin', join(dir, 'new', 'sub', 'out.bin')), true, 'getFile creates directories');
        assert.equal(Buffer.compare(await readFile(join(dir, 'new', 'sub', 'out.bin')), bytes), 0);
        assert.equal(await s.getFile('files/missing.bin', join(dir, 'x.bin')), false);
        await assert.rejects(stat(join(dir, 'x.bin')), { code: 'ENOENT' }, 'a missing key creates no local file');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }));

  test(`${name}: rejects keys that escape the store or are ambiguous, with the rule in the message`, () =>
    withStore(async (s) => {
      for (const bad of ['../evil', 'a/../../b', '/abs', 'a\\b', '', 'a//b', './a', 'dir/']) {
        await assert.rejects(s.put(bad, 'x'), (e: Error) => e.message.startsWith(`invalid object key "${bad}"`) && /relative path/.test(e.message), bad);
        await assert.rejects(s.get(bad), /invalid object key/, bad);
        await assert.rejects(s.delete(bad), /invalid object key/, bad);
      }
      await assert.rejects(s.list('../'), /invalid object key prefix "..\/"/);
      await assert.rejects(s.list('/abs'), /invalid object key prefix/);
      assert.deepEqual(await s.list(''), [], 'nothing was written');
    }));

  test(`${name}: location names the store and holds no credentials`, () =>
    withStore(async (s) => {
      assert.match(s.location, /^(file:\/\/\/|s3:\/\/[a-z0-9.-]+)/);
      assert.doesNotMatch(s.location, /@|secret|S3RVER/i);
    }));
}
