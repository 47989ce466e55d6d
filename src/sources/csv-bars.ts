import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Bar } from '../core/types.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import { openDuckDb, sqlIdent, sqlString } from '../store/duckdb-session.js';
import type { BarQualityReport, BarRequest, BarResult, MarketDataSource, PriceAdjustment, ProgressFn } from './market-data-source.js';

const REQUIRED = ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;
const PRICES = ['open', 'high', 'low', 'close'] as const;

/** Options of the CSV source. */
export interface CsvBarsOptions {
  /** `all` scales open/high/low/close by adj_close/close and volume inversely; default: `all` when adj_close is present. */
  adjust?: PriceAdjustment;
}

/** The file read once: bars per symbol and what was noticed. */
interface Loaded {
  bars: Map<string, Bar[]>;
  duplicatesMerged: Map<string, number>;
  conflicts: BarQualityReport['conflictingDuplicates'];
  adjusted: PriceAdjustment;
}

/**
 * Bring-your-own daily bars: a CSV (plain or gzip) with header symbol, date, open, high, low, close, [adj_close,]
 * volume — the format of `../shared/data/*.csv.gz` — read by DuckDB's read_csv (quoted fields, any column order).
 * Prices are split- and dividend-adjusted from adj_close by default, duplicate rows are merged (the last one wins
 * and conflicting ones are reported), and every bad row is an error naming the file and the line.
 */
export class CsvBarsSource implements MarketDataSource {
  readonly name = 'csv';
  private cache: Promise<Loaded> | undefined;

  constructor(
    private readonly path: string,
    private readonly options: CsvBarsOptions = {},
  ) {}

  /** Every symbol in the file, sorted. */
  async listSymbols(): Promise<string[]> {
    return [...(await this.load()).bars.keys()].sort();
  }

  /** {@inheritDoc MarketDataSource.fetchBars} */
  async fetchBars(request: BarRequest, onProgress?: ProgressFn): Promise<BarResult> {
    if (formatTimeFrame(request.timeFrame) !== '1Day') {
      throw new Error(`CSV import holds daily bars only (time frame 1Day), not ${formatTimeFrame(request.timeFrame)}`);
    }
    const all = await this.load();
    const first = nyDate(request.start);
    const last = nyDate(request.end);
    const bars = new Map<string, Bar[]>();
    request.symbols.forEach((symbol, i) => {
      bars.set(symbol, (all.bars.get(symbol) ?? []).filter((b) => {
        const d = nyDate(b.timestamp);
        return d >= first && d <= last;
      }));
      onProgress?.(i + 1, request.symbols.length);
    });
    const wanted = new Set(request.symbols);
    const quality: BarQualityReport = {
      duplicatesMerged: request.symbols.reduce((a, s) => a + (all.duplicatesMerged.get(s) ?? 0), 0),
      conflictingDuplicates: all.conflicts.filter((c) => wanted.has(c.symbol) && c.date >= first && c.date <= last),
      adjusted: all.adjusted,
    };
    return { bars, failures: [], quality };
  }

  private load(): Promise<Loaded> {
    this.cache ??= this.read().catch((err: unknown) => {
      this.cache = undefined;
      throw err;
    });
    return this.cache;
  }

  private async read(): Promise<Loaded> {
    const gzip = await checkFile(this.path);
    const { connection: db, close } = await openDuckDb({ preserveOrder: true });
    try {
      const adjusted = await this.readTyped(db, gzip);
      await this.validate(db, adjusted, gzip);
      const { merged, conflicts, any } = await duplicates(db);
      return { bars: await typedBars(db, any), duplicatesMerged: merged, conflicts, adjusted };
    } finally {
      close();
    }
  }

