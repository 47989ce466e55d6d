import { join } from 'node:path';
import { acquireFileLock, LockBusyError, type FileLock } from '../core/file-lock.js';

/** Lock names become folder names: letters, digits, dot, dash and underscore; no `..`, no separators. */
const LOCK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks a lock name before any path is built from it. */
export function validateLockName(name: string): string {
  if (!LOCK_NAME.test(name) || name.includes('..')) {
    throw new Error(`invalid lock name ${JSON.stringify(name)}: expected letters, digits, '.', '-' or '_' (no '..', no path separators), at most 128 characters`);
  }
  return name;
}

/**
 * One trade run per model at a time: the lock file `<locksDir>/<name>.lock` (see core/file-lock: created atomically
 * with the holder's pid and process start time, broken safely when the holder is gone). A live holder is an error
 * at once: a scheduled run must not queue behind a stuck one.
 */
export async function acquireRunLock(locksDir: string, name: string): Promise<() => Promise<void>> {
  const path = join(locksDir, `${validateLockName(name)}.lock`);
  try {
    const lock = await acquireFileLock(path, { timeoutMs: 0, what: `trade run ${name}` });
    return () => lock.release();
  } catch (err) {
    if (err instanceof LockBusyError) {
      const h = err.holder;
      throw new Error(`another trade run holds ${path} (${h ? `pid ${h.pid}, since ${h.acquiredAt}` : 'being taken'}); wait for it to finish`, { cause: err });
    }
    throw err;
  }
}

/** The feature store's refresh lock (`<locksDir>/refresh.lock`): runs refreshing at once wait their turn, up to 10 minutes. */
export function refreshLock(locksDir: string): Promise<FileLock> {
  return acquireFileLock(join(locksDir, 'refresh.lock'), { timeoutMs: 600_000, what: 'a refresh of the feature store' });
}
