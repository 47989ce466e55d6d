import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A claim file as a holder writes it (generation `gen`). */
async function writeClaim(dir: string, gen: number, holder: { pid: number; start: number | null }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${String(gen).padStart(12, '0')}.lock`), JSON.stringify({ ...holder, host: hostname(), acquiredAt: '2025-01-06T15:00:00.000Z', purpose: 'test' }));
}

/** Runs `n` lock-child processes released together; returns what each printed. */
async function race(n: number, dir: string, scratch: string, holdMs: number, waitMs: number) {
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['--import', TSX, CHILD, dir, scratch, String(holdMs), String(waitMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    return new Promise<{ acquired: boolean; overlap?: boolean; error?: string; generation?: number }>((resolve) => child.on('close', () => resolve(JSON.parse(out.trim() || '{"acquired":false,"error":"no output"}'))));
  });
  await new Promise((r) => setTimeout(r, 1500)); // let every child load before the start signal
  await writeFile(join(scratch, 'go'), '');
  return Promise.all(children);
}

test('one run per model: a live holder blocks with its pid, release frees, a dead holder is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-lock-'));
  try {
    const release = await acquireRunLock(join(dir, 'locks'), 'trade-m1');
    assert.equal((await lockHolder(join(dir, 'locks', 'trade-m1')))?.pid, process.pid);
    await assert.rejects(acquireRunLock(join(dir, 'locks'), 'trade-m1'), new RegExp(`another trade run holds .*trade-m1 \\(pid ${process.pid}, since `));
    await release();
    assert.equal(await lockHolder(join(dir, 'locks', 'trade-m1')), null);
    (await acquireRunLock(join(dir, 'locks'), 'trade-m1'))();

    // a crashed holder (its process is gone) and a reused pid (alive, but started at another time) are both free
    const crashed = join(dir, 'crashed');
    await writeClaim(crashed, 7, { pid: await deadPid(), start: 1 });
    const taken = await acquireFileLock(crashed);
    assert.equal(taken.generation, 8, 'the next generation is claimed; nothing is deleted to take over');
    assert.deepEqual((await readdir(crashed)).sort(), ['000000000008.lock'], 'the newest holder removes older claims');
    await taken.release();
    const reused = join(dir, 'reused');
    await writeClaim(reused, 1, { pid: process.pid, start: (processStart(process.pid) ?? 0) + 1 });
    assert.equal((await acquireFileLock(reused)).generation, 2);
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
    const lock = join(dir, 'lock');
    await writeClaim(lock, 1, { pid: await deadPid(), start: null });
    const waiting = await race(8, lock, dir, 40, 60_000);
    assert.deepEqual(waiting.map((r) => r.acquired), Array(8).fill(true), JSON.stringify(waiting));
    assert.equal(waiting.filter((r) => r.overlap).length, 0, 'never two holders at once');
    assert.equal(new Set(waiting.map((r) => r.generation)).size, 8, 'each holder had its own generation');

    // without waiting, the racers that lose get a clear error naming the winner; still never two inside
    const fresh = join(dir, 'fresh');
    await writeClaim(fresh, 1, { pid: await deadPid(), start: null });
    await rm(join(dir, 'go'));
    const failing = await race(8, fresh, dir, 1500, 0);
    const winners = failing.filter((r) => r.acquired);
    assert.ok(winners.length >= 1, JSON.stringify(failing));
    assert.equal(winners.filter((r) => r.overlap).length, 0);
    for (const r of failing.filter((x) => !x.acquired)) assert.match(r.error!, /race test holds the lock .* \(pid \d+, since /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
