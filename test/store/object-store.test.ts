import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { S3ObjectStore } from '../../src/store/s3-object-store.js';
import { moveFileAtomic, writeFileAtomic, writeStreamAtomic } from '../../src/core/atomic-file.js';
import { startS3Server } from '../../src/bench/s3rver-process.js';
import { runObjectStoreContract } from './object-store-contract.js';

runObjectStoreContract('LocalObjectStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-local-'));
  return { store: new LocalObjectStore(dir), twin: () => new LocalObjectStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
});

runObjectStoreContract('S3ObjectStore', async () => {
  const server = await startS3Server();
  const options = {
    bucket: server.bucket,
    prefix: 'stockcast',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    pageSize: 10,
    warn: (m: string) => assert.fail(`unexpected warning: ${m}`),
  };
  return { store: new S3ObjectStore(options), twin: () => new S3ObjectStore(options), close: () => server.close() };
});

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-atomic-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('LocalObjectStore maps keys under its root, ignores leftover .tmp and .lock files and reserves those keys', () =>
  withTempDir(async (dir) => {
    const store = new LocalObjectStore(dir);
    assert.equal(store.location, `file://${dir}`);
    assert.equal(store.localPath('a/b/c.parquet'), join(dir, 'a', 'b', 'c.parquet'));
    await store.put('a/b/c.parquet', 'x');
    assert.equal(await readFile(join(dir, 'a', 'b', 'c.parquet'), 'utf8'), 'x');
    assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['c.parquet'], 'no temp file is left behind');
    await writeFile(join(dir, 'a', 'b', 'c.parquet.123.abc.tmp'), 'partial');
    await writeFile(join(dir, 'a', 'b', 'c.parquet.lock'), '{}');
    await writeFile(join(dir, 'a', 'b', 'c.parquet.lock.break-0123abcd'), '{}');
    assert.deepEqual(await store.list('a/'), ['a/b/c.parquet']);
    await assert.rejects(store.put('a/x.tmp', 'y'), /invalid object key "a\/x.tmp": keys ending in .tmp or .lock are reserved/);
    await assert.rejects(store.put('a/x.lock', 'y'), /invalid object key "a\/x.lock": keys ending in .tmp or .lock are reserved/);
  }));

test('writeFileAtomic replaces content and creates directories; writeStreamAtomic leaves nothing on a failed stream', () =>
  withTempDir(async (dir) => {
    const target = join(dir, 'deep', 'f.txt');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    assert.equal(await readFile(target, 'utf8'), 'two');
    const failing = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error('connection reset'));
      },
    });
    await assert.rejects(writeStreamAtomic(target, failing), /connection reset/);
    assert.equal(await readFile(target, 'utf8'), 'two', 'the old content survives');
    assert.deepEqual(await readdir(join(dir, 'deep')), ['f.txt']);
  }));

test('moveFileAtomic moves a finished temp file into a new directory', () =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, 'x.tmp'), 'done');
    await moveFileAtomic(join(dir, 'x.tmp'), join(dir, 'out', 'x.bin'));
    assert.equal(await readFile(join(dir, 'out', 'x.bin'), 'utf8'), 'done');
    assert.deepEqual(await readdir(dir), ['out']);
  }));

test('S3 errors name the operation, bucket and key and are not mistaken for a missing key', async () => {
  const server = await startS3Server();
  try {
    const store = new S3ObjectStore({
      bucket: 'no-such-bucket',
      prefix: 'pre',
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
    });
    await assert.rejects(store.put('k.txt', 'x'), /^Error: S3 put s3:\/\/no-such-bucket\/pre\/k.txt failed: NoSuchBucket \(HTTP 404\): /);
    await assert.rejects(store.get('k.txt'), /S3 get s3:\/\/no-such-bucket\/pre\/k.txt failed: NoSuchBucket/);
    await assert.rejects(store.list('x/'), /S3 list s3:\/\/no-such-bucket\/pre\/x\/ failed: NoSuchBucket/);
  } finally {
    await server.close();
  }
});

test('S3 errors never contain the secret key, not even in their cause', async () => {
  const server = await startS3Server();
  try {
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    const store = new S3ObjectStore({
      bucket: server.bucket,
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      // s3rver checks the access key id (SigV4 signatures it does not verify), so an unknown key is refused
      credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: secret },
    });
    const err = await store.put('k.txt', 'x').then(
      () => assert.fail('unknown credentials must be refused'),
      (e: Error) => e,
    );
    assert.match(err.message, /S3 put s3:\/\/stockcast-test\/k.txt failed: InvalidAccessKeyId \(HTTP 403\): The AWS Access Key Id/);
    assert.ok(!inspect(err, { depth: 20 }).includes(secret), 'the secret leaked into the error');
  } finally {
    await server.close();
  }
});

test('S3 update against an endpoint that ignores conditional writes still writes, with one warning saying so', async () => {
  const server = await startS3Server('stockcast-test', { conditionalWrites: false });
  try {
    const warnings: string[] = [];
    const store = new S3ObjectStore({ bucket: server.bucket, region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: server.credentials, warn: (m) => warnings.push(m) });
    for (let i = 1; i <= 2; i++) {
      await store.update('k.txt', async ({ output }) => {
        await writeFile(output, String(i));
        return { write: true, result: i };
      });
    }
    assert.equal(Buffer.from((await store.get('k.txt'))!).toString(), '2');
    assert.equal(warnings.length, 1, 'probed once per store');
    assert.match(warnings[0]!, /s3:\/\/stockcast-test ignores conditional writes \(If-None-Match\/If-Match on PUT\).*one writer at a time/);
    assert.deepEqual(await store.list(''), ['k.txt'], 'the probe object is gone');
  } finally {
    await server.close();
  }
});
