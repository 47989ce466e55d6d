import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvBarsSource } from '../../src/sources/csv-bars.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';

const CSV = 'date,symbol,open,high,low,close,adj_close,volume\r\n2018-01-03,AAPL,172.53,174.55,171.96,172.23,165.2,29517900\r\n2018-01-02,AAPL,170.16,172.3,169.26,172.26,165.2,25555900\r\n2018-01-02,MSFT,86.13,86.31,85.5,85.95,82.1,22483800\r\n';
const REQ = { symbols: ['AAPL', 'MSFT', 'NONE'], start: new Date('2018-01-01T05:00:00Z'), end: new Date('2018-01-02T05:00:00Z'), timeFrame: parseTimeFrame('1Day') };

test('reads gzip and plain CSV by header name, sorted, filtered by date, NY-midnight timestamps', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-csv-'));
  try {
    await writeFile(join(dir, 'a.csv.gz'), gzipSync(CSV));
    await writeFile(join(dir, 'a.csv'), CSV);
    for (const name of ['a.csv.gz', 'a.csv']) {
      const src = new CsvBarsSource(join(dir, name));
      assert.deepEqual(await src.listSymbols(), ['AAPL', 'MSFT']);
      const r = await src.fetchBars(REQ);
      assert.deepEqual(r.bars.get('AAPL')!.map((b) => [b.timestamp.toISOString(), b.open, b.volume]), [['2018-01-02T05:00:00.000Z', 170.16, 25555900]]);
      assert.deepEqual(r.bars.get('NONE'), []);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad CSV input names the file, the line and the field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-csv-'));
  try {
    await writeFile(join(dir, 'bad.csv'), 'symbol,date,open,high,low,close,volume\nAAPL,2018-01-02,abc,1,1,1,1\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'bad.csv')).fetchBars(REQ), /bad\.csv:2: column open must be a number, got "abc"/);
    await writeFile(join(dir, 'cols.csv'), 'symbol,date,open\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'cols.csv')).listSymbols(), /missing column\(s\) high, low, close, volume/);
    await assert.rejects(new CsvBarsSource(join(dir, 'nope.csv')).listSymbols(), /cannot read CSV file .*nope\.csv: ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
