import { stat } from 'node:fs/promises';
import type { EarningsEvent } from '../core/types.js';
import { nyDate } from '../core/ny-time.js';
import { openDuckDb, sqlIdent, sqlString } from '../store/duckdb-session.js';
import type { EarningsResult, EarningsSource } from './earnings-source.js';
import type { ProgressFn } from './market-data-source.js';

/**
 * Earnings dates from your own CSV (plain or gzip): header symbol, date[, surprise] — surprise in percentage
 * points, empty when unknown — read by DuckDB's read_csv. A bad line is an error naming the file and the line.
 */
export class CsvEarningsSource implements EarningsSource {
  readonly name = 'earnings-csv';
  private cache: Promise<EarningsEvent[]> | undefined;

  constructor(private readonly path: string) {}

  /** {@inheritDoc EarningsSource.fetchEarnings} */
  async fetchEarnings(symbols: string[], start: Date, end: Date, onProgress?: ProgressFn): Promise<EarningsResult> {
    const all = await (this.cache ??= this.read().catch((err: unknown) => {
      this.cache = undefined;
      throw err;
    }));
    const wanted = new Set(symbols);
    const [first, last] = [nyDate(start), nyDate(end)];
    const events = all.filter((e) => wanted.has(e.symbol) && e.date >= first && e.date <= last);
    onProgress?.(symbols.length, symbols.length);
    return { events, failures: [] };
  }

  private async read(): Promise<EarningsEvent[]> {
    try {
      if ((await stat(this.path)).isDirectory()) throw new Error(`${this.path} is a directory: --earnings-csv needs a CSV file`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code) throw new Error(`cannot read earnings CSV ${this.path}: ${(err as NodeJS.ErrnoException).code}`);
      throw err;
    }
    const { connection: db, close } = await openDuckDb();
    const csv = (extra: string) => `read_csv(${sqlString(this.path)}, header = true, delim = ',', quote = '"', escape = '"'${extra})`;
    try {
      const names = (await db.runAndReadAll(`DESCRIBE SELECT * FROM ${csv(', all_varchar = true, store_rejects = true')}`)).getRows().map((r) => String(r[0]));
      const cols = new Map(names.map((n) => [n.trim().toLowerCase(), n]));
      const missing = ['symbol', 'date'].filter((c) => !cols.has(c));
      if (missing.length > 0) throw new Error(`${this.path}: missing column(s) ${missing.join(', ')}; an earnings CSV has symbol, date[, surprise]`);
      const types = [`${sqlString(cols.get('date')!)}: 'DATE'`, ...(cols.has('surprise') ? [`${sqlString(cols.get('surprise')!)}: 'DOUBLE'`] : [])].join(', ');
      const rows = (
        await db.runAndReadAll(`
          SELECT DISTINCT upper(trim(${sqlIdent(cols.get('symbol')!)})) AS s, strftime(${sqlIdent(cols.get('date')!)}, '%Y-%m-%d') AS d,
            ${cols.has('surprise') ? sqlIdent(cols.get('surprise')!) : 'NULL::DOUBLE'} AS surprise
          FROM ${csv(`, types = {${types}}, dateformat = '%Y-%m-%d', store_rejects = true`)} ORDER BY s, d`)
      ).getRows();
      const rejects = (await db.runAndReadAll('SELECT line::DOUBLE, error_message FROM reject_errors ORDER BY line LIMIT 1')).getRows();
      if (rejects.length > 0) throw new Error(`${this.path}:${Number(rejects[0]![0])}: ${String(rejects[0]![1])}`);
      return rows.filter((r) => r[0] && r[1]).map((r) => ({ symbol: String(r[0]), date: String(r[1]), surprise: r[2] === null || !Number.isFinite(Number(r[2])) ? null : Number(r[2]) }));
    } finally {
      close();
    }
  }
}
