import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Bar } from '../core/types.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { nyDate, nyMidnightUtc } from '../core/ny-time.js';
import type { BarRequest, BarResult, MarketDataSource, ProgressFn } from './market-data-source.js';

const REQUIRED = ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Bring-your-own daily bars: a CSV (plain or gzip) with header symbol, date, open, high, low, close,
 * [adj_close,] volume — the format of `../shared/data/*.csv.gz`. Columns are found by header name.
 */
export class CsvBarsSource implements MarketDataSource {
  readonly name = 'csv';
  private cache: Map<string, Bar[]> | undefined;

  constructor(private readonly path: string) {}

  /** Every symbol in the file, sorted. */
  async listSymbols(): Promise<string[]> {
    return [...(await this.load()).keys()].sort();
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
      const list = (all.get(symbol) ?? []).filter((b) => {
        const d = nyDate(b.timestamp);
        return d >= first && d <= last;
      });
      bars.set(symbol, list);
      onProgress?.(i + 1, request.symbols.length);
    });
    return { bars, failures: [] };
  }

  private async load(): Promise<Map<string, Bar[]>> {
    if (this.cache) return this.cache;
    const out = new Map<string, Bar[]>();
    const midnight = new Map<string, Date>();
    let header: Map<string, number> | undefined;
    let lineNo = 0;
    for await (const raw of createInterface({ input: await openMaybeGzip(this.path), crlfDelay: Infinity })) {
      lineNo++;
      const line = raw.trim();
      if (line.length === 0) continue;
      const cells = line.split(',');
      if (!header) {
        header = new Map(cells.map((c, i) => [c.trim().toLowerCase(), i]));
        const missing = REQUIRED.filter((c) => !header!.has(c));
        if (missing.length > 0) {
          throw new Error(`${this.path}: missing column(s) ${missing.join(', ')}; required columns are ${REQUIRED.join(', ')}`);
        }
        continue;
      }
      const col = (name: (typeof REQUIRED)[number]) => cells[header!.get(name)!] ?? '';
      const num = (name: (typeof REQUIRED)[number]) => {
        const v = Number(col(name));
        if (col(name) === '' || !Number.isFinite(v)) {
          throw new Error(`${this.path}:${lineNo}: column ${name} must be a number, got "${col(name)}"`);
        }
        return v;
      };
      const symbol = col('symbol').trim().toUpperCase();
      const date = col('date').trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`${this.path}:${lineNo}: column date must be YYYY-MM-DD, got "${date}"`);
      if (!symbol) throw new Error(`${this.path}:${lineNo}: column symbol is empty`);
      let ts = midnight.get(date);
      if (!ts) {
        ts = nyMidnightUtc(date);
        midnight.set(date, ts);
      }
      let list = out.get(symbol);
      if (!list) out.set(symbol, (list = []));
      list.push({ symbol, timestamp: ts, open: num('open'), high: num('high'), low: num('low'), close: num('close'), volume: num('volume') });
    }
    if (!header) throw new Error(`${this.path} is empty: expected a header line ${REQUIRED.join(',')}`);
    for (const list of out.values()) list.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    this.cache = out;
    return out;
  }
}

/** Opens a file as a text stream, gunzipping when it starts with the gzip magic bytes. */
async function openMaybeGzip(path: string): Promise<NodeJS.ReadableStream> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new Error(`cannot read CSV file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const stream = createReadStream(path);
  return magic[0] === 0x1f && magic[1] === 0x8b ? stream.pipe(createGunzip()) : stream;
}
