import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { writeFileAtomic, writeStreamAtomic } from '../core/atomic-file.js';

/** What the cache records beside an object's bytes. */
interface EntryMeta {
  etag: string;
  size: number;
  sha256: string;
}

/** Where one cached object lives: its bytes and the sidecar naming the ETag they belong to. */
interface EntryPaths {
  data: string;
  meta: string;
}

/**
 * A local cache of remote objects keyed by ETag, under `<root>/<bucket>/<key>` (a `.etag.json` sidecar beside
 * each object holds its ETag, size and SHA-256). Both files are written to a temporary name and renamed, so a
 * reader never sees a partial file; an entry whose bytes do not match their sidecar (a crash between the two
 * renames, two processes racing on the same key, a truncated or altered file) reads as missing and is fetched
 * again. Every read checks the bytes against the sidecar in the same pass that copies them out.
 */
export class ObjectCache {
  constructor(readonly root: string) {}

  /** The ETag of a cached entry (not yet verified), or undefined when there is none. */
  async etag(bucket: string, key: string): Promise<string | undefined> {
    return (await this.readMeta(this.paths(bucket, key)))?.etag;
  }

  /**
   * Copies a cached entry to `target` atomically if its bytes match the recorded ETag's size and hash; returns
   * false (and drops the entry) when it is missing, stale or damaged.
   */
  async copyTo(bucket: string, key: string, etag: string, target: string): Promise<boolean> {
    // one read serves both the check and the copy, so a concurrent rename cannot swap the bytes in between
    const data = await this.bytes(bucket, key, etag);
    if (!data) return false;
    await writeFileAtomic(target, data);
    return true;
  }

  /** The cached bytes if they match the recorded ETag, else null (a damaged entry is dropped). */
  async bytes(bucket: string, key: string, etag: string): Promise<Uint8Array | null> {
    const p = this.paths(bucket, key);
    const meta = await this.readMeta(p);
    if (!meta || meta.etag !== etag) return null;
    const data = await readFile(p.data).catch(() => null);
    if (data && data.length === meta.size && sha256(data) === meta.sha256) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    await this.drop(bucket, key);
    return null;
  }

  /** Stores a downloaded object (streamed to a temporary name, hashed on the way, renamed into place). */
  async storeStream(bucket: string, key: string, etag: string, body: Readable): Promise<void> {
    const p = this.paths(bucket, key);
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    body.once('error', (err) => tap.destroy(err));
    await writeStreamAtomic(p.data, body.pipe(tap));
    await this.writeMeta(p, { etag, size, sha256: hash.digest('hex') });
  }

  /** Stores bytes already in memory. */
  async storeBytes(bucket: string, key: string, etag: string, data: Uint8Array): Promise<void> {
    const p = this.paths(bucket, key);
    await writeFileAtomic(p.data, data);
    await this.writeMeta(p, { etag, size: data.length, sha256: sha256(data) });
  }

  /** Stores a local file that was just uploaded under `etag` (so the writer's next read downloads nothing). */
  async storeFile(bucket: string, key: string, etag: string, path: string): Promise<void> {
    await this.storeStream(bucket, key, etag, createReadStream(path));
  }

  /** Forgets an entry (sidecar first, so a half-removed entry reads as missing). */
  async drop(bucket: string, key: string): Promise<void> {
    const p = this.paths(bucket, key);
    await rm(p.meta, { force: true });
    await rm(p.data, { force: true });
  }

  private paths(bucket: string, key: string): EntryPaths {
    const data = join(this.root, bucket, ...key.split('/'));
    return { data, meta: `${data}.etag.json` };
  }

  private async readMeta(p: EntryPaths): Promise<EntryMeta | undefined> {
    try {
      const m = JSON.parse(await readFile(p.meta, 'utf8')) as Partial<EntryMeta>;
      if (typeof m.etag === 'string' && typeof m.size === 'number' && typeof m.sha256 === 'string') return m as EntryMeta;
    } catch {
      // missing or unreadable: a miss
    }
    return undefined;
  }

  private async writeMeta(p: EntryPaths, meta: EntryMeta): Promise<void> {
    await writeFileAtomic(p.meta, JSON.stringify(meta));
  }
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
