import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { tempDirPrefix, writeStreamAtomic } from '../core/atomic-file.js';
import type { ObjectUpdate, ObjectUpdateDecision } from './object-store.js';

/** What the conditional writer needs of an S3 object store. */
export interface S3Access {
  client: S3Client;
  bucket: string;
  /** `''` or `<prefix>/`. */
  prefix: string;
  location: string;
  /** A readable error naming the operation and key (keeps the SDK error as cause). */
  wrap(op: string, key: string, err: unknown): Error;
  warn(message: string): void;
}

/** Attempts before an update gives up (each after a conflicting write by another writer). */
const MAX_ATTEMPTS = 40;

/**
 * Optimistic read-modify-write on S3: read the object and its ETag, let the step build the replacement, then
 * PUT it with If-Match on that ETag (If-None-Match: * for a new key). When another writer got there first, S3
 * answers 412 (or 409 for a race in flight) and the step runs again on the newer object, so no writer's change
 * is lost. Whether the endpoint honours these headers is probed once; one that ignores them gets a warning.
 */
export class S3ConditionalUpdater {
  private support: Promise<boolean> | undefined;

  constructor(private readonly s3: S3Access) {}

  /** {@inheritDoc ObjectStore.update} */
  async update<T>(key: string, step: (u: ObjectUpdate) => Promise<ObjectUpdateDecision<T>>): Promise<T> {
    const conditional = await (this.support ??= this.probe());
    const dir = await mkdtemp(tempDirPrefix('s3'));
    try {
      for (let attempt = 1; ; attempt++) {
        const current = join(dir, `current-${attempt}`);
        const etag = await this.download(key, current);
        const decision = await step({ current: etag === null ? null : current, output: join(dir, `output-${attempt}`) });
        if (!decision.write) return decision.result;
        if (await this.put(key, join(dir, `output-${attempt}`), conditional ? etag : undefined)) return decision.result;
        if (attempt >= MAX_ATTEMPTS) {
          throw this.s3.wrap('put', key, new Error(`gave up after ${attempt} attempts: other writers kept replacing the object between our read and our write`));
        }
        await rm(current, { force: true });
        await rm(join(dir, `output-${attempt}`), { force: true });
        await new Promise((r) => setTimeout(r, Math.min(2_000, 20 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random())));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Downloads the object to `path`; its ETag, or null when the key does not exist. */
  private async download(key: string, path: string): Promise<string | null> {
    let res;
    try {
      res = await this.s3.client.send(new GetObjectCommand({ Bucket: this.s3.bucket, Key: this.s3.prefix + key }));
    } catch (err) {
      if (status(err) === 404 && name(err) !== 'NoSuchBucket') return null;
      throw this.s3.wrap('get', key, err);
    }
    try {
      await writeStreamAtomic(path, res.Body as Readable);
    } catch (err) {
      throw this.s3.wrap('get', key, err);
    }
    // without an ETag only "the object exists" can be asserted
    return res.ETag ?? '*';
  }

  /** PUTs the file; false when the precondition failed (another writer won). `etag` undefined: unconditional. */
  private async put(key: string, file: string, etag: string | null | undefined): Promise<boolean> {
    const { size } = await stat(file);
    const condition = etag === undefined ? {} : etag === null ? { IfNoneMatch: '*' } : { IfMatch: etag };
    try {
      await this.s3.client.send(
        new PutObjectCommand({ Bucket: this.s3.bucket, Key: this.s3.prefix + key, Body: createReadStream(file), ContentLength: size, ...condition }),
      );
      return true;
    } catch (err) {
      if (etag !== undefined && isConflict(err)) return false;
      throw this.s3.wrap('put', key, err);
    }
  }

  /** Whether the endpoint enforces If-None-Match on PUT (AWS S3 does since 2024; some S3-compatible servers do not). */
  private async probe(): Promise<boolean> {
    const key = `.stockcast/conditional-write-probe-${process.pid}-${randomBytes(6).toString('hex')}`;
    const Key = this.s3.prefix + key;
    const putNew = () => this.s3.client.send(new PutObjectCommand({ Bucket: this.s3.bucket, Key, Body: 'probe', IfNoneMatch: '*' }));
    let supported: boolean;
    try {
      await putNew();
      supported = await putNew().then(
        () => false,
        (err: unknown) => {
          if (isConflict(err)) return true;
          throw err;
        },
      );
    } catch (err) {
      if (status(err) !== 501 && status(err) !== 400) throw this.s3.wrap('put', key, err);
      supported = false;
    } finally {
      await this.s3.client.send(new DeleteObjectCommand({ Bucket: this.s3.bucket, Key })).catch(() => undefined);
    }
    if (!supported) {
      this.s3.warn(
        `warning: ${this.s3.location} ignores conditional writes (If-None-Match/If-Match on PUT), so two processes ` +
          'writing the same feature partition at once could lose rows there: run one writer at a time against it',
      );
    }
    return supported;
  }
}

/** 412 PreconditionFailed, 409 ConditionalRequestConflict, or 404 for an If-Match on a key deleted meanwhile. */
function isConflict(err: unknown): boolean {
  const s = status(err);
  return s === 412 || s === 409 || name(err) === 'PreconditionFailed' || name(err) === 'ConditionalRequestConflict' || (s === 404 && name(err) !== 'NoSuchBucket');
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function name(err: unknown): string | undefined {
  return (err as { name?: string }).name;
}
