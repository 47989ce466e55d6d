import * as tf from '@tensorflow/tfjs';
import { Random } from '../core/random.js';

/** Shape and position of one parameter inside a flat weight vector. */
export interface ParamEntry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** Stores created in this process so far: numbers each store's variable-name prefix. */
let storeCounter = 0;

/**
 * Every trainable parameter of a model under a stable name, created with a seeded initializer, so weights can
 * be saved, loaded and averaged across workers as one flat Float32Array.
 */
export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  /** Fixed, non-trainable tensors of the model's layers (interpolation and expansion matrices), freed with it. */
  private readonly fixed: tf.Tensor[] = [];
  private readonly rng: Random;
  /** tfjs registers variable names globally; a per-store prefix lets several models live in one process. */
  private readonly prefix = `m${++storeCounter}/`;

  constructor(seed: number) {
    this.rng = new Random(seed).fork('params');
  }

  /** Uniform(−limit, limit) weight. */
  uniformRange(name: string, shape: number[], limit: number): tf.Variable {
    return this.create(name, shape, () => (this.rng.uniform() * 2 - 1) * limit);
  }

  /** Uniform(−k, k) weight, k = 1/√fanIn (PyTorch's default for LSTM weights). */
  uniformFan(name: string, shape: number[], fanIn: number): tf.Variable {
    const k = 1 / Math.sqrt(fanIn);
    return this.create(name, shape, () => (this.rng.uniform() * 2 - 1) * k);
  }

  /** Standard-normal weight (PyTorch's default for embeddings). */
  normal(name: string, shape: number[]): tf.Variable {
    return this.create(name, shape, () => this.rng.normal());
  }

  /** A constant-filled parameter (zeros for biases, ones for LayerNorm gains). */
  constant(name: string, shape: number[], value: number): tf.Variable {
    return this.create(name, shape, () => value);
  }

  /** Keeps a fixed tensor a layer needs on every pass (not a parameter: never saved or trained); freed by `dispose`. */
  keepFixed<T extends tf.Tensor>(t: T): T {
    this.fixed.push(tf.keep(t));
    return t;
  }

  private create(name: string, shape: number[], draw: () => number): tf.Variable {
    if (this.vars.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = draw();
    // the variable holds its own reference to the data; the initial tensor is freed
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `${this.prefix}${name}`));
    this.vars.set(name, v);
    return v;
  }

  /** Total number of scalar parameters. */
  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** Names, shapes and offsets, in creation order. */
  manifest(): ParamEntry[] {
    const out: ParamEntry[] = [];
    let offset = 0;
    for (const [name, v] of this.vars) {
      out.push({ name, shape: v.shape, offset, size: v.size });
      offset += v.size;
    }
    return out;
  }

  /** All weights as one flat vector, in manifest order. */
  flatten(): Float32Array {
    const out = new Float32Array(this.count());
    let offset = 0;
    for (const v of this.vars.values()) {
      out.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    return out;
  }

  /** Loads weights from a flat vector written by `flatten` (checked against the manifest). */
  load(flat: Float32Array, manifest?: ParamEntry[]): void {
    const mine = this.manifest();
    if (manifest) {
      const a = JSON.stringify(mine.map((e) => [e.name, e.shape]));
      const b = JSON.stringify(manifest.map((e) => [e.name, e.shape]));
      if (a !== b) throw new Error('weights do not match this model (different architecture or hyperparameters)');
    }
    if (flat.length !== this.count()) throw new Error(`expected ${this.count()} weights, got ${flat.length}`);
    tf.tidy(() => {
      for (const e of mine) this.vars.get(e.name)!.assign(tf.tensor(flat.subarray(e.offset, e.offset + e.size), e.shape));
    });
  }

  /** Frees the variables and the layers' fixed tensors. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    for (const t of this.fixed.splice(0)) t.dispose();
  }
}
