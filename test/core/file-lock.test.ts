import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireFileLock, processStart, removeStaleLock } from '../../src/core/file-lock.js';

const WORKER = fileURLToPath(new URL('./lock-worker.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-lock-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a process to its end; resolves with its exit code. */
function run(args: string[]): Promise<number> {
  return new Promise((resolve) => spawn(process.execPath, args, { stdio: 'inherit' }).once('exit', (code) => resolve(code ?? -1)));
}

/** A lock record as another holder would leave it. */
const record = (over: Record<string, unknown>) => JSON.stringify({ pid: process.pid, host: hostname(), processStart: processStart(process.pid), acquiredAt: '2024-01-01T00:00:00Z', nonce: 'n1', ...over });

test('a lock records its holder, blocks a second taker until released, and leaves nothing behind', () =>
  withDir(async (dir) => {
    const path = join(dir, 'a', 'x.lock');
    const first = await acquireFileLock(path);
    const holder = JSON.parse(await readFile(path, 'utf8')) as { pid: number; host: string; nonce: string };
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.host, hostname());
    let second = false;
    const waiting = acquireFileLock(path).then((l) => ((second = true), l));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(second, false, 'the second taker waits while the lock is held');
    await first.release();
    const l2 = await waiting;
    assert.notEqual(JSON.parse(await readFile(path, 'utf8')).nonce, holder.nonce);
    await first.release(); // releasing twice never removes another holder's lock
    assert.equal((await readdir(join(dir, 'a'))).length, 1, 'the second lock is still there');
    await l2.release();
    assert.deepEqual(await readdir(join(dir, 'a')), [], 'no lock or temp file is left');
  }));

test('a lock held long gets a message naming the holder; past the timeout an error says how to clear it', () =>
  withDir(async (dir) => {
    const path = join(dir, 'x.lock');
    const held = await acquireFileLock(path);
    const messages: string[] = [];
    await assert.rejects(
      acquireFileLock(path, { what: 'partition open/2018', onWait: (m) => messages.push(m), noticeAfterMs: 50, timeoutMs: 400 }),
      new RegExp(`gave up after 0 s waiting for partition open/2018: held by pid ${process.pid} since .* \\(${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\); if that process is gone, delete`),
    );
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, new RegExp(`^waiting for partition open/2018: held by pid ${process.pid} since \\d{4}-`));
    await held.release();
  }));

test('a lock left by a killed process, or by a pid now reused, is taken over; a live one is not', () =>
  withDir(async (dir) => {
    const path = join(dir, 'x.lock');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    await new Promise((r) => child.once('spawn', r));
    try {
      await writeFile(path, record({ pid: child.pid, processStart: processStart(child.pid!) }));
      assert.equal(await removeStaleLock(path), false, 'a live holder keeps its lock');
      await assert.rejects(acquireFileLock(path, { timeoutMs: 100 }), new RegExp(`held by pid ${child.pid}`));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const taken = await acquireFileLock(path, { timeoutMs: 2_000 });
      assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid, 'the dead holder’s lock was taken over');
      await taken.release();
      // a record naming this very pid but another process start: the pid was reused, its holder is gone
      await writeFile(path, record({ processStart: 'another-boot:1' }));
      const reused = await acquireFileLock(path, { timeoutMs: 2_000 });
      await reused.release();
      // a lock from another host cannot be checked from here: it is waited for, never broken
      await writeFile(path, record({ host: 'elsewhere.example', pid: 999_999 }));
      assert.equal(await removeStaleLock(path), false);
      await assert.rejects(acquireFileLock(path, { timeoutMs: 100 }), /held by pid 999999 on host elsewhere\.example/);
    } finally {
      child.kill('SIGKILL');
    }
  }));

test('an unreadable lock file is waited for while fresh and broken once old', () =>
  withDir(async (dir) => {
    const path = join(dir, 'x.lock');
    await writeFile(path, '');
    await assert.rejects(acquireFileLock(path, { timeoutMs: 100 }), /lock file .* is being created/);
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const lock = await acquireFileLock(path, { timeoutMs: 2_000 });
    await lock.release();
  }));

test('four processes racing for one lock over a stale one never hold it at the same time', () =>
  withDir(async (dir) => {
    const path = join(dir, 'x.lock');
    const log = join(dir, 'log.txt');
    await writeFile(path, record({ pid: 999_999, processStart: null }));
    const codes = await Promise.all(Array.from({ length: 4 }, () => run(['--import', TSX, WORKER, path, log, '15'])));
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 4 * 15 * 2);
    for (let i = 0; i < lines.length; i += 2) {
      const [enter, leave] = [lines[i]!.split(' '), lines[i + 1]!.split(' ')];
      assert.deepEqual([enter[0], leave[0], leave[1]], ['in', 'out', enter[1]], `line ${i + 1}: two holders at once`);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['log.txt'], 'no lock, guard or temp file is left');
  }));
