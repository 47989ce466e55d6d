import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleComparison, stockcastFigures, type HarnessResult } from './compare.js';
import { benchConfig } from './tft-protocol.js';

/** Options of `bench compare`. */
export interface CompareOptions {
  data: string;
  config?: string;
  budgetMinutes?: number;
  referenceDir?: string;
  threads?: number;
  backend?: string;
  batches?: number;
  repeats?: number;
}

const PYTHON = '/usr/bin/python3';

/**
 * Runs the reference harness and stockcast one after the other on this machine (each in its own process, so
 * each peak RSS is its own) and returns one JSON object with both sets of figures and the ratios. Without a
 * budget: the throughput protocol; with one: also the budget runs.
 */
export async function benchCompare(opts: CompareOptions): Promise<Record<string, unknown>> {
  if (!opts.config) throw new Error('bench compare needs --config small or --config favourite');
  benchConfig(opts.config);
  const dir = resolve(opts.referenceDir ?? '.bench-ref');
  assertHarnessReady(dir);
  const data = resolve(opts.data);
  if (!existsSync(data)) throw new Error(`bench compare: no data file at ${data}: pass --data <path to sp500-daily-2015-2018.csv.gz>`);
  const loadBefore = loadavg();
  const common = [...(opts.batches !== undefined ? ['--batches', String(opts.batches)] : [])];
  const refThroughput = await runJson<HarnessResult>('reference throughput', PYTHON, [join(dir, 'bench.py'), '--data', data, '--config', opts.config, '--mode', 'throughput', ...common]);
  const ours = [join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js'), 'bench', 'tft', '--data', data, '--config', opts.config, ...common];
  if (opts.threads !== undefined) ours.push('--threads', String(opts.threads));
  if (opts.backend !== undefined) ours.push('--backend', opts.backend);
  if (opts.repeats !== undefined) ours.push('--repeats', String(opts.repeats));
  const scThroughput = await runJson<Record<string, unknown>>('stockcast throughput', process.execPath, ours);
  let refBudget: HarnessResult | null = null;
  let scBudget: Record<string, unknown> | null = null;
  if (opts.budgetMinutes) {
    const minutes = String(opts.budgetMinutes);
    refBudget = await runJson<HarnessResult>('reference budget', PYTHON, [join(dir, 'bench.py'), '--data', data, '--config', opts.config, '--mode', 'budget', '--minutes', minutes, ...common]);
    scBudget = await runJson<Record<string, unknown>>('stockcast budget', process.execPath, [...ours, '--budget-minutes', minutes, '--budget-only']);
  }
  return assembleComparison({
    config: opts.config,
    date: new Date().toISOString(),
    machine: machineInfo(loadBefore),
    budgetMinutes: opts.budgetMinutes ?? null,
    reference: { throughput: refThroughput, budget: refBudget },
    stockcast: stockcastFigures(opts.config, scThroughput, scBudget),
  });
}

/** The reference harness as shipped in the shared folder beside the project (absolute, so the hint can be pasted anywhere). */
export function sharedReferenceDir(): string {
  return resolve('..', 'shared', 'bench', 'reference');
}

/** Fails with the set-up steps unless the harness, its vendored sources and Debian's python are there. */
export function assertHarnessReady(dir: string): void {
  const missing = [join(dir, 'bench.py'), join(dir, 'vendor', 'site', 'pytorch_forecasting'), PYTHON].filter((p) => !existsSync(p));
  if (missing.length === 0) return;
  throw new Error(
    `the reference harness is not set up in ${dir} (missing ${missing.join(', ')}). Set it up once per machine, from the project root:\n` +
      `  cp -r ${sharedReferenceDir()} .bench-ref        # a git-ignored copy of the harness\n` +
      '  .bench-ref/setup.sh --mirror <dir>                # <dir>/<owner>+<name>/repo: bare clones of the four pinned repositories\n' +
      `setup.sh installs the Debian packages (python3-torch, …; needs root) and checks the imports; see ${join(sharedReferenceDir(), 'README.md')}.\n` +
      'Or point --reference-dir at an existing set-up copy.',
  );
}

/** Runs a benchmark process (its progress on our stderr) and parses the JSON it prints on stdout. */
function runJson<T>(what: string, command: string, args: string[]): Promise<T> {
  process.stderr.write(`compare: ${what}: ${command} ${args.join(' ')}\n`);
  return new Promise<T>((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`compare: ${what} failed (exit ${code}); its messages are above`));
      try {
        resolvePromise(parseLastJson(out) as T);
      } catch (err) {
        reject(new Error(`compare: ${what} printed no JSON result: ${(err as Error).message}`));
      }
    });
  });
}

/** The JSON a benchmark printed: one line (the harness) or one pretty-printed object (stockcast). */
export function parseLastJson(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const lastLine = trimmed.split('\n').at(-1) ?? '';
    return JSON.parse(lastLine);
  }
}

function machineInfo(loadBefore: number[]): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpus: cpu.length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageBefore: loadBefore.map((x) => Math.round(x * 100) / 100),
    loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
