import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ageLeftovers, discard, featureRows, killed, leftovers, ok, scratch, stockcast, tempFoldersOf, type KillPoint } from './harness.js';

// `kill -9` of a backfill at several points, then the same command again: it completes, and the store holds
// exactly what an uninterrupted run stores: no duplicate, no missing row, no corrupt file, nothing left over.

const CSV = fileURLToPath(new URL('../fixtures/sp500-6-symbols-2015-2018.csv.gz', import.meta.url));
const backfill = (symbols: string) => ['backfill', '--source', 'csv', '--csv', CSV, '--symbols', symbols, '--features', 'open,close,day_of_week', '--start', '2017-01-01', '--end', '2018-12-31', '--chunk-size', '1'];
const RUN = backfill('AAPL,JNJ,JPM,KO');
// 4 one-symbol steps × 3 features × 2 years: 24 partition writes
const PARTITION = '\\.parquet$';

describe('backfill killed with SIGKILL, then re-run', () => {
  let reference: Record<string, string[]> = {};

  before(async () => {
    const dir = await scratch();
    try {
      await ok(dir, RUN);
      reference = await featureRows(join(dir, 'home'));
      assert.deepEqual(Object.keys(reference), ['close', 'day_of_week', 'open']);
      assert.equal(reference.open!.length, 4 * 502, '4 symbols × 502 trading days');
    } finally {
      await discard(dir);
    }
  });

  const points: Array<[string, KillPoint]> = [
    ['after the first partition write', { match: PARTITION, count: 1 }],
    ['with a partition written but not yet renamed into place', { match: PARTITION, count: 9, when: 'before' }],
    ['after the last write of a step, before its checkpoint', { match: PARTITION, count: 18 }],
    ['at a moment while writing (60 ms after the 5th write)', { match: PARTITION, count: 5, delayMs: 60 }],
  ];
  for (const [when, point] of points) {
    test(`killed ${when}: the re-run completes with the reference content and cleans up`, async () => {
      const dir = await scratch();
      try {
        const dead = await killed(dir, RUN, point);
        await ageLeftovers(join(dir, 'home'), dead.pid);
        const again = await ok(dir, RUN);
        assert.match(again.stdout, /no failures/);
        assert.deepEqual(await featureRows(join(dir, 'home')), reference);
        assert.deepEqual(await leftovers(join(dir, 'home')), [], 'no temp file or lock is left');
        assert.deepEqual(await tempFoldersOf(dead.pid), [], 'no temp folder of the killed run is left');
        assert.deepEqual(await readdir(join(dir, 'home', 'checkpoints')), [], 'the finished request forgot its checkpoint');
      } finally {
        await discard(dir);
      }
    });
  }

  test('two backfills at once, one killed while it holds a partition lock: the other finishes, the re-run restores all', async () => {
    const dir = await scratch();
    try {
      const other = backfill('KO,MSFT,XOM');
      // killed right after a partition rename, i.e. inside that partition's lock: the survivor must break it
      const [dead, survivor] = await Promise.all([killed(dir, RUN, { match: PARTITION, count: 6 }), stockcast(dir, other)]);
      assert.equal(survivor.code, 0, survivor.stderr);
      await ageLeftovers(join(dir, 'home'), dead.pid);
      await ok(dir, RUN);
      const rows = await featureRows(join(dir, 'home'));
      for (const f of Object.keys(reference)) {
        const symbols = new Set(rows[f]!.map((r) => r.split(' ')[0]));
        assert.deepEqual([...symbols].sort(), ['AAPL', 'JNJ', 'JPM', 'KO', 'MSFT', 'XOM'], `feature ${f}`);
        assert.equal(rows[f]!.length, 6 * 502, `feature ${f}: every row once`);
        assert.deepEqual(rows[f]!.filter((r) => /^(AAPL|JNJ|JPM|KO) /.test(r)), reference[f], `feature ${f}: the killed run's rows as in the reference`);
      }
      assert.deepEqual(await leftovers(join(dir, 'home')), []);
    } finally {
      await discard(dir);
    }
  });
});
