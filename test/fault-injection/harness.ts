import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalObjectStore } from '../../src/store/local-object-store.js';
import { ParquetFeatureStore } from '../../src/store/parquet-feature-store.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const HOOK = fileURLToPath(new URL('./kill-hook.mjs', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** When the child kills itself: at the `count`-th rename onto a path matching `match` (see kill-hook.mjs). */
export interface KillPoint {
  match: string;
  count: number;
  when?: 'before' | 'after';
  delayMs?: number;
}

/** How a child run ended. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  pid: number;
  stdout: string;
  stderr: string;
}

/** Runs `stockcast <args>` in `dir` (STOCKCAST_HOME `<dir>/home`), optionally killed by SIGKILL at `kill`. */
export function stockcast(dir: string, args: string[], kill?: KillPoint): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, '--import', HOOK, MAIN, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, STOCKCAST_HOME: join(dir, 'home'), ...(kill ? { STOCKCAST_TEST_KILL: JSON.stringify({ when: 'after', ...kill }) } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, pid: child.pid!, stdout, stderr }));
  });
}

/** A run that must succeed; fails with its output otherwise. */
export async function ok(dir: string, args: string[]): Promise<Run> {
  const r = await stockcast(dir, args);
  if (r.code !== 0) throw new Error(`stockcast ${args.join(' ')} exited ${r.code ?? r.signal}:\n${r.stderr}`);
  return r;
}

/** A run that must die by the injected SIGKILL (not finish, not fail on its own). */
export async function killed(dir: string, args: string[], kill: KillPoint): Promise<Run> {
  const r = await stockcast(dir, args, kill);
  if (r.signal !== 'SIGKILL') throw new Error(`stockcast ${args.join(' ')} was to be killed at ${JSON.stringify(kill)} but exited ${r.code}:\n${r.stderr}`);
  return r;
}

/** A fresh scratch directory, optionally a copy of `from` (a prepared home and its configs.yaml). */
export async function scratch(from?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-fault-'));
  if (from) await cp(from, dir, { recursive: true });
  return dir;
}

/** Removes a scratch directory. */
export function discard(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Every stored feature row (without updated_timestamp, which tells when a run wrote it), per feature. */
export async function featureRows(home: string): Promise<Record<string, string[]>> {
  const objects = new LocalObjectStore(join(home, 'store'));
  const store = await ParquetFeatureStore.open({ objects, prefix: 'historical_data_v2' });
  try {
    const out: Record<string, string[]> = {};
    const features = new Set((await objects.list('historical_data_v2/')).map((k) => /feature=([^/]+)/.exec(k)![1]!));
    for (const f of [...features].sort()) {
      out[f] = (await store.readLong(f, '1Day')).map((r) => `${r.symbol} ${r.timestamp} ${r.value} ${r.type} ${r.date}`);
    }
    return out;
  } finally {
    await store.close();
  }
}

/** Files a run in progress leaves (temp files, locks, lock guards) anywhere under `home`. */
export async function leftovers(home: string): Promise<string[]> {
  return (await readdir(home, { recursive: true })).filter((f) => /\.tmp$|\.lock$|\.lock\.break-/.test(f)).sort();
}

/** Temp folders of process `pid` in the system temp folder. */
export async function tempFoldersOf(pid: number): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith('stockcast-') && n.includes(`-${pid}-`));
}

/**
 * Ages what a killed run left behind past the start-up cleanup's safe age, as if the re-run came a while after
 * the crash (the cleanup never touches fresh files: their process may still be running elsewhere).
 */
export async function ageLeftovers(home: string, pid: number): Promise<void> {
  const old = new Date(Date.now() - 3_600_000);
  for (const f of await leftovers(home)) await utimes(join(home, f), old, old).catch(() => undefined);
  for (const d of await tempFoldersOf(pid)) await utimes(join(tmpdir(), d), old, old).catch(() => undefined);
}

/** Whether a file exists. */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
