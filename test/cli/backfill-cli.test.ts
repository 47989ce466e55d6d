import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dailyBars, startAlpacaMarketDataFake } from '../fakes/alpaca-market-data-fake.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// the CLI runs in a scratch directory, so tsx is resolved from the project rather than the cwd
const TSX = import.meta.resolve('tsx');

/** Runs the CLI in a child process (as a user would), with a clean environment. */
function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('stockcast backfill from Alpaca: summary, failed symbol reported with non-zero exit, re-run is idempotent', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-cli-'));
  const fake = await startAlpacaMarketDataFake({ AAPL: dailyBars('2024-01-02', 5, 100), MSFT: dailyBars('2024-01-02', 5, 300) }, { id: 'PKID', secret: 'shh-secret-9' });
  try {
    await writeFile(join(dir, 'symbols.txt'), 'AAPL\nMSFT\n\n# comment\n');
    const env = { ALPACA_KEY: 'PKID', ALPACA_SECRET: 'shh-secret-9', ALPACA_DATA_URL: fake.url, STOCKCAST_HOME: join(dir, 'home') };
    const args = ['backfill', '--source', 'alpaca', '--symbols-file', 'symbols.txt', '--features', 'open,close,volume,vwap,day_of_week', '--start', '2024-01-01', '--end', '2024-01-31'];
    fake.faults.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const failed = await runCli(args, env, dir);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /FAILED: 2 symbol\(s\)\/date\(s\)/);
    assert.match(failed.stdout, /AAPL: GET http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars: HTTP 500/);
    const ok = await runCli(args, env, dir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /open\s+10\s+10/);
    const again = await runCli(args, env, dir);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /open\s+10\s+0/, 'a second identical run writes nothing new');
    for (const out of [failed, ok, again]) assert.ok(!`${out.stdout}${out.stderr}`.includes('shh-secret-9'));
  } finally {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('stockcast backfill bad inputs: unknown feature, end before start, empty symbols file, missing credential', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-cli-'));
  try {
    await writeFile(join(dir, 'empty.txt'), '\n# nothing\n');
    const env = { STOCKCAST_HOME: join(dir, 'home') };
    const base = ['backfill', '--start', '2024-01-01', '--end', '2024-01-31'];
    const unknown = await runCli([...base, '--features', 'open,opne'], env, dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown feature "opne": valid features are open, close, high/);
    const reversed = await runCli(['backfill', '--features', 'open', '--start', '2024-02-01', '--end', '2024-01-01'], env, dir);
    assert.match(reversed.stderr, /end 2024-01-01 is before start 2024-02-01/);
    const empty = await runCli([...base, '--features', 'open', '--symbols-file', 'empty.txt'], env, dir);
    assert.match(empty.stderr, /symbols file empty\.txt is empty/);
    const noKey = await runCli([...base, '--features', 'open', '--source', 'alpaca', '--symbols', 'AAPL'], { ...env, ALPACA_SECRET: 'only-the-secret-1' }, dir);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /missing setting ALPACA_KEY: set it in the environment or in \.env/);
    assert.ok(!noKey.stderr.includes('only-the-secret-1'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
