import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/trade/run-lock.js';

test('one run per model: a live holder blocks, release frees, a crashed holder is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-lock-'));
  const path = join(dir, 'locks', 'm1.lock');
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    const release = await acquireLock(path);
    assert.equal(await readFile(path, 'utf8'), String(process.pid));
    await release();
    assert.equal(existsSync(path), false);

    await writeFile(path, String(holder.pid));
    await assert.rejects(acquireLock(path), new RegExp(`another trade run holds .*m1\\.lock \\(pid ${holder.pid}\\)`));

    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const again = await acquireLock(path);
    assert.equal(await readFile(path, 'utf8'), String(process.pid), 'the dead holder\'s lock was taken over');
    await again();
  } finally {
    holder.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
