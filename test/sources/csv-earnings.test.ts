import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvEarningsSource } from '../../src/sources/csv-earnings.js';

test('earnings from a CSV: the requested symbols in range, unknown surprise as null; a bad date names the line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-ecsv-'));
  try {
    await writeFile(join(dir, 'e.csv'), 'Symbol,Date,Surprise\nx,2020-01-03,12.5\nY,2020-01-06,\nZ,2020-01-07,1\nX,2021-01-04,3\n');
    const r = await new CsvEarningsSource(join(dir, 'e.csv')).fetchEarnings(['X', 'Y'], new Date('2020-01-01T05:00:00Z'), new Date('2020-12-31T05:00:00Z'));
    assert.deepEqual(r.events, [{ symbol: 'X', date: '2020-01-03', surprise: 12.5 }, { symbol: 'Y', date: '2020-01-06', surprise: null }]);
    assert.deepEqual(r.failures, []);
    await writeFile(join(dir, 'bad.csv'), 'symbol,date\nX,2020-01-03\nX,03/01/2020\n');
    await assert.rejects(new CsvEarningsSource(join(dir, 'bad.csv')).fetchEarnings(['X'], new Date(0), new Date()), /bad\.csv:3: .*03\/01\/2020/);
    await assert.rejects(new CsvEarningsSource(join(dir, 'none.csv')).fetchEarnings(['X'], new Date(0), new Date()), /cannot read earnings CSV .*none\.csv: ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
