import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Tensor backends stockcast can run on. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';

/**
 * Selects the TensorFlow.js backend: `wasm` (default, SIMD, one core per process), `cpu` (pure JS, slow), or
 * `tensorflow` (native `@tensorflow/tfjs-node`, only where it installs). Returns the backend actually in use.
 */
export async function initBackend(name: BackendName | 'auto' = 'auto'): Promise<BackendName> {
  // production mode: no debug checks, and no banner urging the native backend on every run
  tf.enableProdMode();
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
