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
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);

async function inDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sc-csv-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('reads gzip and plain CSV by header name, sorted, filtered by date, NY-midnight timestamps; adjusted by default', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, 'a.csv.gz'), gzipSync(CSV));
    await writeFile(join(dir, 'a.csv'), CSV);
    for (const name of ['a.csv.gz', 'a.csv']) {
      const src = new CsvBarsSource(join(dir, name));
      assert.deepEqual(await src.listSymbols(), ['AAPL', 'MSFT']);
      const r = await src.fetchBars(REQ);
      const [bar] = r.bars.get('AAPL')!;
      assert.equal(bar!.timestamp.toISOString(), '2018-01-02T05:00:00.000Z');
      // adj_close / close = 165.2 / 172.26 scales every price; volume the other way
      const f = 165.2 / 172.26;
      close(bar!.open, 170.16 * f);
      close(bar!.high, 172.3 * f);
      close(bar!.low, 169.26 * f);
      close(bar!.close, 165.2);
      close(bar!.volume, 25555900 / f);
      assert.equal(r.quality?.adjusted, 'all');
      assert.deepEqual(r.bars.get('NONE'), []);
    }
    const raw = await new CsvBarsSource(join(dir, 'a.csv'), { adjust: 'none' }).fetchBars(REQ);
    assert.deepEqual(raw.bars.get('AAPL')!.map((b) => [b.open, b.close, b.volume]), [[170.16, 172.26, 25555900]]);
    assert.equal(raw.quality?.adjusted, 'none');
  }));

test('quoted fields, blank lines and no adj_close column (raw prices, unless --adjust all is asked for)', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, 'q.csv'), 'symbol,date,open,high,low,close,volume,note\n"AAPL",2018-01-02,"1,000.5",2,1,1.5,10,"split, 4:1"\n\nMSFT,2018-01-02,2,3,1,2.5,20,\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'q.csv')).listSymbols(), /q\.csv:2: column open must be a number, got "1,000\.5"$/);
    await writeFile(join(dir, 'q.csv'), 'symbol,date,open,high,low,close,volume,note\n"AAPL",2018-01-02,1000.5,2,1,1.5,10,"split, 4:1"\n\nMSFT,2018-01-02,2,3,1,2.5,20,\n');
    const r = await new CsvBarsSource(join(dir, 'q.csv')).fetchBars(REQ);
    assert.deepEqual(r.bars.get('AAPL')!.map((b) => b.open), [1000.5]);
    assert.deepEqual(r.bars.get('MSFT')!.map((b) => b.open), [2]);
    assert.equal(r.quality?.adjusted, 'none');
    await assert.rejects(new CsvBarsSource(join(dir, 'q.csv'), { adjust: 'all' }).listSymbols(), /q\.csv: --adjust all needs an adj_close column/);
  }));

test('duplicate rows are merged and counted; conflicting duplicates are reported and the last one kept', () =>
  inDir(async (dir) => {
    const rows = ['symbol,date,open,high,low,close,volume', 'AAPL,2018-01-02,1,2,1,1.5,10', 'AAPL,2018-01-02,1,2,1,1.5,10', 'MSFT,2018-01-02,2,3,1,2.5,20', 'MSFT,2018-01-02,2.2,3,1,2.5,20'];
    await writeFile(join(dir, 'd.csv'), `${rows.join('\n')}\n`);
    const r = await new CsvBarsSource(join(dir, 'd.csv')).fetchBars(REQ);
    assert.equal(r.quality?.duplicatesMerged, 2);
    assert.deepEqual(r.quality?.conflictingDuplicates, [{ symbol: 'MSFT', date: '2018-01-02', rows: 2 }]);
    assert.deepEqual(r.bars.get('MSFT')!.map((b) => b.open), [2.2], 'the later row wins');
    assert.equal(r.bars.get('AAPL')!.length, 1);
  }));

test('bad CSV input names the file, the line and the field', () =>
  inDir(async (dir) => {
    await writeFile(join(dir, 'bad.csv'), 'symbol,date,open,high,low,close,volume\nAAPL,2018-01-02,abc,1,1,1,1\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'bad.csv')).fetchBars(REQ), /bad\.csv:2: column open must be a number, got "abc"$/);
    await writeFile(join(dir, 'neg.csv'), 'symbol,date,open,high,low,close,volume\nAAPL,2018-01-02,1,1,1,1,1\n\nAAPL,2018-01-03,1,1,1,1,1\nAAPL,2018-01-04,-1,1,1,1,1\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'neg.csv')).listSymbols(), /neg\.csv:5: column open must be a positive price, got "-1\.0" \(symbol AAPL, date 2018-01-04\)$/);
    await writeFile(join(dir, 'zero.csv'), 'symbol,date,open,high,low,close,volume\nAAPL,2018-01-02,1,1,1,1,1\n\nAAPL,2018-01-03,1,1,1,0,1\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'zero.csv')).listSymbols(), /zero\.csv:4: column close must be a positive price, got "0\.0"/);
    await writeFile(join(dir, 'date.csv'), 'symbol,date,open,high,low,close,volume\nAAPL,2018-02-30,1,1,1,1,1\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'date.csv')).listSymbols(), /date\.csv:2: column date must be a date YYYY-MM-DD, got "2018-02-30"$/);
    await writeFile(join(dir, 'short.csv'), 'symbol,date,open,high,low,close,volume\nAAPL,2018-01-02,1,1,1,1,1\nAAPL,2018-01-03,1,1\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'short.csv')).listSymbols(), /short\.csv:3: missing columns \(Expected Number of Columns: 7 Found: 4\)/);
    await writeFile(join(dir, 'cols.csv'), 'symbol,date,open\n');
    await assert.rejects(new CsvBarsSource(join(dir, 'cols.csv')).listSymbols(), /missing column\(s\) high, low, close, volume/);
    await assert.rejects(new CsvBarsSource(join(dir, 'nope.csv')).listSymbols(), /cannot read CSV file .*nope\.csv: ENOENT/);
  }));

test('a directory or a truncated .gz is an error naming the path', () =>
  inDir(async (dir) => {
    await assert.rejects(new CsvBarsSource(dir).listSymbols(), (e: Error) => e.message === `${dir} is a directory: --csv needs a CSV file (.csv or .csv.gz)`);
    const whole = gzipSync(CSV.repeat(200));
    await writeFile(join(dir, 'cut.csv.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    await assert.rejects(new CsvBarsSource(join(dir, 'cut.csv.gz')).listSymbols(), /cut\.csv\.gz: the gzip file is damaged or truncated \(unexpected end of file\)/);
  }));
