import type { Bar } from '../core/types.js';
import type { WideFrame } from '../core/wide-frame.js';
import type { TimeFrame } from '../core/time-frame.js';
import { timeFeatureValue } from '../features/time-features.js';
import { BAR_FIELDS } from '../features/feature-rows.js';

/** Builds a wide frame straight from bars (bar fields + time features), for benchmarks and tests without a store. */
export function barsToWideFrame(bars: Map<string, Bar[]>, features: string[], timeFrame: TimeFrame): WideFrame {
  const symbols = [...bars.keys()].filter((s) => (bars.get(s)?.length ?? 0) > 0).sort();
  const n = symbols.reduce((a, s) => a + bars.get(s)!.length, 0);
  const symbolIndex = new Int32Array(n);
  const timestamps = new Float64Array(n);
  const columns = new Map(features.map((f) => [f, new Float64Array(n)]));
  const timeCache = new Map<string, number>();
  let i = 0;
  symbols.forEach((s, si) => {
    for (const b of bars.get(s)!) {
      symbolIndex[i] = si;
      timestamps[i] = b.timestamp.getTime();
      for (const [f, col] of columns) {
        const get = BAR_FIELDS[f];
        if (get) col[i] = get(b);
        else {
          const key = `${f}|${timestamps[i]}`;
          let v = timeCache.get(key);
          if (v === undefined) {
            v = timeFeatureValue(f, b.timestamp, timeFrame);
            timeCache.set(key, v);
          }
          col[i] = v;
        }
      }
      i++;
    }
  });
  return { symbols, symbolIndex, timestamps, columns, length: n };
}
