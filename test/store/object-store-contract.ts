import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../../src/store/object-store.js';

/** The contract every ObjectStore adapter must satisfy; `factory` returns a fresh, empty store. */
export function runObjectStoreContract(name: string, factory: () => Promise<{ store: ObjectStore; close(): Promise<void> }>): void {
  const withStore = async (fn: (s: ObjectStore) => Promise<void>) => {
    const { store, close } = await factory();
    try {
      await fn(store);
    } finally {
      await close();
    }
  };

  test(`${name}: put, get, overwrite, exists, delete`, () =>
    withStore(async (s) => {
      assert.equal(await s.get('a/b.txt'), null);
      assert.equal(await s.exists('a/b.txt'), false);
      await s.put('a/b.txt', 'hello');
      assert.equal(Buffer.from((await s.get('a/b.txt'))!).toString(), 'hello');
      await s.put('a/b.txt', new Uint8Array([1, 2, 3]));
      assert.deepEqual([...(await s.get('a/b.txt'))!], [1, 2, 3]);
      assert.equal(await s.exists('a/b.txt'), true);
      await s.delete('a/b.txt');
      assert.equal(await s.exists('a/b.txt'), false);
    }));

  test(`${name}: lists nested keys under a prefix, sorted, across pages`, () =>
    withStore(async (s) => {
      const keys = Array.from({ length: 25 }, (_, i) => `p/feature=x/${String(i).padStart(2, '0')}.parquet`);
      for (const k of [...keys].reverse()) await s.put(k, k);
      await s.put('q/other.txt', 'no');
      assert.deepEqual(await s.list('p/'), keys);
      assert.deepEqual(await s.list('p/feature=x/0'), keys.slice(0, 10));
      assert.deepEqual(await s.list('none/'), []);
    }));

  test(`${name}: putFile and getFile round-trip a binary file`, () =>
    withStore(async (s) => {
      const dir = await mkdtemp(join(tmpdir(), 'sc-os-'));
      try {
        const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
        await writeFile(join(dir, 'in.bin'), bytes);
        await s.putFile('files/in.bin', join(dir, 'in.bin'));
        assert.equal(await s.getFile('files/in.bin', join(dir, 'sub', 'out.bin')), true);
        assert.deepEqual(await readFile(join(dir, 'sub', 'out.bin')), bytes);
        assert.equal(await s.getFile('files/missing.bin', join(dir, 'x.bin')), false);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }));

  test(`${name}: rejects keys that escape the store`, () =>
    withStore(async (s) => {
      await assert.rejects(s.put('../evil', 'x'), /invalid object key "..\/evil"/);
      await assert.rejects(s.put('/abs', 'x'), /invalid object key/);
    }));
}
