/**
 * Start-up cleanup of what killed runs leave behind: temp files (`<file>.<pid>.<hex>.tmp`: writes in progress,
 * read pins), lock files of dead holders, and `stockcast-<kind>-<pid>-*` temp folders. Only leftovers of a
 * process that is gone and older than a safe age are removed, so a running command never loses a file.
 */
import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processExists, removeStaleLock } from './file-lock.js';

/** Leftovers younger than this are kept whatever their owner (a process in another pid namespace may own them). */
export const SAFE_AGE_MS = 10 * 60_000;
/** Temp folders whose name carries no pid (older naming) are removed only after this long. */
const UNOWNED_AGE_MS = 24 * 3_600_000;

const TEMP_FILE = /\.(\d+)\.[0-9a-f]+\.tmp$/;
const LOCK_FILE = /\.lock(\.break-[^/]*)?$/;
const TEMP_DIR = /^stockcast-[a-z0-9]+-(\d+)-/;

/** What a cleanup removed. */
export interface CleanupReport {
  removed: string[];
}

/** Cleans `home` (recursively) and the system temp folder; never throws (a leftover that cannot go stays). */
export async function cleanOrphans(home: string, o: { now?: number; tempRoot?: string } = {}): Promise<CleanupReport> {
  const now = o.now ?? Date.now();
  const removed: string[] = [];
  await cleanTree(home, now, removed, 0);
  await cleanTempFolders(o.tempRoot ?? tmpdir(), now, removed);
  return { removed };
}

async function cleanTree(dir: string, now: number, removed: string[], depth: number): Promise<void> {
  if (depth > 8) return;
  for (const e of await entriesOf(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      await cleanTree(path, now, removed, depth + 1);
      continue;
    }
    if (!e.isFile()) continue;
    const tmp = TEMP_FILE.exec(e.name);
    if (tmp && !processExists(Number(tmp[1])) && (await olderThan(path, now, SAFE_AGE_MS))) {
      if (await remove(path)) removed.push(path);
    } else if (LOCK_FILE.test(e.name) && (await removeStaleLock(path, { onlyOwnRecords: true }).catch(() => false))) {
      removed.push(path);
    }
  }
}

async function cleanTempFolders(root: string, now: number, removed: string[]): Promise<void> {
  for (const e of await entriesOf(root)) {
    if (!e.isDirectory() || !e.name.startsWith('stockcast-')) continue;
    const path = join(root, e.name);
    const owner = TEMP_DIR.exec(e.name);
    const gone = owner ? !processExists(Number(owner[1])) && (await olderThan(path, now, SAFE_AGE_MS)) : await olderThan(path, now, UNOWNED_AGE_MS);
    if (gone && (await remove(path))) removed.push(path);
  }
}

/** The entries of a folder; none when it cannot be read (missing, or not ours to read). */
async function entriesOf(dir: string): Promise<Dirent[]> {
  return readdir(dir, { withFileTypes: true }).catch(() => []);
}

async function olderThan(path: string, now: number, age: number): Promise<boolean> {
  try {
    return now - (await stat(path)).mtimeMs > age;
  } catch {
    return false;
  }
}

async function remove(path: string): Promise<boolean> {
  try {
    await rm(path, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}
