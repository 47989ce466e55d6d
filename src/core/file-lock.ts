/**
 * Exclusive lock files for processes sharing a directory. A lock appears atomically with its holder's record
 * (a fully written temp file hard-linked into place, so nobody ever reads a half-written lock), and is released
 * by its holder. A lock whose holder is gone (killed) is broken safely: the breaker first takes a second lock
 * named after that exact lock instance, so of several processes that see the same stale lock only one removes
 * it, and never a fresh lock that replaced it meanwhile.
 */
import { link, mkdir, open, readFile, rm, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tempPathFor } from './atomic-file.js';
import { explainFsError } from './fs-errors.js';

/** What a lock file records about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Identifies the process beyond its pid (boot id + start time in clock ticks); null where unknown. */
  processStart: string | null;
  acquiredAt: string;
  /** Unique per lock taken: tells this lock instance from a later one at the same path. */
  nonce: string;
}

/** How long to wait and whom to tell. */
export interface LockOptions {
  /** What the lock guards, for messages (e.g. `partition feature=open/…/2018.parquet`). */
  what?: string;
  /** Told once the lock has been held by another process for `noticeAfterMs`, then every minute. */
  onWait?: (message: string) => void;
  noticeAfterMs?: number;
  /** Gives up with a LockBusyError naming the holder after this long (default 10 minutes; 0: do not wait). */
  timeoutMs?: number;
}

/** The lock stayed held by a live process for the whole of `timeoutMs` (0: it was held when asked). */
export class LockBusyError extends Error {
  constructor(readonly path: string, readonly holder: LockHolder | null, message: string) {
    super(message);
    this.name = 'LockBusyError';
  }
}