  /**
   * Reads the file into table `typed` (symbol, date, prices, volume, adjustment factor `f`), DuckDB casting every
   * column; a malformed line or a value that does not parse is an error naming the line. Returns the adjustment.
   */
  private async readTyped(db: DuckDBConnection, gzip: boolean): Promise<PriceAdjustment> {
    const csv = (extra: string) => `read_csv(${sqlString(this.path)}, header = true, delim = ',', quote = '"', escape = '"', compression = ${sqlString(gzip ? 'gzip' : 'none')}${extra})`;
    let names: string[];
    try {
      names = (await db.runAndReadAll(`DESCRIBE SELECT * FROM ${csv(', all_varchar = true, store_rejects = true')}`)).getRows().map((r) => String(r[0]));
    } catch (err) {
      throw new Error(`${this.path}: cannot be read as CSV: ${firstLine((err as Error).message)}`);
    }
    const cols = new Map(names.map((n) => [n.trim().toLowerCase(), n]));
    const missing = REQUIRED.filter((c) => !cols.has(c));
    if (missing.length > 0) throw new Error(`${this.path}: missing column(s) ${missing.join(', ')}; required columns are ${REQUIRED.join(', ')} (and adj_close to adjust for splits and dividends)`);
    const adjusted = this.options.adjust ?? (cols.has('adj_close') ? 'all' : 'none');
    if (adjusted === 'all' && !cols.has('adj_close')) throw new Error(`${this.path}: --adjust all needs an adj_close column (or pass --adjust none for raw prices)`);
    const numeric = [...PRICES, 'volume', ...(cols.has('adj_close') ? ['adj_close'] : [])];
    const types = [...numeric.map((c) => `${sqlString(cols.get(c)!)}: 'DOUBLE'`), `${sqlString(cols.get('date')!)}: 'DATE'`, `${sqlString(cols.get('symbol')!)}: 'VARCHAR'`].join(', ');
    const col = (name: string) => sqlIdent(cols.get(name)!);
    try {
      await db.run(`
        CREATE TABLE typed AS SELECT upper(trim(${col('symbol')})) AS symbol, strftime(${col('date')}, '%Y-%m-%d') AS date,
          ${PRICES.map((p) => `${col(p)} AS ${p}`).join(', ')}, ${col('volume')} AS volume,
          ${adjusted === 'all' ? `${col('adj_close')} AS adj_close, ${col('adj_close')} / ${col('close')}` : 'NULL::DOUBLE AS adj_close, 1.0'} AS f
        FROM ${csv(`, types = {${types}}, dateformat = '%Y-%m-%d', store_rejects = true`)}`);
    } catch (err) {
      throw new Error(`${this.path}: cannot be read as CSV: ${firstLine((err as Error).message)}`);
    }
    const rejects = (await db.runAndReadAll('SELECT line::DOUBLE, error_type, error_message FROM reject_errors ORDER BY line LIMIT 1')).getRows();
    if (rejects.length > 0) {
      const [line, type, message] = rejects[0]!;
      const cast = /converting column "([^"]*)"\. Could not convert string "(.*)" to '(\w+)'/.exec(String(message));
      const what = cast ? `column ${cast[1]!.toLowerCase()} must be ${cast[3] === 'DATE' ? 'a date YYYY-MM-DD' : 'a number'}, got "${cast[2]}"` : `${String(type).toLowerCase()} (${String(message)})`;
      throw new Error(`${this.path}:${Number(line)}: ${what}`);
    }
    return adjusted;
  }

  /** Every row must have a symbol and positive, finite prices (volume ≥ 0); the first bad row is an error with its line. */
  private async validate(db: DuckDBConnection, adjusted: PriceAdjustment, gzip: boolean): Promise<void> {
    const checks: Array<[column: string, bad: string, expected: string]> = [
      ['symbol', `symbol IS NULL OR symbol = ''`, 'a symbol'],
      ['date', 'date IS NULL', 'a date YYYY-MM-DD'],
      ...[...PRICES, ...(adjusted === 'all' ? ['adj_close'] : [])].map((p): [string, string, string] => [p, `NOT coalesce(${p} > 0 AND isfinite(${p}), false)`, 'a positive price']),
      ['volume', `NOT coalesce(volume >= 0 AND isfinite(volume), false)`, 'a number >= 0'],
    ];
    const which = `CASE ${checks.map(([column, bad]) => `WHEN ${bad} THEN ${sqlString(column)}`).join(' ')} END`;
    const rows = (await db.runAndReadAll(`SELECT rid, col FROM (SELECT rowid::DOUBLE AS rid, ${which} AS col FROM typed) WHERE col IS NOT NULL ORDER BY rid LIMIT 1`)).getRows();
    if (rows.length === 0) return;
    const [rid, column] = [Number(rows[0]![0]), String(rows[0]![1])];
    const expected = checks.find((c) => c[0] === column)![2];
    const [value, symbol, date] = (await db.runAndReadAll(`SELECT ${sqlIdent(column)}::VARCHAR, symbol, date FROM typed WHERE rowid = ${rid}`)).getRows()[0]!;
    const line = await lineOfRecord(this.path, gzip, rid);
    const where = column === 'symbol' || column === 'date' ? '' : ` (symbol ${String(symbol)}, date ${String(date)})`;
    throw new Error(`${this.path}:${line ?? `record ${rid + 1}`}: column ${column} must be ${expected}, got ${JSON.stringify(value ?? '')}${where}`);
  }
}

