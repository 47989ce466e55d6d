import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsFailureReason } from './fs-errors.js';
import { cleanOrphans } from './orphan-cleanup.js';

/** What `prepareHome` found. */
export interface HomeState {
  /** False for a read-only home: commands that only read still work, the first write names the problem. */
  writable: boolean;
  /** Leftovers of killed runs that were removed. */
  cleaned: string[];
}

/**
 * Checks STOCKCAST_HOME before a command uses it, then cleans what killed runs left there (and in the system
 * temp folder). A file at that path, or under a file, is a clear error; a missing folder is fine (it is created
 * on first write).
 */
export async function prepareHome(home: string): Promise<HomeState> {
  try {
    if (!(await stat(home)).isDirectory()) {
      throw new Error(`STOCKCAST_HOME ${home} is a file, not a folder: point STOCKCAST_HOME at a folder (a missing one is created)`);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { writable: true, cleaned: [] };
    if (code === 'ENOTDIR') throw new Error(`STOCKCAST_HOME ${home} cannot be a folder: a folder on its path is a file`);
    if (code) throw new Error(`STOCKCAST_HOME ${home} cannot be used: ${fsFailureReason(err) ?? (err as Error).message}`, { cause: err });
    throw err;
  }
  if (!(await canWrite(home))) return { writable: false, cleaned: [] };
  return { writable: true, cleaned: (await cleanOrphans(home)).removed };
}

/** Whether a file can be created in `dir` (as root, permission bits alone do not tell). */
async function canWrite(dir: string): Promise<boolean> {
  const probe = join(dir, `.write-probe.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await (await open(probe, 'wx')).close();
    await rm(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}
