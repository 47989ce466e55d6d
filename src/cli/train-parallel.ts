/**
 * `train --model-id a,b,c --parallel k`: one child `stockcast train` process per config, at most k at a time, each
 * with its own log file and checkpoints (so `--resume` continues every one), and one summary of them all.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomic } from '../core/atomic-file.js';
import { loadSettings } from '../config/settings.js';

/** Where a child train writes its result (JSON), so the parent need not parse its output. */
export const RESULT_VARIABLE = 'STOCKCAST_TRAIN_RESULT';

/** One model's outcome. */
export interface ModelRun {
  modelId: string;
  status: 'done' | 'failed' | 'interrupted' | 'not started';
  bestValLoss: number | null;
  naiveValLoss: number | null;
  stoppedBy: string | null;
  artifact: string | null;
  seconds: number;
  log: string;
  exitCode: number | null;
  error?: string;
}

/** Options of a parallel run: the ids, k, and the train flags every child gets. */
export interface ParallelOptions {
  modelIds: string[];
  parallel: number;
  /** Flags passed on to each child (`--config`, `--resume`, `--max-epochs`, …), without --model-id and --threads. */
  childArgs: string[];
  threads?: number;
  json?: boolean;
}

/** Trains the configs in child processes; prints progress lines and the summary; exit code 1 if any failed. */
export async function runParallelTraining(o: ParallelOptions): Promise<ModelRun[]> {
  const home = loadSettings().home;
  const logs = join(home, 'logs');
  await mkdir(logs, { recursive: true });
  const threads = o.threads ?? Math.max(1, Math.floor(availableParallelism() / o.parallel));
  const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
  say(`training ${o.modelIds.length} model(s), ${o.parallel} at a time, ${threads} thread(s) each; logs in ${logs}`);
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.on('SIGINT', onSigint);
  const queue = [...o.modelIds];
  const runs: ModelRun[] = [];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      runs.push(interrupted ? notStarted(id, logs) : await trainChild(id, { ...o, threads, logs, say }));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(o.parallel, o.modelIds.length) }, worker));
  } finally {
    process.off('SIGINT', onSigint);
  }
  const ordered = o.modelIds.map((id) => runs.find((r) => r.modelId === id)!);
  const summaryFile = join(logs, 'train-summary.json');
  await writeFileAtomic(summaryFile, JSON.stringify({ finishedAt: new Date().toISOString(), runs: ordered }, null, 1));
  process.stdout.write(o.json ? `${JSON.stringify(ordered, null, 2)}\n` : `${summaryTable(ordered)}\nsummary: ${summaryFile}\n`);
  if (ordered.some((r) => r.status === 'failed')) process.exitCode = 1;
  else if (ordered.some((r) => r.status !== 'done')) process.exitCode = 130;
  return ordered;
}

function notStarted(modelId: string, logs: string): ModelRun {
  return { modelId, status: 'not started', bestValLoss: null, naiveValLoss: null, stoppedBy: null, artifact: null, seconds: 0, log: join(logs, `train-${modelId}.log`), exitCode: null };
}

/** Runs `stockcast train --model-id <id>` with the shared flags, its output into the model's log. */
async function trainChild(modelId: string, o: ParallelOptions & { threads: number; logs: string; say: (line: string) => void }): Promise<ModelRun> {
  const run = notStarted(modelId, o.logs);
  const resultFile = join(o.logs, `train-${modelId}.result.json`);
  await rm(resultFile, { force: true });
  const started = Date.now();
  const args = [...process.execArgv, process.argv[1]!, 'train', '--model-id', modelId, '--threads', String(o.threads), ...o.childArgs];
  const child = spawn(process.execPath, args, { env: { ...process.env, [RESULT_VARIABLE]: resultFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  o.say(`[${modelId}] started (pid ${child.pid}), log ${run.log}`);
  const log = createWriteStream(run.log, { flags: 'a' });
  let lastError = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    log.write(`${line}\n`);
    const m = /^epoch (\d+) .*val (\S+)/.exec(line);
    if (m) o.say(`[${modelId}] epoch ${m[1]} val ${m[2]}`);
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    log.write(`${line}\n`);
    if (/^error: /.test(line)) lastError = line.slice(7);
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 130 : 1))));
  await new Promise<void>((resolve) => log.end(resolve));
  run.seconds = (Date.now() - started) / 1000;
  run.exitCode = code;
  const result = await readFile(resultFile, 'utf8').then((t) => JSON.parse(t) as Partial<ModelRun>, () => null);
  Object.assign(run, result ?? {});
  run.status = code === 0 && result ? 'done' : code === 130 ? 'interrupted' : 'failed';
  if (run.status === 'failed') run.error = lastError || `exited with code ${code}; see ${run.log}`;
  o.say(`[${modelId}] ${run.status}${run.status === 'failed' ? `: ${run.error}` : ''} after ${run.seconds.toFixed(0)} s`);
  return run;
}

/** The summary as a table: one line per model. */
export function summaryTable(runs: ModelRun[]): string {
  const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(4));
  const rows = runs.map((r) => [r.modelId, r.status, fmt(r.bestValLoss), fmt(r.naiveValLoss), r.stoppedBy ?? '-', `${r.seconds.toFixed(0)} s`, r.artifact ?? r.error ?? '-']);
  const header = ['model', 'status', 'best val', 'naive', 'stopped by', 'time', 'artifact / error'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
