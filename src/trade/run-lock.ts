import { join } from 'node:path';
import { acquireFileLock, describeHolder, LockBusyError, type HeldLock } from '../core/file-lock.js';

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
 * One trade run per model at a time: the lock `<locksDir>/<name>/` (see core/file-lock: an exclusive claim holding
 * the holder's pid and start time, taken over from a dead holder without a race). A live holder is an error at
 * once: a scheduled run must not queue behind a stuck one.
 */
export async function acquireRunLock(locksDir: string, name: string): Promise<() => Promise<void>> {
  const dir = join(locksDir, validateLockName(name));
  try {
    const lock = await acquireFileLock(dir, { purpose: `trade run ${name}` });
    return () => lock.release();
  } catch (err) {
    if (err instanceof LockBusyError) throw new Error(`another trade run holds ${dir} (${describeHolder(err.holder)}); wait for it to finish`, { cause: err });
    throw err;
  }
}

/** The feature store's refresh lock (`<locksDir>/refresh/`): runs refreshing at once wait their turn, up to 10 minutes. */
export function refreshLock(locksDir: string): Promise<HeldLock> {
  return acquireFileLock(join(locksDir, 'refresh'), { waitMs: 600_000, purpose: 'a refresh of the feature store' });
}
