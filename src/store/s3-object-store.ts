import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore, ObjectUpdate, ObjectUpdateDecision } from './object-store.js';
import { S3ConditionalUpdater } from './s3-conditional-update.js';
import { writeFileAtomic, writeStreamAtomic } from '../core/atomic-file.js';
import { assertValidObjectKey, assertValidPrefix } from './local-object-store.js';
import { redactSecrets, registerSecret } from '../core/redact.js';
import { ObjectCache } from './object-cache.js';

/** Where an S3ObjectStore lives (the shape of `Settings.s3Options()`, plus test knobs). */
export interface S3ObjectStoreOptions {
  bucket: string;
  /** Keys live under `<prefix>/`; empty or absent means the bucket root. */
  prefix?: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, a local test server); absent means AWS. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Absent means the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** ListObjectsV2 page size (MaxKeys; S3 caps it at 1000); small values let tests exercise pagination. */
  pageSize?: number;
  /** Told when the endpoint ignores conditional writes (default: a line on stderr). */
  warn?: (message: string) => void;
  /** A local folder caching downloaded objects by ETag (reads then only download changed objects); absent: no cache. */
  cacheDir?: string;
}

/** Object store over an S3 bucket (or any S3-protocol server), through the official AWS SDK. */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  /** `''` or `<prefix>/`. */
  private readonly prefix: string;
  private readonly pageSize: number | undefined;
  private readonly updater: S3ConditionalUpdater;
  private readonly cache: ObjectCache | undefined;

  constructor(options: S3ObjectStoreOptions) {
    if (!options.bucket) throw new Error('S3ObjectStore needs a bucket name (S3_BUCKET_NAME)');
    const trimmed = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (trimmed) assertValidObjectKey(trimmed);
    this.bucket = options.bucket;
    this.prefix = trimmed ? `${trimmed}/` : '';
    this.pageSize = options.pageSize;
    this.cache = options.cacheDir ? new ObjectCache(options.cacheDir) : undefined;
    this.location = trimmed ? `s3://${this.bucket}/${trimmed}` : `s3://${this.bucket}`;
    registerSecret(options.credentials?.secretAccessKey);
    registerSecret(options.credentials?.sessionToken);
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // checksums only where S3 requires them, so S3-compatible servers without the newer trailers work
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const warn = options.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
    this.updater = new S3ConditionalUpdater({ client: this.client, bucket: this.bucket, prefix: this.prefix, location: this.location, wrap: (op, key, err) => this.wrap(op, key, err), warn });
  }

  /** {@inheritDoc ObjectStore.update} */
  async update<T>(key: string, step: (u: ObjectUpdate) => Promise<ObjectUpdateDecision<T>>): Promise<T> {
    assertValidObjectKey(key);
    return this.updater.update(key, step);
  }

  /** {@inheritDoc ObjectStore.put} */
  async put(key: string, body: Uint8Array | string): Promise<void> {
    const Key = this.full(key);
    const res = await this.call('put', key, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body })));
    await this.remember(Key, res.ETag, (cache, etag) => cache.storeBytes(this.bucket, Key, etag, typeof body === 'string' ? Buffer.from(body) : body));
  }

  /** {@inheritDoc ObjectStore.get} */
  async get(key: string): Promise<Uint8Array | null> {
    const Key = this.full(key);
    const cache = this.cacheFor(Key);
    const cachedEtag = await cache?.etag(this.bucket, Key);
    let res = await this.getObject(key, cachedEtag);
    if (res === 'not-modified') {
      const bytes = await cache!.bytes(this.bucket, Key, cachedEtag!);
      if (bytes) return bytes;
      res = await this.getObject(key); // the cached copy was damaged: fetch it whole
    }
    if (res === 'not-modified' || !res) {
      await cache?.drop(this.bucket, Key);
      return null;
    }
    const body = res.Body;
    const bytes = await this.call('get', key, async () => (body ? new Uint8Array(await body.transformToByteArray()) : new Uint8Array()));
    await this.remember(Key, res.ETag, (c, etag) => c.storeBytes(this.bucket, Key, etag, bytes));
    return bytes;
  }

  /** {@inheritDoc ObjectStore.list} */
  async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const request = { Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token, MaxKeys: this.pageSize };
      const page = await this.call('list', prefix, () => this.client.send(new ListObjectsV2Command(request)));
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) throw this.wrap('list', prefix, new Error('a truncated page came without NextContinuationToken'));
    } while (token);
    // S3 already lists in code-unit order; sorting again keeps the contract even for servers that do not
    return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** {@inheritDoc ObjectStore.delete} */
  async delete(key: string): Promise<void> {
    const Key = this.full(key);
    await this.call('delete', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })));
    await this.cache?.drop(this.bucket, Key);
  }

  /** {@inheritDoc ObjectStore.exists} */
  async exists(key: string): Promise<boolean> {
    const Key = this.full(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (err) {
      if (isMissingKey(err)) return false;
      throw this.wrap('head', key, err);
    }
  }

  /** {@inheritDoc ObjectStore.putFile} */
  async putFile(key: string, localPath: string): Promise<void> {
    const Key = this.full(key);
    const { size } = await stat(localPath);
    // a single streamed PutObject (up to 5 GB, far above one Parquet partition); ContentLength avoids chunked upload
    const res = await this.call('put', key, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: createReadStream(localPath), ContentLength: size })),
    );
    await this.remember(Key, res.ETag, (cache, etag) => cache.storeFile(this.bucket, Key, etag, localPath));
  }

  /** {@inheritDoc ObjectStore.getFile} */
  async getFile(key: string, localPath: string): Promise<boolean> {
    const Key = this.full(key);
    const cache = this.cacheFor(Key);
    if (!cache) return this.download(key, localPath);
    const cachedEtag = await cache.etag(this.bucket, Key);
    let res = await this.getObject(key, cachedEtag);
    if (res === 'not-modified') {
      if (await cache.copyTo(this.bucket, Key, cachedEtag!, localPath)) return true;
      res = await this.getObject(key); // the cached copy was damaged: fetch it whole
    }
    if (res === 'not-modified' || !res) {
      await cache.drop(this.bucket, Key);
      return false;
    }
    const etag = res.ETag;
    const body = res.Body as Readable | undefined;
    if (!etag || !body) return this.save(key, localPath, res);
    await this.call('get', key, () => cache.storeStream(this.bucket, Key, etag, body));
    // another process may have replaced the entry meanwhile (with a newer version): then read S3 directly
    return (await cache.copyTo(this.bucket, Key, etag, localPath)) || this.download(key, localPath);
  }

  /** Downloads an object straight to `localPath`, bypassing the cache. */
  private async download(key: string, localPath: string): Promise<boolean> {
    const res = await this.getObject(key);
    return res !== null && res !== 'not-modified' && this.save(key, localPath, res);
  }

  private async save(key: string, localPath: string, res: GetObjectCommandOutput): Promise<true> {
    const body = res.Body as Readable | undefined;
    await this.call('get', key, () => (body ? writeStreamAtomic(localPath, body) : writeFileAtomic(localPath, new Uint8Array())));
    return true;
  }

  /** GetObject; with `ifNoneMatch`, a conditional GET that answers 'not-modified' instead of the bytes when the ETag still matches. */
  private async getObject(key: string, ifNoneMatch?: string): Promise<GetObjectCommandOutput | 'not-modified' | null> {
    const Key = this.full(key);
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, IfNoneMatch: ifNoneMatch }));
    } catch (err) {
      if (ifNoneMatch && statusOf(err) === 304) return 'not-modified';
      if (isMissingKey(err)) return null;
      throw this.wrap('get', key, err);
    }
  }

  /** The cache, unless there is none or the key could be mistaken for one of its own files. */
  private cacheFor(fullKey: string): ObjectCache | undefined {
    return fullKey.endsWith('.etag.json') || fullKey.endsWith('.tmp') ? undefined : this.cache;
  }

  /** Records what was just uploaded or downloaded; the object is already safe in S3, so a cache failure only drops the entry. */
  private async remember(fullKey: string, etag: string | undefined, store: (cache: ObjectCache, etag: string) => Promise<void>): Promise<void> {
    const cache = this.cacheFor(fullKey);
    if (!cache) return;
    try {
      if (etag) await store(cache, etag);
      else await cache.drop(this.bucket, fullKey);
    } catch {
      await cache.drop(this.bucket, fullKey).catch(() => undefined);
    }
  }

  private full(key: string): string {
    assertValidObjectKey(key);
    return this.prefix + key;
  }

  private async call<T>(op: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.wrap(op, key, err);
    }
  }

  /** A readable error naming the operation, bucket and key; the SDK error stays in `cause` (it never holds the secret key). */
  private wrap(op: string, key: string, err: unknown): Error {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
    const detail = `${e.name ?? 'Error'}${status}: ${e.message ?? String(err)}`;
    return new Error(redactSecrets(`S3 ${op} s3://${this.bucket}/${this.prefix}${key} failed: ${detail}`), { cause: err });
  }
}

/** A 404 for the key; a missing bucket is a configuration error and must not look like an empty store. */
function isMissingKey(err: unknown): boolean {
  const e = err as { name?: string };
  if (e.name === 'NoSuchBucket') return false;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || statusOf(err) === 404;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
