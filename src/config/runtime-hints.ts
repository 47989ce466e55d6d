/**
 * The seed's runtime keys (`accelerator`, `local_accelerator`, `devices`, `num_workers`, written for PyTorch
 * Lightning) mapped onto what stockcast can do: a GPU accelerator picks the tensorflow-gpu backend where it is
 * installed, num_workers sets the training threads; what has no counterpart is said, not silently dropped.
 */

/** The seed keys of a config this reads. */
export interface RuntimeKeys {
  accelerator?: string;
  localAccelerator?: string;
  devices?: number | string | number[];
  numWorkers?: number;
}

/** What training runs on, and why. */
export interface RuntimeChoice {
  /** A backend name for initBackend (`auto` unless a flag or the accelerator decides). */
  backend: string;
  threads: number;
  /** One line per key that was mapped or ignored. */
  notes: string[];
}

/** Facts about the run and the machine. */
export interface RuntimeFacts {
  /** Inside a SageMaker training job (its `accelerator` applies; elsewhere `local_accelerator` first). */
  inSageMaker: boolean;
  /** --backend, when given (not `auto`). */
  backendFlag?: string;
  /** --threads, when given. */
  threadsFlag?: number;
  cores: number;
  /** @tensorflow/tfjs-node-gpu can be imported here. */
  gpuBackendInstalled: boolean;
}

const GPU = new Set(['gpu', 'cuda']);
const CPU = new Set(['cpu', 'auto']);

/** Maps the config's runtime keys and the flags to a backend and a thread count, with a note per decision. */
export function runtimeChoice(keys: RuntimeKeys, facts: RuntimeFacts): RuntimeChoice {
  const notes: string[] = [];
  const key = facts.inSageMaker ? 'accelerator' : keys.localAccelerator !== undefined ? 'local_accelerator' : 'accelerator';
  const accelerator = (facts.inSageMaker ? keys.accelerator : (keys.localAccelerator ?? keys.accelerator))?.toLowerCase();
  let backend = facts.backendFlag && facts.backendFlag !== 'auto' ? facts.backendFlag : 'auto';
  if (backend !== 'auto') {
    if (accelerator !== undefined) notes.push(`${key} ${accelerator}: --backend ${backend} decides`);
  } else if (accelerator !== undefined && GPU.has(accelerator)) {
    if (facts.gpuBackendInstalled) {
      backend = 'tensorflow-gpu';
      notes.push(`${key} ${accelerator} → backend tensorflow-gpu (@tensorflow/tfjs-node-gpu)`);
    } else {
      notes.push(`${key} ${accelerator}: @tensorflow/tfjs-node-gpu is not installed here, so training runs on the CPU (native engine or wasm)`);
    }
  } else if (accelerator !== undefined && !CPU.has(accelerator)) {
    notes.push(`${key} ${accelerator}: no TensorFlow.js backend for it in Node; training runs on the CPU (native engine or wasm)`);
  }
  const deviceCount = Array.isArray(keys.devices) ? keys.devices.length : typeof keys.devices === 'number' ? keys.devices : 1;
  if (deviceCount > 1) notes.push(`devices ${JSON.stringify(keys.devices)}: ignored, stockcast trains on one device (CPU cores are --threads)`);
  return { backend, threads: chooseThreads(keys, facts, backend, notes), notes };
}

/** --threads, else one for a GPU, else num_workers (capped at the cores), else up to 2. */
function chooseThreads(keys: RuntimeKeys, facts: RuntimeFacts, backend: string, notes: string[]): number {
  if (facts.threadsFlag !== undefined) return facts.threadsFlag;
  if (backend === 'tensorflow-gpu') {
    if (keys.numWorkers) notes.push(`num_workers ${keys.numWorkers}: ignored on the GPU (one process feeds it)`);
    return 1;
  }
  if (keys.numWorkers && keys.numWorkers > 0) {
    const threads = Math.min(keys.numWorkers, facts.cores);
    notes.push(`num_workers ${keys.numWorkers} → ${threads} training thread(s)${threads < keys.numWorkers ? ` (${facts.cores} cores here)` : ''}`);
    return threads;
  }
  return Math.min(2, facts.cores);
}