/** A readable file: its gzip-ness from the magic bytes; a directory, a missing file or a truncated .gz is an error naming the path. */
async function checkFile(path: string): Promise<boolean> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new Error(`cannot read CSV file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (info.isDirectory()) throw new Error(`${path} is a directory: --csv needs a CSV file (.csv or .csv.gz)`);
  const handle = await open(path, 'r');
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  // DuckDB reads a truncated gzip stream as a shorter file without complaint: check the whole stream (and its CRC) first
  if (gzip) {
    try {
      await pipeline(createReadStream(path), createGunzip(), new Writable({ write: (_c, _e, done) => done() }));
    } catch (err) {
      throw new Error(`${path}: the gzip file is damaged or truncated (${(err as Error).message}); download or copy it again`);
    }
  }
  return gzip;
}

/** Duplicate (symbol, date) rows: how many were merged per symbol, and those whose values differ. */
async function duplicates(db: DuckDBConnection): Promise<{ merged: Map<string, number>; conflicts: BarQualityReport['conflictingDuplicates']; any: boolean }> {
  const merged = new Map<string, number>();
  const conflicts: BarQualityReport['conflictingDuplicates'] = [];
  const extra = Number((await db.runAndReadAll('SELECT (count(*) - count(DISTINCT (symbol, date)))::DOUBLE FROM typed')).getRows()[0]![0]);
  if (extra === 0) return { merged, conflicts, any: false };
  const rows = (
    await db.runAndReadAll(`
      SELECT symbol, date, count(*)::DOUBLE AS n, count(DISTINCT (open, high, low, close, volume, adj_close))::DOUBLE AS k
      FROM typed GROUP BY symbol, date HAVING count(*) > 1 ORDER BY symbol, date`)
  ).getRows();
  for (const [s, d, n, k] of rows) {
    merged.set(String(s), (merged.get(String(s)) ?? 0) + Number(n) - 1);
    if (Number(k) > 1) conflicts.push({ symbol: String(s), date: String(d), rows: Number(n) });
  }
  return { merged, conflicts, any: true };
}

/** The bars, one per (symbol, date) — the last row of the file wins — adjusted as asked, sorted by symbol and date. */
async function typedBars(db: DuckDBConnection, dedupe: boolean): Promise<Map<string, Bar[]>> {
  const from = dedupe ? '(SELECT *, row_number() OVER (PARTITION BY symbol, date ORDER BY rowid DESC) AS k FROM typed) WHERE k = 1' : 'typed';
  const result = await db.run(`SELECT symbol, date, open * f, high * f, low * f, close * f, volume / f FROM ${from} ORDER BY symbol, date`);
  const out = new Map<string, Bar[]>();
  const midnight = new Map<string, Date>();
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const v = Array.from({ length: 7 }, (_, i) => chunk.getColumnVector(i));
    for (let i = 0; i < chunk.rowCount; i++) {
      const symbol = v[0]!.getItem(i) as string;
      const date = v[1]!.getItem(i) as string;
      let ts = midnight.get(date);
      if (!ts) midnight.set(date, (ts = nyMidnightUtc(date)));
      let list = out.get(symbol);
      if (!list) out.set(symbol, (list = []));
      const n = (k: number) => v[k]!.getItem(i) as number;
      list.push({ symbol, timestamp: ts, open: n(2), high: n(3), low: n(4), close: n(5), volume: n(6) });
    }
  }
  return out;
}

/**
 * The line number of the `index`-th record (0-based, after the header), counting blank lines as DuckDB skips them;
 * only called to name the line of a bad row. A record spanning lines (a quoted newline) shifts the count.
 */
async function lineOfRecord(path: string, gzip: boolean, index: number): Promise<number | undefined> {
  const stream = gzip ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  let line = 0;
  let record = -1;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    if (record++ === index) {
      stream.destroy();
      return line;
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}
