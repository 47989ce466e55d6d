import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireFileLock, lockHolder, processStart } from '../../src/core/file-lock.js';
import { acquireRunLock, validateLockName } from '../../src/trade/run-lock.js';

const CHILD = fileURLToPath(new URL('../helpers/lock-child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => p.once('exit', r));
  return p.pid!;
}

/** A lock file as a holder writes it. */
async function writeLockRecord(path: string, holder: { pid: number; processStart: string | null }): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify({ ...holder, host: hostname(), acquiredAt: '2025-01-06T15:00:00.000Z', nonce: `n${holder.pid}` }));
}

/** Runs `n` lock-child processes released together; returns what each printed. */
async function race(n: number, dir: string, scratch: string, holdMs: number, waitMs: number) {
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['--import', TSX, CHILD, dir, scratch, String(holdMs), String(waitMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    return new Promise<{ acquired: boolean; overlap?: boolean; error?: string }>((resolve) => child.on('close', () => resolve(JSON.parse(out.trim() || '{"acquired":false,"error":"no output"}'))));
  });
  await new Promise((r) => setTimeout(r, 1500)); // let every child load before the start signal
  await writeFile(join(scratch, 'go'), '');
  return Promise.all(children);
}

test('one run per model: a live holder blocks with its pid, release frees, a dead holder is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-lock-'));
  try {
    const release = await acquireRunLock(join(dir, 'locks'), 'trade-m1');
    assert.equal((await lockHolder(join(dir, 'locks', 'trade-m1.lock')))?.pid, process.pid);
    await assert.rejects(acquireRunLock(join(dir, 'locks'), 'trade-m1'), new RegExp(`another trade run holds .*trade-m1\\.lock \\(pid ${process.pid}, since `));
    await release();
    assert.equal(await lockHolder(join(dir, 'locks', 'trade-m1.lock')), null);
    (await acquireRunLock(join(dir, 'locks'), 'trade-m1'))();

    // a crashed holder (its process is gone) and a reused pid (alive, but started at another time) are both free
    const crashed = join(dir, 'crashed.lock');
    await writeLockRecord(crashed, { pid: await deadPid(), processStart: null });
    const taken = await acquireFileLock(crashed, { timeoutMs: 0 });
    assert.equal((await lockHolder(crashed))?.pid, process.pid, 'the dead holder\'s lock was taken over');
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('crashed')), ['crashed.lock'], 'no break guard or temp file left behind');
    await taken.release();
    const reused = join(dir, 'reused.lock');
    await writeLockRecord(reused, { pid: process.pid, processStart: `${processStart(process.pid)}-earlier` });
    assert.equal(await lockHolder(reused), null, 'a pid now belonging to a later process is not the holder');
    await (await acquireFileLock(reused, { timeoutMs: 0 })).release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('lock names are validated before any path is built from them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-lock-'));
  try {
    for (const bad of ['../victim', 'x/../../y', 'a/b', '', '..', '.hidden', 'a\\b', 'x'.repeat(129)]) {
      assert.throws(() => validateLockName(bad), /invalid lock name/, bad);
      await assert.rejects(acquireRunLock(join(dir, 'locks'), bad), /invalid lock name/);
    }
    assert.equal(existsSync(join(dir, 'locks')), false, 'nothing was created');
    assert.equal(validateLockName('trade-m1-medium_high.v2'), 'trade-m1-medium_high.v2');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('lock race: 8 processes started together over a dead holder’s claim take the lock one at a time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-lock-race-'));
  try {
    const lock = join(dir, 'race.lock');
    await writeLockRecord(lock, { pid: await deadPid(), processStart: null });
    const waiting = await race(8, lock, dir, 40, 60_000);
    assert.deepEqual(waiting.map((r) => r.acquired), Array(8).fill(true), JSON.stringify(waiting));
    assert.equal(waiting.filter((r) => r.overlap).length, 0, 'never two holders at once');

    // without waiting, the racers that lose get a clear error naming the winner; still never two inside
    const fresh = join(dir, 'fresh.lock');
    await writeLockRecord(fresh, { pid: await deadPid(), processStart: null });
    await rm(join(dir, 'go'));
    const failing = await race(8, fresh, dir, 1500, 0);
    const winners = failing.filter((r) => r.acquired);
    assert.ok(winners.length >= 1, JSON.stringify(failing));
    assert.equal(winners.filter((r) => r.overlap).length, 0);
    for (const r of failing.filter((x) => !x.acquired)) assert.match(r.error!, /race test: held by pid \d+ since .* is busy/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