/** A held lock. */
export interface FileLock {
  readonly path: string;
  /** Removes the lock file if it is still this lock (never another process's). */
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** A lock file whose record cannot be read is being written (fallback mode) for at most this long. */
const UNREADABLE_GRACE_MS = 10_000;

/** Takes the lock at `path`, waiting while a live process holds it and breaking it when its holder is gone. */
export async function acquireFileLock(path: string, options: LockOptions = {}): Promise<FileLock> {
  try {
    return await acquire(path, options);
  } catch (err) {
    throw explainFsError(err, 'take the lock', path);
  }
}

async function acquire(path: string, options: LockOptions): Promise<FileLock> {
  await mkdir(dirname(path), { recursive: true });
  const me = holderRecord();
  const started = Date.now();
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let nextNotice = started + (options.noticeAfterMs ?? 5_000);
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(path, me)) return { path, release: () => releaseIfMine(path, me.nonce) };
    const seen = await readLock(path);
    if (!seen) continue; // released between our attempt and the read
    if (isStale(seen)) {
      await breakLock(path, seen, 0);
      continue;
    }
    const now = Date.now();
    const who = describeHolder(path, seen, options.what);
    if (now - started >= timeout) {
      if (timeout === 0) throw new LockBusyError(path, seen.holder, `${who} is busy`);
      throw new LockBusyError(path, seen.holder, `gave up after ${Math.round(timeout / 1000)} s waiting for ${who}; if that process is gone, delete ${path}`);
    }
    if (now >= nextNotice) {
      options.onWait?.(`waiting for ${who}`);
      nextNotice = now + 60_000;
    }
    await sleep(Math.min(250, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
  }
}

/** Runs `fn` under the lock at `path`, releasing it however `fn` ends. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(path, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/**
 * Removes the lock at `path` when its holder is gone (used by the start-up cleanup); a live lock is left alone.
 * Returns whether a stale lock was removed.
 */
export async function removeStaleLock(path: string, o: { onlyOwnRecords?: boolean } = {}): Promise<boolean> {
  const seen = await readLock(path);
  // a file that is not one of our lock records (another tool's lock) is left alone when asked
  if (!seen || (o.onlyOwnRecords && !seen.holder) || !isStale(seen)) return false;
  await breakLock(path, seen, 0);
  return (await readLock(path))?.id !== seen.id;
}

/** Who holds the lock at `path` now, or null when it is free (no lock file, or its holder is gone). */
export async function lockHolder(path: string): Promise<LockHolder | null> {
  const seen = await readLock(path);
  return seen && !isStale(seen) ? seen.holder : null;
}

/** A lock file as read: its holder record (null when unreadable) and the id of this lock instance. */
interface SeenLock {
  holder: LockHolder | null;
  id: string;
  mtimeMs: number;
}

/** Creates the lock file with our record, atomically; false when it already exists. */
async function tryCreate(path: string, me: LockHolder): Promise<boolean> {
  const tmp = tempPathFor(path);
  const body = JSON.stringify(me);
  try {
    const h = await open(tmp, 'wx');
    try {
      await h.writeFile(body);
    } finally {
      await h.close();
    }
    try {
      await link(tmp, path);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (!LINK_UNSUPPORTED.has(code ?? '')) throw err;
      return createExclusive(path, body);
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** Fallback for filesystems without hard links: O_EXCL, then the record (briefly unreadable; see UNREADABLE_GRACE_MS). */
async function createExclusive(path: string, body: string): Promise<boolean> {
  let h;
  try {
    h = await open(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await h.writeFile(body);
  } finally {
    await h.close();
  }
  return true;
}

async function readLock(path: string): Promise<SeenLock | null> {
  let text: string;
  let st;
  try {
    st = await stat(path);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const holder = parseHolder(text);
  return { holder, id: holder?.nonce ?? `inode-${st.ino}-${st.mtimeMs}`, mtimeMs: st.mtimeMs };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.nonce !== 'string') return null;
    return { pid: h.pid, host: h.host, processStart: h.processStart ?? null, acquiredAt: String(h.acquiredAt), nonce: h.nonce };
  } catch {
    return null;
  }
}

/**
 * Removes the stale lock `seen` at `path`. Only the process that creates `<path>.break-<lock id>` may remove
 * that lock instance; it re-reads the lock under that guard, so a fresh lock taken meanwhile survives. A guard
 * left by a breaker that was itself killed is broken the same way (one level deeper).
 */
async function breakLock(path: string, seen: SeenLock, depth: number): Promise<void> {
  const guard = `${path}.break-${seen.id.replace(/[^A-Za-z0-9.-]/g, '_')}`;
  if (!(await tryCreate(guard, holderRecord()))) {
    const other = await readLock(guard);
    if (other && isStale(other) && depth < 3) await breakLock(guard, other, depth + 1);
    return; // a live breaker is at work, or the guard just went away: the caller looks again
  }
  try {
    const now = await readLock(path);
    if (now?.id === seen.id) await unlink(path).catch(ignoreMissing);
  } finally {
    await unlink(guard).catch(ignoreMissing);
  }
}

/** A lock whose holder process no longer exists on this host (or whose record stayed unreadable too long). */
function isStale(seen: SeenLock): boolean {
  const h = seen.holder;
  if (!h) return Date.now() - seen.mtimeMs > UNREADABLE_GRACE_MS;
  // another host's process cannot be checked from here: wait for it (the message says how to clear it)
  if (h.host !== hostname()) return false;
  if (!processExists(h.pid)) return true;
  const start = processStart(h.pid);
  // the pid was reused by a newer process: the holder is gone
  return h.processStart !== null && start !== null && start !== h.processStart;
}

/** Whether a process with this pid exists on this host (one owned by another user counts). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | null | undefined;

/** `<boot id>:<start time in clock ticks>` of a process (Linux /proc), or null where that cannot be read. */
export function processStart(pid: number): string | null {
  try {
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces), starting with field 3 (state); starttime is field 22
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${bootId}:${fields[19]}`;
  } catch {
    bootId ??= null;
    return null;
  }
}

function holderRecord(): LockHolder {
  return { pid: process.pid, host: hostname(), processStart: processStart(process.pid), acquiredAt: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
}

function describeHolder(path: string, seen: SeenLock, what?: string): string {
  const h = seen.holder;
  const subject = what ?? `the lock ${path}`;
  if (!h) return `${subject} (lock file ${path} is being created)`;
  const elsewhere = h.host !== hostname() ? ` on host ${h.host}` : '';
  return `${subject}: held by pid ${h.pid}${elsewhere} since ${h.acquiredAt} (${path})`;
}

async function releaseIfMine(path: string, nonce: string): Promise<void> {
  const now = await readLock(path);
  if (now?.holder?.nonce === nonce) await unlink(path).catch(ignoreMissing);
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
