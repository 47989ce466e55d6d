import { stat } from 'node:fs/promises';
import type { Bar } from '../core/types.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { openDuckDb, sqlIdent, sqlString } from '../store/duckdb-session.js';
import type { BarRequest, BarResult, MarketDataSource } from './market-data-source.js';

/**
 * One index series from a CSV with header DATE, OPEN, HIGH, LOW, CLOSE (any case; the format of CBOE's VIX
 * history, `../shared/data/vix-daily-2015-2018.csv`), served under the symbol it is constructed with.
 */
export class IndexCsvSource implements MarketDataSource {
  readonly name: string;
  private cache: Promise<Bar[]> | undefined;

  constructor(
    private readonly path: string,
    private readonly symbol: string,
  ) {
    this.name = `index CSV ${path}`;
  }

  /** {@inheritDoc MarketDataSource.fetchBars} */
  async fetchBars(request: BarRequest): Promise<BarResult> {
    if (formatTimeFrame(request.timeFrame) !== '1Day') throw new Error(`${this.path} holds daily index values only`);
    const all = await (this.cache ??= this.read().catch((err: unknown) => {
      this.cache = undefined;
      throw err;
    }));
    const [first, last] = [nyDate(request.start), nyDate(request.end)];
    const bars = new Map<string, Bar[]>();
    for (const s of request.symbols) bars.set(s, s === this.symbol ? all.filter((b) => nyDate(b.timestamp) >= first && nyDate(b.timestamp) <= last) : []);
    return { bars, failures: [] };
  }

  private async read(): Promise<Bar[]> {
    try {
      if ((await stat(this.path)).isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    } catch (err) {
      throw new Error(`cannot read index CSV ${this.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const { connection: db, close } = await openDuckDb();
    const csv = (extra: string) => `read_csv(${sqlString(this.path)}, header = true, delim = ','${extra})`;
    try {
      const names = (await db.runAndReadAll(`DESCRIBE SELECT * FROM ${csv(', all_varchar = true')}`)).getRows().map((r) => String(r[0]));
      const cols = new Map(names.map((n) => [n.trim().toLowerCase(), n]));
      const missing = ['date', 'open', 'high', 'low', 'close'].filter((c) => !cols.has(c));
      if (missing.length > 0) throw new Error(`${this.path}: missing column(s) ${missing.join(', ')}; an index CSV has DATE, OPEN, HIGH, LOW, CLOSE`);
      const types = ['open', 'high', 'low', 'close'].map((c) => `${sqlString(cols.get(c)!)}: 'DOUBLE'`).concat(`${sqlString(cols.get('date')!)}: 'DATE'`).join(', ');
      const c = (n: string) => sqlIdent(cols.get(n)!);
      const rows = (
        await db.runAndReadAll(`SELECT strftime(${c('date')}, '%Y-%m-%d'), ${c('open')}, ${c('high')}, ${c('low')}, ${c('close')} FROM ${csv(`, types = {${types}}, dateformat = '%Y-%m-%d', store_rejects = true`)} ORDER BY 1`)
      ).getRows();
      const rejects = (await db.runAndReadAll('SELECT line::DOUBLE, error_message FROM reject_errors ORDER BY line LIMIT 1')).getRows();
      if (rejects.length > 0) throw new Error(`${this.path}:${Number(rejects[0]![0])}: ${String(rejects[0]![1])}`);
      return rows.map((r) => ({ symbol: this.symbol, timestamp: nyMidnightUtc(String(r[0])), open: Number(r[1]), high: Number(r[2]), low: Number(r[3]), close: Number(r[4]), volume: 0 }));
    } finally {
      close();
    }
  }
}
