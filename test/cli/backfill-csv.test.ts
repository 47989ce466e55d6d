import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { overnightJumps } from '../../src/features/price-checks.js';

// X splits 2:1 before the open of 2020-01-06: raw prices halve, adj_close already carries the split
const BARS = [
  'symbol,date,open,high,low,close,adj_close,volume',
  'X,2020-01-02,100,102,99,100,50,1000',
  'X,2020-01-03,100,101,98,100,50,1000',
  'X,2020-01-03,100,101,98,100,50,1000',
  'X,2020-01-06,50,51,49,50,50,2000',
  'Y,2020-01-02,10,11,9,10,10,500',
  'Y,2020-01-02,10.5,11,9,10,10,500',
  'Y,2020-01-03,10,11,9,10,10,500',
  'Y,2020-01-06,10,11,9,10,10,500',
].join('\n');

let dir = '';
const cli = (...args: string[]) => runCli(args, dir);
const BASE = ['backfill', '--source', 'csv', '--csv', 'bars.csv', '--start', '2020-01-01', '--end', '2020-01-31'];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sc-csvcli-'));
  await writeFile(join(dir, 'bars.csv'), `${BARS}\n`);
  await writeFile(join(dir, 'earnings.csv'), 'symbol,date,surprise\nX,2020-01-03,12.5\nY,2020-01-06,\n');
});
after(() => rm(dir, { recursive: true, force: true }));

test('overnight jumps beyond 40 % by hand', () => {
  const bar = (d: string, open: number, close: number) => ({ symbol: 'X', timestamp: new Date(`${d}T05:00:00Z`), open, high: open, low: open, close, volume: 1 });
  const jumps = overnightJumps('X', [bar('2020-01-02', 100, 100), bar('2020-01-03', 59, 60), bar('2020-01-06', 61, 61), bar('2020-01-07', 90, 90)]);
  assert.deepEqual(jumps.map((j) => [j.date, Math.round(j.move * 1000) / 1000]), [['2020-01-03', -0.41], ['2020-01-07', 0.475]]);
});

test('backfill --adjust none: the unadjusted split is listed as a suspicious jump; duplicates are counted and conflicts named', async () => {
  const raw = await cli(...BASE, '--features', 'open,close', '--adjust', 'none');
  assert.equal(raw.code, 0, raw.stderr);
  assert.match(raw.stdout, /^prices: raw, not adjusted for splits or dividends$/m);
  assert.match(raw.stdout, /^duplicates: 2 repeated input row\(s\) merged$/m);
  assert.match(raw.stdout, /^CONFLICTING duplicates: 1 \(symbol, date\) with differing rows; the last row was kept: Y 2020-01-02 \(2 rows\)$/m);
  assert.match(raw.stdout, /^suspicious overnight moves over 40 % \(1 in 1 symbol\(s\); unadjusted splits\? see --adjust\):\n {2}X: 2020-01-06 -50\.0 %$/m);
});

test('backfill from a CSV with adj_close adjusts by default: no jump is left', async () => {
  const adjusted = await cli(...BASE, '--features', 'open,close');
  assert.equal(adjusted.code, 0, adjusted.stderr);
  assert.match(adjusted.stdout, /^prices: adjusted for splits and dividends/m);
  assert.doesNotMatch(adjusted.stdout, /suspicious/);
});

test('earnings for real bars: from an earnings CSV; synthetic ones only when asked by name, with a warning', async () => {
  const fromCsv = await cli(...BASE, '--features', 'open,is_earnings_day,surprise', '--earnings-csv', 'earnings.csv');
  assert.equal(fromCsv.code, 0, fromCsv.stderr);
  assert.match(fromCsv.stdout, /is_earnings_day\s+42\s+42/, 'two symbols × the 21 trading days of January 2020');
  assert.doesNotMatch(fromCsv.stderr, /WARNING/);
  // asked for by name: a warning, and the store's provenance then refuses the invented rows over the real ones
  const invented = await cli(...BASE, '--features', 'open,is_earnings_day', '--earnings-source', 'synthetic');
  assert.equal(invented.code, 1, invented.stderr);
  assert.match(invented.stderr, /WARNING: --earnings-source synthetic invents earnings dates and surprises for real csv bars/);
  assert.match(invented.stderr, /refusing to write synthetic rows: .*real data from earnings-csv for X, Y \(.*is_earnings_day/);
  const bad = await cli(...BASE, '--features', 'open', '--earnings-source', 'made-up');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /option '--earnings-source <name>' argument 'made-up' is invalid\. Expected one of nasdaq, csv, synthetic\./);
  const noFile = await cli(...BASE, '--features', 'open', '--csv', 'missing.csv.gz');
  assert.equal(noFile.code, 1);
  assert.match(noFile.stderr, /cannot read CSV file missing\.csv\.gz: ENOENT/);
});
