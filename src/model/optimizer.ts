import * as tf from '@tensorflow/tfjs';

/** Adam (PyTorch's defaults: β1 0.9, β2 0.999, ε 1e-8) with state that can be saved in a checkpoint. */
export class Adam {
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();
  step = 0;

  constructor(public learningRate: number, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly eps = 1e-8) {}

  /** Applies one update to each variable from its gradient. */
  apply(vars: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>): void {
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, variable] of vars) {
        const g = grads.get(name);
        if (!g) continue;
        const m = this.slot(this.m, name, variable);
        const v = this.slot(this.v, name, variable);
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.mul(m, this.learningRate / c1), tf.add(tf.sqrt(tf.div(v, c2)), this.eps));
        variable.assign(tf.sub(variable, update));
      }
    });
  }

  private slot(map: Map<string, tf.Variable>, name: string, like: tf.Variable): tf.Variable {
    let s = map.get(name);
    if (!s) {
      s = tf.variable(tf.zerosLike(like), false);
      map.set(name, s);
    }
    return s;
  }

  /** The moments and step as plain arrays, in the order of `names`. */
  exportState(names: string[], sizes: number[]): { step: number; m: Float32Array; v: Float32Array } {
    const total = sizes.reduce((a, b) => a + b, 0);
    const m = new Float32Array(total);
    const v = new Float32Array(total);
    let off = 0;
    names.forEach((n, i) => {
      const mm = this.m.get(n);
      const vv = this.v.get(n);
      if (mm) m.set(mm.dataSync() as Float32Array, off);
      if (vv) v.set(vv.dataSync() as Float32Array, off);
      off += sizes[i]!;
    });
    return { step: this.step, m, v };
  }

  /** Restores what `exportState` produced. */
  importState(state: { step: number; m: Float32Array; v: Float32Array }, vars: Map<string, tf.Variable>): void {
    this.step = state.step;
    let off = 0;
    for (const [name, variable] of vars) {
      const shape = variable.shape;
      const n = variable.size;
      this.m.get(name)?.dispose();
      this.v.get(name)?.dispose();
      this.m.set(name, tf.variable(tf.tensor(state.m.subarray(off, off + n), shape), false));
      this.v.set(name, tf.variable(tf.tensor(state.v.subarray(off, off + n), shape), false));
      off += n;
    }
  }
}

/** Scales gradients so their global L2 norm is at most `maxNorm` (PyTorch's clip_grad_norm_); returns the norm. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const sq = tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))));
  const norm = Math.sqrt(sq.dataSync()[0]!);
  sq.dispose();
  if (maxNorm <= 0 || norm <= maxNorm) return { grads, norm };
  const factor = maxNorm / (norm + 1e-6);
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, tf.mul(g, factor));
  return { grads: out, norm };
}
