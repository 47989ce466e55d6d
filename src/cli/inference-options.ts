/**
 * `--backend` and `--threads` of the commands that run a trained model's forward passes (predict, explain,
 * forecast, trade), and the engine they pick: native on every core where the addon is built, else TensorFlow.js
 * on a pool of wasm worker threads.
 */
import type { Command } from 'commander';
import type { EngineFactory } from '../model/inference-engine.js';
import type { Runtime } from './runtime.js';

const BACKENDS = ['auto', 'native', 'wasm', 'cpu', 'tensorflow'];
/** Most threads `--threads` accepts. */
const MAX_THREADS = 64;

/** What those commands take from the command line. */
export interface InferenceFlags {
  backend?: string;
  threads?: number;
}

/** `--threads`: an integer from 1 to 64, or a readable error naming the flag. */
export function parseThreads(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new Error(`--threads: expected an integer from 1 to ${MAX_THREADS}, got "${value}"`);
  return n;
}

/** `--backend`: one of BACKENDS, or a readable error naming the flag (checked on parsing, even when no forward pass runs). */
export function parseBackend(value: string): string {
  if (!BACKENDS.includes(value)) throw new Error(`--backend: expected ${BACKENDS.join(', ')}, got "${value}"`);
  return value;
}

/** Adds `--backend` and `--threads` to a command. */
export function inferenceOptions(command: Command): Command {
  return command
    .option('--backend <name>', 'auto (default: native where built, else wasm), native (compiled engine), wasm, cpu, or tensorflow (needs @tensorflow/tfjs-node)', parseBackend, 'auto')
    .option('--threads <n>', `threads the model's forward passes run on (native: its own thread pool; wasm/cpu: one TensorFlow.js instance per worker thread), an integer 1–${MAX_THREADS} (default: every core, up to 8)`, parseThreads);
}

/** Initialises the backend and picks the engine; `label` says which (`native, 2 threads`), printed on stderr unless `quiet`. */
export async function openInference(runtime: Runtime, flags: InferenceFlags, o: { quiet?: boolean } = {}): Promise<{ backend: string; threads: number; label: string; engine: EngineFactory }> {
  const name = parseBackend(flags.backend ?? 'auto');
  const backend = await runtime.tensorBackend(name, { native: true });
  const [{ defaultThreads }, { inferenceEngine }] = await Promise.all([import('../model/backend.js'), import('../model/inference-engines.js')]);
  const threads = flags.threads ?? (backend === 'tensorflow' ? 1 : defaultThreads());
  const label = `${backend}, ${threads} thread${threads === 1 ? '' : 's'}`;
  if (!o.quiet) process.stderr.write(`backend: ${label}\n`);
  return { backend, threads, label, engine: inferenceEngine(backend as Parameters<typeof inferenceEngine>[0], threads) };
}
