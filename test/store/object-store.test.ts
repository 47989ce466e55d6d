import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { S3ObjectStore } from '../../src/store/s3-object-store.js';
import { startS3Server } from '../helpers/s3-server.js';
import { runObjectStoreContract } from './object-store-contract.js';

runObjectStoreContract('LocalObjectStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-local-'));
  return { store: new LocalObjectStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
});

runObjectStoreContract('S3ObjectStore', async () => {
  const server = await startS3Server();
  const store = new S3ObjectStore({
    bucket: server.bucket,
    prefix: 'stockcast',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    pageSize: 10,
  });
  return { store, close: () => server.close() };
});

test('S3 errors name the bucket and key but never the secret key', async () => {
  const server = await startS3Server();
  try {
    const secret = 'S3RVER';
    const store = new S3ObjectStore({
      bucket: 'no-such-bucket',
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: secret },
    });
    const err = await store.put('k.txt', 'x').then(
      () => assert.fail('expected an error'),
      (e: Error) => e,
    );
    assert.match(err.message, /S3 put s3:\/\/no-such-bucket\/k.txt failed: NoSuchBucket/);
    assert.ok(!err.message.includes(`secretAccessKey`));
  } finally {
    await server.close();
  }
});
