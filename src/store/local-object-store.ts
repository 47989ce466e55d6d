import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ObjectStore } from './object-store.js';
import { tempPathFor, writeFileAtomic } from './atomic-file.js';

/** Object store over a local directory (the offline default). */
export class LocalObjectStore implements ObjectStore {
  readonly location: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = `file://${this.root}`;
  }

  /** {@inheritDoc ObjectStore.localPath} */
  localPath(key: string): string {
    if (key.length === 0 || key.startsWith('/') || key.includes('\\') || key.split('/').includes('..')) {
      throw new Error(`invalid object key "${key}": expected a relative path with / separators and no ".."`);
    }
    return join(this.root, ...key.split('/'));
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
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** {@inheritDoc ObjectStore.list} */
  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(join(dir, e.name), key);
        else if (!e.name.endsWith('.tmp') && key.startsWith(prefix)) out.push(key);
      }
    };
    // start from the deepest directory the prefix names, so listing one partition does not walk the whole store
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    await walk(base ? join(this.root, ...base.split('/')) : this.root, base);
    return out.sort();
  }

  /** {@inheritDoc ObjectStore.delete} */
  async delete(key: string): Promise<void> {
    await rm(this.localPath(key), { force: true });
  }

  /** {@inheritDoc ObjectStore.exists} */
  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.localPath(key))).isFile();
    } catch {
      return false;
    }
  }

  /** {@inheritDoc ObjectStore.putFile} */
  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.localPath(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = tempPathFor(target);
    await copyFile(localPath, tmp);
    await rename(tmp, target);
  }

  /** {@inheritDoc ObjectStore.getFile} */
  async getFile(key: string, localPath: string): Promise<boolean> {
    if (!(await this.exists(key))) return false;
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(this.localPath(key), localPath);
    return true;
  }
}

