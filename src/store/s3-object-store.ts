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

  constructor(options: S3ObjectStoreOptions) {
    if (!options.bucket) throw new Error('S3ObjectStore needs a bucket name (S3_BUCKET_NAME)');
    const trimmed = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (trimmed) assertValidObjectKey(trimmed);
    this.bucket = options.bucket;
    this.prefix = trimmed ? `${trimmed}/` : '';
    this.pageSize = options.pageSize;
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
    await this.call('put', key, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body })));
  }

  /** {@inheritDoc ObjectStore.get} */
  async get(key: string): Promise<Uint8Array | null> {
    const res = await this.getObject(key);
    if (!res) return null;
    return this.call('get', key, async () => (res.Body ? new Uint8Array(await res.Body.transformToByteArray()) : new Uint8Array()));
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
    await this.call('put', key, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: createReadStream(localPath), ContentLength: size })),
    );
  }

  /** {@inheritDoc ObjectStore.getFile} */
  async getFile(key: string, localPath: string): Promise<boolean> {
    const res = await this.getObject(key);
    if (!res) return false;
    const body = res.Body as Readable | undefined;
    await this.call('get', key, () => (body ? writeStreamAtomic(localPath, body) : writeFileAtomic(localPath, new Uint8Array())));
    return true;
  }

  private async getObject(key: string): Promise<GetObjectCommandOutput | null> {
    const Key = this.full(key);
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      if (isMissingKey(err)) return null;
      throw this.wrap('get', key, err);
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
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'NoSuchBucket') return false;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
