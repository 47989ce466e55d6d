/**
 * Picks the engine a trained model forecasts with: the native engine on every core where the backend is
 * `native`; else TensorFlow.js, split over a pool of worker threads (one wasm instance each) when more than one
 * thread is asked for, or on this thread. `predict`, `explain`, `forecast`, `trade` and the benchmark all pick here.
 */
import type { BackendName } from './backend.js';
import type { EngineFactory } from './inference-engine.js';
import { TfjsEngine } from './tfjs-engine.js';
import { TfjsPoolEngine } from './tfjs-pool-engine.js';
import { NativeInferenceEngine } from './native/native-engine.js';

/** The engine factory for a backend (as initBackend returned it) and a thread count. */
export function inferenceEngine(backend: BackendName, threads: number): EngineFactory {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads: expected a positive integer, got ${threads}`);
  if (backend === 'native') return (source) => NativeInferenceEngine.create(source, { threads });
  // tfjs-node runs its kernels on every core by itself; wasm and cpu run on one core per instance
  if (threads > 1 && backend !== 'tensorflow') return (source) => TfjsPoolEngine.create(source, { threads, backend });
  return TfjsEngine.create;
}
