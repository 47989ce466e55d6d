import { benchFeatureStore } from './feature-store-bench.js';
import { benchTft, type TftBenchOptions } from './tft-bench.js';
import { benchEvaluate } from './evaluate-bench.js';
import { benchTrade } from './trade-bench.js';
import { benchLedger } from './ledger-bench.js';
import { benchCompare } from './compare-bench.js';
import { benchS3Cache } from './s3-cache-bench.js';

/** Options every benchmark may read: the TFT benchmark's, and where `compare` finds the reference harness. */
export interface BenchOptions extends TftBenchOptions {
  referenceDir?: string;
}

const BENCHES: Record<string, (opts: BenchOptions) => Promise<Record<string, unknown>>> = {
  features: benchFeatureStore,
  tft: benchTft,
  evaluate: benchEvaluate,
  trade: benchTrade,
  ledger: benchLedger,
  's3-cache': benchS3Cache,
};
/** Run by name only (not by `all`): it needs the reference harness set up and runs for many minutes. */
const ON_REQUEST: Record<string, (opts: BenchOptions) => Promise<Record<string, unknown>>> = { compare: benchCompare };

/** Runs one benchmark (or all) and prints one JSON object per benchmark on stdout. */
export async function runBenchCommand(name: string, opts: BenchOptions): Promise<void> {
  const names = name === 'all' ? Object.keys(BENCHES) : [name];
  for (const n of names) {
    const bench = BENCHES[n] ?? ON_REQUEST[n];
    if (!bench) throw new Error(`unknown benchmark "${n}": expected one of ${[...Object.keys(BENCHES), ...Object.keys(ON_REQUEST)].join(', ')}, all`);
    const figures = await bench(opts);
    process.stdout.write(`${JSON.stringify({ bench: n, ...figures }, null, 2)}\n`);
  }
}
