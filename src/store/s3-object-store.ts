import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore } from './object-store.js';
import type { S3Options } from '../config/settings.js';
import { tempPathFor } from './atomic-file.js';

/** Object store over an S3 bucket (or any S3-protocol server), through the official AWS SDK. */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly pageSize: number | undefined;

  constructor(options: S3Options & { pageSize?: number }) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
    this.pageSize = options.pageSize;
    this.location = `s3://${this.bucket}/${this.prefix}`;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // checksums only where S3 requires them, so S3-compatible servers without the newer trailers work
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** {@inheritDoc ObjectStore.put} */
  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.call('put', key, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.full(key), Body: body })));
  }

  /** {@inheritDoc ObjectStore.get} */
  async get(key: string): Promise<Uint8Array | null> {
    const res = await this.getObject(key);
    if (!res) return null;
    return res.Body ? new Uint8Array(await res.Body.transformToByteArray()) : new Uint8Array();
  }

  /** {@inheritDoc ObjectStore.list} */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.full(prefix), ContinuationToken: token, MaxKeys: this.pageSize }),
        ),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** {@inheritDoc ObjectStore.delete} */
  async delete(key: string): Promise<void> {
    await this.call('delete', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) })));
  }

  /** {@inheritDoc ObjectStore.exists} */
  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw this.wrap('head', key, err);
    }
  }

  /** {@inheritDoc ObjectStore.putFile} */
  async putFile(key: string, localPath: string): Promise<void> {
    const { size } = await stat(localPath);
    await this.call('put', key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.full(key), Body: createReadStream(localPath), ContentLength: size }),
      ),
    );
  }

  /** {@inheritDoc ObjectStore.getFile} */
  async getFile(key: string, localPath: string): Promise<boolean> {
    const res = await this.getObject(key);
    if (!res) return false;
    await mkdir(dirname(localPath), { recursive: true });
    const tmp = tempPathFor(localPath);
    try {
      await pipeline(res.Body as Readable, createWriteStream(tmp));
      await rename(tmp, localPath);
    } catch (err) {
      await rm(tmp, { force: true });
      throw this.wrap('get', key, err);
    }
    return true;
  }

  private async getObject(key: string) {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.wrap('get', key, err);
    }
  }

  private full(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..')) {
      throw new Error(`invalid object key "${key}": expected a relative path with / separators and no ".."`);
    }
    return `${this.prefix}${key}`;
  }

  private async call<T>(op: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.wrap(op, key, err);
    }
  }

  /** A readable error naming the bucket and key; the SDK error (which holds no secret) stays in `cause`. */
  private wrap(op: string, key: string, err: unknown): Error {
    const name = (err as { name?: string }).name ?? 'Error';
    const message = (err as { message?: string }).message ?? String(err);
    return new Error(`S3 ${op} s3://${this.bucket}/${this.prefix}${key} failed: ${name}: ${message}`, { cause: err });
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
