import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dailyBars, startAlpacaMarketDataFake } from '../fakes/alpaca-market-data-fake.js';
import { runCli } from '../helpers/cli.js';

test('stockcast backfill from Alpaca: summary, failed symbol reported with non-zero exit, re-run is idempotent', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-cli-'));
  const fake = await startAlpacaMarketDataFake({ AAPL: dailyBars('2024-01-02', 5, 100), MSFT: dailyBars('2024-01-02', 5, 300) }, { id: 'PKID', secret: 'shh-secret-9' });
  try {
    await writeFile(join(dir, 'symbols.txt'), 'AAPL\nMSFT\n\n# comment\n');
    const env = { ALPACA_KEY: 'PKID', ALPACA_SECRET: 'shh-secret-9', ALPACA_DATA_URL: fake.url, STOCKCAST_HOME: join(dir, 'home') };
    const args = ['backfill', '--source', 'alpaca', '--symbols-file', 'symbols.txt', '--features', 'open,close,volume,vwap,day_of_week', '--start', '2024-01-01', '--end', '2024-01-31'];
    fake.faults.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const failed = await runCli(args, dir, env);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /FAILED: 2 symbol\(s\)\/date\(s\)/);
    assert.match(failed.stdout, /AAPL: GET http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/bars: HTTP 500/);
    const ok = await runCli(args, dir, env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /open\s+10\s+10/);
    const again = await runCli(args, dir, env);
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
    const unknown = await runCli([...base, '--features', 'open,opne'], dir, env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown feature "opne": valid features are open, close, high/);
    const reversed = await runCli(['backfill', '--features', 'open', '--start', '2024-02-01', '--end', '2024-01-01'], dir, env);
    assert.match(reversed.stderr, /end 2024-01-01 is before start 2024-02-01/);
    const empty = await runCli([...base, '--features', 'open', '--symbols-file', 'empty.txt'], dir, env);
    assert.match(empty.stderr, /symbols file empty\.txt is empty/);
    const noKey = await runCli([...base, '--features', 'open', '--source', 'alpaca', '--symbols', 'AAPL'], dir, { ...env, ALPACA_SECRET: 'only-the-secret-1' });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /missing setting ALPACA_KEY: set it in the environment or in \.env/);
    assert.ok(!noKey.stderr.includes('only-the-secret-1'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
