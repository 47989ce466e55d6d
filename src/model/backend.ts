import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { loadNativeAddon, nativeAddonError } from './native/native-addon.js';

/** Backends stockcast can run on: TensorFlow.js backends, and `native`, stockcast's own compiled engine. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu' | 'native';

/** The cap of the default thread count. */
const DEFAULT_THREAD_CAP = 8;

/** Default thread count: every core, up to 8 (the model is small; more threads only add reduction work). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(DEFAULT_THREAD_CAP, availableParallelism()));
}

/** What the calling command can run on beyond TensorFlow.js. */
export interface BackendSupport {
  /** The command runs the model on the native engine when the backend is `native` (training, inference, benchmarks). */
  native?: boolean;
}

/**
 * Selects the backend: `native` (the compiled engine, every core; TensorFlow.js still holds the weights, on
 * wasm), `wasm` (SIMD, one core per process), `cpu` (pure JS, slow), `tensorflow` (`@tensorflow/tfjs-node`,
 * only where it installs) or `tensorflow-gpu` (`@tensorflow/tfjs-node-gpu`, CUDA, only where it installs). `auto` picks native where the command supports it and the addon is built, else
 * tensorflow where it is installed, else wasm. Returns the backend actually in use.
 */
export async function initBackend(name: BackendName | 'auto' = 'auto', support: BackendSupport = {}): Promise<BackendName> {
  if (name === 'native' || (name === 'auto' && support.native && loadNativeAddon())) {
    if (!support.native) throw new Error('backend "native" does not run this command: use --backend wasm');
    if (!loadNativeAddon()) throw new Error(`backend "native" is not available: ${nativeAddonError()}; use --backend wasm`);
    await initBackend('wasm');
    return 'native';
  }
  // production mode: no debug checks, and no banner urging the native backend on every run
  tf.enableProdMode();
  if (name === 'tensorflow-gpu') return initGpuBackend();
  if (name === 'tensorflow' || name === 'auto') {
    try {
      // optional native speed-up; not a dependency because its install downloads a binary
      await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/'));
      await tf.setBackend('tensorflow');
      await tf.ready();
      return 'tensorflow';
    } catch (err) {
      if (name === 'tensorflow') {
        throw new Error('backend "tensorflow" needs @tensorflow/tfjs-node, which is not installed here: use --backend wasm', { cause: err });
      }
    }
  }
  if (name === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const req = createRequire(import.meta.url);
  // load the .wasm binaries from the installed package (offline), not from a CDN
  wasm.setWasmPaths(`${dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  await tf.setBackend('wasm');
  await tf.ready();
  return 'wasm';
}

/** TensorFlow with CUDA through `@tensorflow/tfjs-node-gpu` (GPU instances; optional, its install downloads libtensorflow). */
async function initGpuBackend(): Promise<BackendName> {
  try {
    // registers the same `tensorflow` backend as tfjs-node, built against CUDA
    await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node-gpu'].join('/'));
    await tf.setBackend('tensorflow');
    await tf.ready();
    return 'tensorflow-gpu';
  } catch (err) {
    throw new Error('backend "tensorflow-gpu" needs @tensorflow/tfjs-node-gpu with CUDA 11.2 and cuDNN 8 (see "Scaling out" in the README), which is not installed here: use --backend native or wasm', { cause: err });
  }
}

/** True when an optional package can be imported from here (e.g. `@tensorflow/tfjs-node-gpu`). */
export function isPackageInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}
