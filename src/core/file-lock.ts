import { link, mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Who holds a lock: written into the claim before it exists under its final name. */
export interface LockHolder {
  pid: number;
  /** The process's start time (Linux clock ticks since boot), so a pid reused by another process is not mistaken for the holder. */
  start: number | null;
  host: string;
  acquiredAt: string;
  purpose: string;
}

/** A lock this process holds. */
export interface HeldLock {
  readonly generation: number;
  release(): Promise<void>;
}

/** The lock is held by a live process (and the caller did not wait, or waited long enough). */
export class LockBusyError extends Error {
  constructor(readonly dir: string, readonly holder: LockHolder) {
    super(`${holder.purpose || 'another process'} holds the lock ${dir} (${describeHolder(holder)})`);
    this.name = 'LockBusyError';
  }
}

/** `pid 123, since <time>` (with the host when it is another machine). */
export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid}${h.host === hostname() ? '' : ` on host ${h.host}`}, since ${h.acquiredAt}`;
}

/** How long to wait for a busy lock (0: fail at once) and what the claim is for (shown to whoever finds it busy). */
export interface LockOptions {
  waitMs?: number;
  purpose?: string;
}

/**
 * An exclusive lock between processes from files alone. A lock is a directory of numbered claims,
 * `<gen>.lock`, each holding its holder (pid, process start time, host). A claim is written to a private file
 * first and then hard-linked to its name — an exclusive create (like O_EXCL) that never shows a half-written
 * claim. The newest generation decides: held while it has no `<gen>.released` marker and its process lives
 * (same pid and same start time). Taking over a dead holder's lock deletes nothing: the contender claims the
 * next generation, so two contenders race only on one exclusive link, and a claimer that finds a newer
 * generation after linking (its view was stale) yields. The newest holder removes the generations below it.
 */
export async function acquireFileLock(dir: string, options: LockOptions = {}): Promise<HeldLock> {
  await mkdir(dir, { recursive: true });
  const deadline = Date.now() + (options.waitMs ?? 0);
  const me = selfHolder(options.purpose ?? '');
  for (let attempt = 0; ; attempt++) {
    const result = await tryClaim(dir, me);
    if ('generation' in result) return held(dir, result.generation);
    if (Date.now() >= deadline) throw new LockBusyError(dir, result.busy);
    const backoff = Math.min(250, 5 * 2 ** Math.min(attempt, 6));
    await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * backoff));
  }
}

/** Reads who holds the lock now, or null when it is free (released, or its process is gone). */
export async function lockHolder(dir: string): Promise<LockHolder | null> {
  for (;;) {
    const top = (await generations(dir)).at(-1);
    if (top === undefined) return null;
    const state = await judge(dir, top);
    if (state !== 'vanished') return state === 'free' ? null : state;
  }
}

async function tryClaim(dir: string, me: LockHolder): Promise<{ generation: number } | { busy: LockHolder }> {
  for (;;) {
    const seen = await generations(dir);
    const top = seen.at(-1) ?? 0;
    if (top > 0) {
      const state = await judge(dir, top);
      if (state === 'vanished') continue; // removed by a newer holder between the listing and the read
      if (state !== 'free') return { busy: state };
    }
    const next = top + 1;
    if (!(await linkClaim(dir, next, me))) continue; // another process claimed it first: judge that claim
    if ((await generations(dir)).some((g) => g > next)) {
      // our view was stale (a newer generation exists): never hold an older claim
      await markReleased(dir, next);
      continue;
    }
    await removeBelow(dir, next);
    return { generation: next };
  }
}

/** The state of one generation's claim. */
async function judge(dir: string, gen: number): Promise<LockHolder | 'free' | 'vanished'> {
  if (await exists(join(dir, `${name(gen)}.released`))) return 'free';
  let holder: LockHolder;
  try {
    holder = JSON.parse(await readFile(join(dir, `${name(gen)}.lock`), 'utf8')) as LockHolder;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'vanished';
    // a claim is complete when it appears (hard link of a written file): unreadable means not ours; never break it
    throw new Error(`lock ${dir}: claim ${name(gen)}.lock is unreadable (${(err as Error).message}); remove the folder by hand if no stockcast process runs`);
  }
  return isAlive(holder) ? holder : 'free';
}

/** Creates `<gen>.lock` complete or not at all; false when that generation is already claimed. */
async function linkClaim(dir: string, gen: number, me: LockHolder): Promise<boolean> {
  const tmp = join(dir, `.claim-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify({ ...me, acquiredAt: new Date().toISOString() }), { flag: 'wx' });
  try {
    await link(tmp, join(dir, `${name(gen)}.lock`));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

function held(dir: string, generation: number): HeldLock {
  let released = false;
  return {
    generation,
    async release() {
      if (released) return;
      released = true;
      await markReleased(dir, generation);
    },
  };
}

async function markReleased(dir: string, gen: number): Promise<void> {
  await writeFile(join(dir, `${name(gen)}.released`), '', { flag: 'w' });
}

/** Removes claims and markers of generations below `gen` (only the newest holder does this). */
async function removeBelow(dir: string, gen: number): Promise<void> {
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const m = /^(\d{12})\.(lock|released)$/.exec(f);
    if (m && Number(m[1]) < gen) await rm(join(dir, f), { force: true });
  }
}

/** Claimed generations, ascending. */
async function generations(dir: string): Promise<number[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return files
    .map((f) => /^(\d{12})\.lock$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

const name = (gen: number) => String(gen).padStart(12, '0');

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function selfHolder(purpose: string): LockHolder {
  return { pid: process.pid, start: processStart(process.pid), host: hostname(), acquiredAt: '', purpose };
}

/** A holder on another host cannot be checked and counts as alive; here: same pid and same start time. */
function isAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (h.start === null) return true;
  const start = processStart(h.pid);
  return start === null || start === h.start;
}

/** Start time of a process in clock ticks since boot (Linux /proc), or null where that is not available. */
export function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}
