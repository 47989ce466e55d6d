/**
 * `--backend` and `--threads` of the commands that run a trained model's forward passes (predict, explain,
 * forecast, trade), and the engine they pick: native on every core where the addon is built, else TensorFlow.js
 * on a pool of wasm worker threads.
 */
import type { Command } from 'commander';
import type { EngineFactory } from '../model/inference-engine.js';
import type { Runtime } from './runtime.js';
import { backendOption, flag, intFlag } from './flags.js';
import { logLine } from './output.js';

/** Most threads `--threads` accepts. */
const MAX_THREADS = 64;

/** What those commands take from the command line. */
export interface InferenceFlags {
  backend?: string;
  threads?: number;
}

/** Adds `--backend` and `--threads` to a command (both checked as the command line is read). */
export function inferenceOptions(command: Command): Command {
  return command
    .addOption(backendOption('auto (default: native where built, else wasm), native (compiled engine), wasm, cpu, or tensorflow (needs @tensorflow/tfjs-node)'))
    .addOption(flag('--threads <n>', `threads the model's forward passes run on (native: its own thread pool; wasm/cpu: one TensorFlow.js instance per worker thread), an integer 1–${MAX_THREADS} (default: every core, up to 8)`, intFlag({ min: 1, max: MAX_THREADS })));
}

/** Initialises the backend and picks the engine; `label` says which (`native, 2 threads`), printed on stderr unless `quiet`. */
export async function openInference(runtime: Runtime, flags: InferenceFlags, o: { quiet?: boolean } = {}): Promise<{ backend: string; threads: number; label: string; engine: EngineFactory }> {
  const backend = await runtime.tensorBackend(flags.backend ?? 'auto', { native: true });
  const [{ defaultThreads }, { inferenceEngine }] = await Promise.all([import('../model/backend.js'), import('../model/inference-engines.js')]);
  const threads = flags.threads ?? (backend === 'tensorflow' ? 1 : defaultThreads());
  const label = `${backend}, ${threads} thread${threads === 1 ? '' : 's'}`;
  if (!o.quiet) logLine(`backend: ${label}`);
  return { backend, threads, label, engine: inferenceEngine(backend as Parameters<typeof inferenceEngine>[0], threads) };
}
