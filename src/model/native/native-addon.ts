/**
 * Loads the compiled native TFT engine (native/build/stockcast_native.node, built by `npm run build:native`
 * at install). A missing or broken build is not an error here: callers fall back to tfjs-wasm and can show why.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** The model description the engine is built from. */
export interface NativeSpec {
  encoderLength: number;
  decoderLength: number;
  categoricals: Array<{ name: string; cardinality: number; embeddingSize: number; known: boolean }>;
  reals: Array<{ name: string; known: boolean }>;
  quantiles: number[];
  logTarget: boolean;
  hiddenSize: number;
  attentionHeads: number;
  hiddenContinuousSize: number;
  lstmLayers: number;
  dropout: number;
}

/** The batch arrays the engine reads (a TftBatch has them all). */
export interface NativeBatch {
  size: number;
  categorical: Int32Array;
  reals: Float32Array;
  encoderLengths: Int32Array;
  targetScale: Float32Array;
  targetRaw: Float32Array;
}

/** The addon's functions (native/src/addon.cpp). */
export interface NativeAddon {
  create(spec: NativeSpec, manifest: Array<{ name: string; shape: number[]; offset: number; size: number }>, threads: number, chunk: number): NativeHandle;
  gradients(h: NativeHandle, weights: Float32Array, batch: NativeBatch, seed: number, training: boolean): { loss: number; grads: Float32Array };
  gradients64(h: NativeHandle, weights: Float64Array, batch: NativeBatch, seed: number, training: boolean): { loss: number; grads: Float64Array };
  forward(h: NativeHandle, weights: Float32Array, batch: NativeBatch): { prediction: Float32Array; attention: Float32Array; encoderWeights: Float32Array; decoderWeights: Float32Array };
  dropoutFactors(seed: number, rate: number, n: number): Float32Array;
  info(): { simd: string; hardwareThreads: number };
}

/** Opaque engine handle. */
export type NativeHandle = { readonly __native: unique symbol };

/** Where the build script puts the addon, relative to the package root. */
export const NATIVE_ADDON_PATH = 'native/build/stockcast_native.node';

let cached: { addon?: NativeAddon; error?: string } | undefined;

function packageRoot(): string {
  // this file is src/model/native/*.ts or dist/model/native/*.js: the package root is three levels up
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** The addon, or undefined when it is not built or does not load (see `nativeAddonError`). */
export function loadNativeAddon(): NativeAddon | undefined {
  if (!cached) {
    const file = resolve(packageRoot(), NATIVE_ADDON_PATH);
    if (!existsSync(file)) {
      cached = { error: `${file} is not built (run \`npm run build:native\`; it needs g++)` };
    } else {
      try {
        cached = { addon: createRequire(import.meta.url)(file) as NativeAddon };
      } catch (err) {
        cached = { error: `${file} does not load: ${(err as Error).message}` };
      }
    }
  }
  return cached.addon;
}

/** Why the addon is unavailable, or undefined when it loaded. */
export function nativeAddonError(): string | undefined {
  loadNativeAddon();
  return cached?.error;
}

/** The addon, or an error that says why it is missing. */
export function requireNativeAddon(): NativeAddon {
  const addon = loadNativeAddon();
  if (!addon) throw new Error(`the native engine is not available: ${nativeAddonError()}`);
  return addon;
}
