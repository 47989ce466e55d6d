import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import type { WideFrame } from '../core/wide-frame.js';

/**
 * Reads a DuckDB result of (symbol, ts, feature columns…), sorted by symbol then ts, chunk by chunk into the
 * typed columns of a WideFrame (no per-row objects).
 */
export async function readWideResult(result: DuckDBMaterializedResult, features: string[]): Promise<WideFrame> {
  const total = Number(result.rowCount);
  const symbolIndex = new Int32Array(total);
  const timestamps = new Float64Array(total);
  const columns = new Map<string, Float64Array>(features.map((f) => [f, new Float64Array(total)]));
  const targets = features.map((f) => columns.get(f)!);
  const symbols: string[] = [];
  let lastSymbol: string | null = null;
  let row = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    const symVec = chunk.getColumnVector(0);
    const tsVec = chunk.getColumnVector(1);
    for (let i = 0; i < n; i++) {
      const s = symVec.getItem(i) as string;
      if (s !== lastSymbol) {
        symbols.push(s);
        lastSymbol = s;
      }
      symbolIndex[row + i] = symbols.length - 1;
      timestamps[row + i] = tsVec.getItem(i) as number;
    }
    for (let c = 0; c < targets.length; c++) {
      const vec = chunk.getColumnVector(c + 2);
      const out = targets[c]!;
      for (let i = 0; i < n; i++) {
        const v = vec.getItem(i) as number | null;
        out[row + i] = v === null ? NaN : v;
      }
    }
    row += n;
  }
  return { symbols, symbolIndex, timestamps, columns, length: row };
}
