import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimeFrame } from '../core/time-frame.js';
import { CsvBarsSource } from '../sources/csv-bars.js';
import { LocalObjectStore } from '../store/local-object-store.js';
import { ParquetFeatureStore } from '../store/parquet-feature-store.js';
import { barsToBatch } from '../features/feature-rows.js';

const BAR_FEATURES = ['open', 'high', 'low', 'close', 'volume'];
const TIME_FEATURES = ['year', 'month', 'day_of_month', 'day_of_week'];

/**
 * Imports the whole S&P 500 daily CSV into a fresh feature store (bars + time features) and pivots all of it
 * back to a wide frame; reports seconds for each step and peak RSS.
 */
export async function benchFeatureStore(opts: { data: string }): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-'));
  try {
    const t0 = performance.now();
    const source = new CsvBarsSource(opts.data);
    const symbols = await source.listSymbols();
    const result = await source.fetchBars({
      symbols,
      start: new Date('1990-01-01T00:00:00Z'),
      end: new Date('2100-01-01T00:00:00Z'),
      timeFrame: parseTimeFrame('1Day'),
    });
    const tRead = performance.now();
    const batch = barsToBatch(result.bars, BAR_FEATURES, TIME_FEATURES, parseTimeFrame('1Day'), new Date());
    const tRows = performance.now();
    const store = await ParquetFeatureStore.open({ objects: new LocalObjectStore(dir), prefix: 'historical_data_v2' });
    const write = await store.write(batch);
    const tWrite = performance.now();
    const frame = await store.queryWide({ features: [...BAR_FEATURES, ...TIME_FEATURES], timeFrame: '1Day' });
    const tPivot = performance.now();
    const rewrite = await store.write(batch);
    const tRewrite = performance.now();
    await store.close();
    const longRows = batch.symbols.length * batch.values.size;
    return {
      data: opts.data,
      symbols: symbols.length,
      barRows: batch.symbols.length,
      longRows,
      parquetFiles: write.filesWritten,
      csvReadSeconds: round((tRead - t0) / 1000),
      longRowsBuildSeconds: round((tRows - tRead) / 1000),
      storeWriteSeconds: round((tWrite - tRows) / 1000),
      importPlusWriteSeconds: round((tWrite - t0) / 1000),
      pivotSeconds: round((tPivot - tWrite) / 1000),
      pivotRows: frame.length,
      pivotColumns: frame.columns.size,
      idempotentRewriteSeconds: round((tRewrite - tPivot) / 1000),
      idempotentRewriteChangedRows: [...rewrite.changedRows.values()].reduce((a, b) => a + b, 0),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      targets: { importPlusWriteSeconds: 30, pivotSeconds: 3, peakRssMB: 1536 },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
