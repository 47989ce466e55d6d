import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openDuckDb, sqlString } from '../../src/store/duckdb-session.js';

/** One row of the seed's uniform format. */
export interface SeedRow {
  /** ISO time, UTC. */
  timestamp: string;
  value: string;
  type: string;
  updated: string;
  date: string;
  symbol: string;
  feature: string;
  timeFrame: string;
}

/**
 * Writes a Parquet file in the seed's shape with DuckDB: the eight uniform columns, feature and time_frame inside
 * the file. `timestamps` picks the physical type pandas would leave: UTC-adjusted microseconds (a tz-aware frame)
 * or naive nanoseconds (a tz-naive frame).
 */
export async function writeSeedParquet(path: string, rows: SeedRow[], timestamps: 'utc-micros' | 'naive-nanos' = 'utc-micros'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const { connection: db, close } = await openDuckDb();
  try {
    await db.run("SET TimeZone = 'UTC'");
    const ts = (iso: string) => (timestamps === 'utc-micros' ? `TIMESTAMPTZ ${sqlString(iso)}` : `CAST(TIMESTAMP ${sqlString(iso.replace('Z', ''))} AS TIMESTAMP_NS)`);
    const values = rows
      .map((r) => `(${ts(r.timestamp)}, ${sqlString(r.value)}, ${sqlString(r.type)}, ${ts(r.updated)}, DATE ${sqlString(r.date)}, ${sqlString(r.symbol)}, ${sqlString(r.feature)}, ${sqlString(r.timeFrame)})`)
      .join(',\n');
    await db.run(`COPY (SELECT * FROM (VALUES ${values}) t(timestamp, value, type, updated_timestamp, date, symbol, feature, time_frame))
      TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy)`);
  } finally {
    close();
  }
}

/** Seed rows of one feature for symbols × dates (NY midnight in winter = 05:00 UTC), values from `value(symbol, i)`. */
export function seedRows(o: { feature: string; type?: string; symbols: string[]; dates: string[]; updated: string; value: (symbol: string, i: number) => string; timeFrame?: string }): SeedRow[] {
  return o.symbols.flatMap((symbol) =>
    o.dates.map((date, i) => ({
      timestamp: `${date}T05:00:00Z`,
      value: o.value(symbol, i),
      type: o.type ?? 'float',
      updated: o.updated,
      date,
      symbol,
      feature: o.feature,
      timeFrame: o.timeFrame ?? 'Day',
    })),
  );
}
