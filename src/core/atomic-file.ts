import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { explainFsError } from './fs-errors.js';

/**
 * The mkdtemp prefix of a stockcast temp folder, `<tmp>/stockcast-<kind>-<pid>-`: the pid lets the start-up
 * cleanup tell a killed run's folder from a running one's.
 */
export function tempDirPrefix(kind: string): string {
  return join(tmpdir(), `stockcast-${kind}-${process.pid}-`);
}

/** A temporary path beside `path` (`<path>.<pid>.<random>.tmp`), so the final rename stays on one filesystem. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Writes a file atomically: readers see the old content or the new one, never a partial file. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await withTempFile(path, async (tmp) => {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/** Streams `source` into a file atomically (downloads, large exports); a failed stream leaves no file behind. */
export async function writeStreamAtomic(path: string, source: Readable): Promise<void> {
  await withTempFile(path, async (tmp) => {
    await pipeline(source, createWriteStream(tmp));
    await fsyncFile(tmp);
  });
}

/** Copies a file atomically: the destination appears complete or not at all. */
export async function copyFileAtomic(sourcePath: string, finalPath: string): Promise<void> {
  await withTempFile(finalPath, async (tmp) => {
    await copyFile(sourcePath, tmp);
    await fsyncFile(tmp);
  });
}

/**
 * Moves a finished temporary file into place atomically (creating parent directories). When the two paths
 * are on different filesystems a plain rename fails (EXDEV), so the file is copied beside the target first.
 */
export async function moveFileAtomic(tmpPath: string, finalPath: string): Promise<void> {
  await mkdir(dirname(finalPath), { recursive: true });
  try {
    await rename(tmpPath, finalPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFileAtomic(tmpPath, finalPath);
    await rm(tmpPath, { force: true });
    return;
  }
  await fsyncDirectory(dirname(finalPath));
}

/** Runs `fill` on a fresh temp path beside `path`, then renames it onto `path`; the temp file never outlives a failure. */
async function withTempFile(path: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await fill(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw explainFsError(err, 'write', path);
  }
  await fsyncDirectory(dirname(path));
}

/**
 * A private name for the file now at `path` (`<path>.<pid>.<random>.tmp`), unaffected when `path` is replaced
 * meanwhile, or null when there is no file: a hard link (no copy), or a copy where links are not supported.
 * DuckDB opens a Parquet file more than once per query, so a reader of a file that writers replace reads a pin.
 */
export async function pinFile(path: string): Promise<string | null> {
  const pinned = tempPathFor(path);
  // link() can fail with ENOENT while a rename replaces its source; the file itself never went away
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await link(path, pinned);
      return pinned;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        if (!(await isFile(path))) return null;
        continue;
      }
      if (code === 'EISDIR' || code === 'ENOTDIR') return null;
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK'].includes(code ?? '')) throw err;
      break;
    }
  }
  try {
    await copyFile(path, pinned);
    return pinned;
  } catch (err) {
    await rm(pinned, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Flushes a finished file to disk (before it is renamed into place, so a power cut cannot leave it empty). */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename itself durable; some platforms cannot fsync a directory, which only weakens crash safety. */
export async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort (e.g. Windows, some network filesystems)
  }
}
