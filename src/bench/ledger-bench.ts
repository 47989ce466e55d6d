import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDbOrderLedger } from '../store/duckdb-order-ledger.js';
import type { LedgerRun } from '../store/order-ledger.js';

const WRITERS = 4;
const RUNS_PER_WRITER = 25;

/** A run of 20 orders, the size of a favourite-config run (10 sells, 10 buys). */
function sampleRun(modelId: string, i: number): LedgerRun {
  const date = new Date(Date.UTC(2025, 0, 2 + i)).toISOString().slice(0, 10);
  const orders = Array.from({ length: 20 }, (_, k) => ({ symbol: `S${k}`, quantity: 1.5, orderType: (k < 10 ? 'sell' : 'buy') as 'buy' | 'sell', clientOrderId: `sc-${modelId}-${i}-${k}`, status: 'filled' as const, filledQty: 1.5, filledAvgPrice: 100, brokerOrderId: `o-${k}` }));
  return { modelId, orderTimestamp: `${date}T05:00:00.000Z`, runDate: date, totalMoneyInvested: 1500, moneyAvailable: 25_000, runStatus: 'complete', orders, startedAt: date, updatedAt: date };
}

/**
 * The embedded ledger under concurrency: one process's write and read latency (ATTACH, transaction, DETACH),
 * then 4 writer processes (25 runs of 20 orders each, as 4 models trading at once) beside one reader process
 * listing every model's runs in a loop (`trade status`, the dashboard): wall time, per-operation latencies,
 * and whether every run landed.
 */
export async function benchLedger(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-ledger-'));
  try {
    const path = join(dir, 'ledger.duckdb');
    const ledger = await DuckDbOrderLedger.open(path);
    const write: number[] = [];
    const read: number[] = [];
    for (let i = 0; i < 40; i++) {
      let t = performance.now();
      await ledger.putRun(sampleRun('solo', i));
      write.push(performance.now() - t);
      t = performance.now();
      await ledger.listRuns('solo');
      read.push(performance.now() - t);
    }
    const t0 = performance.now();
    const writers = Array.from({ length: WRITERS }, (_, w) => child(path, 'write', `m${w + 1}`));
    let done = false;
    const reader = child(path, 'read', '', () => done);
    const results = await Promise.all(writers);
    done = true;
    const reads = await reader;
    const wall = performance.now() - t0;
    const landed = await Promise.all(Array.from({ length: WRITERS }, async (_, w) => (await ledger.listRuns(`m${w + 1}`)).length));
    await ledger.close();
    const writeLatencies = results.flat();
    return {
      singleProcess: { writeMs: stats(write), readMs: stats(read) },
      concurrent: { writers: WRITERS, runsPerWriter: RUNS_PER_WRITER, wallSeconds: round(wall / 1000), writeMs: stats(writeLatencies), readerOps: reads.length, readMs: stats(reads), runsLanded: landed.reduce((a, b) => a + b, 0), runsWritten: WRITERS * RUNS_PER_WRITER },
      note: 'CPU timings on a shared machine are noisy: medians and p95',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A child process that writes RUNS_PER_WRITER runs, or reads until told to stop; resolves with its latencies (ms). */
function child(path: string, mode: 'write' | 'read', modelId: string, stop?: () => boolean): Promise<number[]> {
  const module = pathToFileURL(join(import.meta.dirname, '..', 'store', 'duckdb-order-ledger.js')).href;
  const code = `
    const { DuckDbOrderLedger } = await import(${JSON.stringify(module)});
    const run = ${sampleRun.toString()};
    const out = [];
    if (${JSON.stringify(mode)} === 'write') {
      const l = await DuckDbOrderLedger.open(${JSON.stringify(path)});
      for (let i = 0; i < ${RUNS_PER_WRITER}; i++) { const t = performance.now(); await l.putRun(run(${JSON.stringify(modelId)}, i)); out.push(performance.now() - t); }
      await l.close();
    } else {
      const l = await DuckDbOrderLedger.open(${JSON.stringify(path)}, { readOnly: true });
      process.stdin.on('data', () => { process.stdout.write(JSON.stringify(out)); process.exit(0); });
      for (;;) { const t = performance.now(); for (const m of await l.listModels()) await l.listRuns(m); out.push(performance.now() - t); }
    }
    process.stdout.write(JSON.stringify(out));`;
  const p = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let text = '';
  p.stdout.on('data', (d: Buffer) => (text += d));
  if (stop) {
    const timer = setInterval(() => {
      if (stop()) {
        clearInterval(timer);
        p.stdin.write('stop\n');
      }
    }, 20);
  }
  return new Promise((resolve, reject) => p.on('close', (code) => (code === 0 ? resolve(JSON.parse(text) as number[]) : reject(new Error(`ledger bench ${mode} process exited ${code}`)))));
}

function stats(xs: number[]): { median: number; p95: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: round(s[Math.floor(s.length / 2)] ?? NaN), p95: round(s[Math.floor(s.length * 0.95)] ?? NaN), n: s.length };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
