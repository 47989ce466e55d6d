import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ObjectStore, ObjectUpdate, ObjectUpdateDecision } from './object-store.js';
import { copyFileAtomic, fsyncDirectory, fsyncFile, tempPathFor, writeFileAtomic } from '../core/atomic-file.js';
import { withFileLock } from '../core/file-lock.js';
import { explainFsError } from '../core/fs-errors.js';

const KEY_RULE = 'expected a relative path with / separators, no empty, "." or ".." segments, no backslash and no leading /';

/** Throws a readable error unless `key` is a safe object key (shared by every adapter so they reject the same keys). */
export function assertValidObjectKey(key: string): void {
  const bad =
    typeof key !== 'string' ||
    key.length === 0 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new Error(`invalid object key "${key}": ${KEY_RULE}`);
}

/** Like `assertValidObjectKey` for list prefixes, which may be empty or end with `/`. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const segments = prefix.split('/');
  const last = segments.pop()!;
  const bad =
    prefix.startsWith('/') ||
    prefix.includes('\\') ||
    prefix.includes('\0') ||
    last === '..' ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new Error(`invalid object key prefix "${prefix}": ${KEY_RULE}`);
}

/** Options of a local object store. */
export interface LocalObjectStoreOptions {
  /** Told when an update waits long for another process's lock (default: a line on stderr). */
  onLockWait?: (message: string) => void;
}

/** Suffixes of files that are not objects: in-progress writes and pins (`.tmp`), locks (`.lock`, `.lock.break-…`). */
const RESERVED = /\.(tmp|lock)$|\.lock\.break-[^/]*$/;

/**
 * Object store over a local directory (the offline default). Keys map to files under the root. Known
 * difference from S3: keys ending in `.tmp` or `.lock` are reserved for in-progress writes and lock files
 * (`<file>.lock` guards an update of `<file>`), so they are rejected and never listed.
 */
export class LocalObjectStore implements ObjectStore {
  readonly location: string;
  private readonly root: string;
  private readonly onLockWait: (message: string) => void;

  constructor(root: string, options: LocalObjectStoreOptions = {}) {
    this.root = resolve(root);
    this.location = `file://${this.root}`;
    this.onLockWait = options.onLockWait ?? ((m) => process.stderr.write(`${m}\n`));
  }

  /** {@inheritDoc ObjectStore.localPath} */
  localPath(key: string): string {
    assertValidObjectKey(key);
    if (RESERVED.test(key)) {
      throw new Error(`invalid object key "${key}": keys ending in .tmp or .lock are reserved for in-progress writes and locks in a local store`);
    }
    return join(this.root, ...key.split('/'));
  }

  /** {@inheritDoc ObjectStore.update} */
  async update<T>(key: string, step: (u: ObjectUpdate) => Promise<ObjectUpdateDecision<T>>): Promise<T> {
    const path = this.localPath(key);
    await mkdir(dirname(path), { recursive: true }).catch((err: unknown) => Promise.reject(explainFsError(err, 'write', path)));
    return withFileLock(
      `${path}.lock`,
      async () => {
        const output = tempPathFor(path);
        try {
          const decision = await step({ current: (await this.exists(key)) ? path : null, output });
          if (decision.write) {
            await fsyncFile(output);
            await rename(output, path);
            await fsyncDirectory(dirname(path));
          }
          return decision.result;
        } catch (err) {
          throw explainFsError(err, 'write', path);
        } finally {
          await rm(output, { force: true });
        }
      },
      { what: `${this.location}/${key}`, onWait: this.onLockWait },
    );
  }

  /** {@inheritDoc ObjectStore.put} */
  async put(key: string, body: Uint8Array | string): Promise<void> {
    await writeFileAtomic(this.localPath(key), body);
  }

  /** {@inheritDoc ObjectStore.get} */
  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.localPath(key)));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** {@inheritDoc ObjectStore.list} */
  async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    const out: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      for (const e of entries) {
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(join(dir, e.name), key);
        } else if (e.isFile() && !RESERVED.test(e.name) && key.startsWith(prefix)) {
          out.push(key);
        }
      }
    };
    // start from the deepest directory the prefix names, so listing one partition does not walk the whole store
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    await walk(base ? join(this.root, ...base.split('/')) : this.root, base);
    // plain code-unit order, the order S3 lists keys in
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** {@inheritDoc ObjectStore.delete} */
  async delete(key: string): Promise<void> {
    const path = this.localPath(key);
    if (await this.exists(key)) await rm(path, { force: true });
  }

  /** {@inheritDoc ObjectStore.exists} */
  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.localPath(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  /** {@inheritDoc ObjectStore.putFile} */
  async putFile(key: string, localPath: string): Promise<void> {
    await copyFileAtomic(localPath, this.localPath(key));
  }

  /** {@inheritDoc ObjectStore.getFile} */
  async getFile(key: string, localPath: string): Promise<boolean> {
    const source = this.localPath(key);
    if (!(await this.exists(key))) return false;
    try {
      await copyFileAtomic(source, localPath);
    } catch (err) {
      // deleted between the check and the copy: same answer as a missing key
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(await this.exists(key))) return false;
      throw err;
    }
    return true;
  }
}

/** A key that names nothing, or names a directory (which S3 would not have as an object either). */
function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
