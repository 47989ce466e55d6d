import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

test('`stockcast serve` listens on loopback, answers, and stops cleanly on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-serve-cli-'));
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '--port', '0'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, STOCKCAST_HOME: join(dir, 'home') } });
  try {
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
        const m = /dashboard \(read-only\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on('close', (code) => reject(new Error(`serve exited ${code} before listening: ${stdout}`)));
    });
    const models = (await (await fetch(`${url}/api/models`)).json()) as { models: unknown[]; location: string };
    assert.deepEqual(models.models, []);
    assert.equal(models.location, `file://${join(dir, 'home', 'models')}`);
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    assert.equal(await closed, 0, 'a clean stop');
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('`stockcast serve` rejects a bad port or clock with a readable error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-serve-cli-'));
  try {
    const port = await runCli(['serve', '--port', '70000'], dir);
    assert.equal(port.code, 1);
    assert.match(port.stderr, /option '--port <n>' argument '70000' is invalid\. Expected an integer from 0 to 65535\./);
    const now = await runCli(['serve', '--now', 'soon'], dir);
    assert.equal(now.code, 1);
    assert.match(now.stderr, /option '--now <iso>' argument 'soon' is invalid\. Expected an ISO time/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
