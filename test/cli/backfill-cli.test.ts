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

const BASE = ['backfill', '--source', 'synthetic', '--start', '2024-01-01', '--end', '2024-01-31'];
const BAD_INPUTS: Array<[what: string, args: string[], env: Record<string, string>, error: RegExp]> = [
  ['an unknown feature lists the valid ones', [...BASE, '--features', 'open,opne'], {}, /unknown feature "opne": valid features are open, close, high/],
  ['an end before the start', ['backfill', '--source', 'synthetic', '--features', 'open', '--start', '2024-02-01', '--end', '2024-01-01'], {}, /end 2024-01-01 is before start 2024-02-01/],
  ['a missing --source (there is no default)', ['backfill', '--features', 'open', '--start', '2024-01-01', '--end', '2024-01-31'], {}, /backfill: --source is required \(synthetic, csv, alpaca, yahoo\); there is no default/],
  ['an empty symbols file', [...BASE, '--features', 'open', '--symbols-file', 'empty.txt'], {}, /symbols file empty\.txt is empty/],
  ['a missing credential names the setting, never the other secret', ['backfill', '--start', '2024-01-01', '--end', '2024-01-31', '--features', 'open', '--source', 'alpaca', '--symbols', 'AAPL'], { ALPACA_SECRET: 'only-the-secret-1' }, /missing setting ALPACA_KEY \(or APCA_API_KEY_ID\): set it in the environment or in \.env/],
  ['a chunk size of 0 (it never ended)', [...BASE, '--features', 'open', '--chunk-size', '0'], {}, /option '--chunk-size <n>' argument '0' is invalid\. Expected an integer from 1 to 100000\./],
];

for (const [what, args, env, error] of BAD_INPUTS) {
  test(`stockcast backfill refuses ${what} (exit 1)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sc-cli-'));
    try {
      await writeFile(join(dir, 'empty.txt'), '\n# nothing\n');
      const r = await runCli(args, dir, { STOCKCAST_HOME: join(dir, 'home'), ...env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, error);
      for (const secret of Object.values(env)) assert.ok(!`${r.stdout}${r.stderr}`.includes(secret));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
