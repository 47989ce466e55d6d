import * as tf from '@tensorflow/tfjs';
import { Random } from '../../src/core/random.js';

/** One checked element: the hand-written (analytic) gradient beside the central difference. */
export interface GradientSample {
  input: string;
  index: number;
  analytic: number;
  numeric: number;
}

/**
 * Finite-difference check of the gradient of L = Σₖ Σ wₖ ⊙ outputsₖ with respect to `elements` random elements
 * of every variable; fixed random weights wₖ make every output element matter. Float32 limits a plain central
 * difference to ~1e-4 here (roundoff grows as the step shrinks, truncation as it grows), so: L is summed in
 * float64 from the float32 outputs, each difference is divided by the step actually stored in float32, and
 * steps h and h/2 are combined (Richardson) to cancel the truncation error, leaving ~1e-5 on a tiny problem.
 */
export function gradientCheck(o: { vars: Record<string, tf.Variable>; outputs: () => tf.Tensor[]; elements?: number; step?: number; seed?: number }): GradientSample[] {
  const rng = new Random(o.seed ?? 1);
  const step = o.step ?? 5e-2;
  const shapes = tf.tidy(() => o.outputs().map((t) => t.shape));
  const weights = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
  const lossTensor = () => tf.addN(o.outputs().map((t, k) => tf.sum(tf.mul(t, tf.tensor(weights[k]!, shapes[k]!))))) as tf.Scalar;
  const loss64 = () =>
    tf.tidy(() =>
      o.outputs().reduce((sum, t, k) => {
        const v = t.dataSync();
        for (let i = 0; i < v.length; i++) sum += v[i]! * weights[k]![i]!;
        return sum;
      }, 0),
    );
  const names = Object.keys(o.vars);
  const analytic = tf.tidy(() => {
    const { grads } = tf.variableGrads(lossTensor, names.map((n) => o.vars[n]!));
    return Object.fromEntries(names.map((n) => [n, grads[o.vars[n]!.name]!.dataSync().slice()]));
  });
  const samples: GradientSample[] = [];
  for (const name of names) {
    const v = o.vars[name]!;
    const base = v.dataSync().slice() as Float32Array;
    const picks = new Set<number>();
    while (picks.size < Math.min(o.elements ?? 4, base.length)) picks.add(rng.int(base.length));
    for (const index of picks) {
      const at = (delta: number) => {
        const w = base.slice();
        w[index] = base[index]! + delta;
        v.assign(tf.tensor(w, v.shape));
        return { loss: loss64(), value: w[index]! };
      };
      const central = (h: number) => {
        const plus = at(h);
        const minus = at(-h);
        return (plus.loss - minus.loss) / (plus.value - minus.value);
      };
      // Richardson extrapolation: (4·D(h/2) − D(h)) / 3 cancels the h² error of central differences
      const numeric = (4 * central(step / 2) - central(step)) / 3;
      v.assign(tf.tensor(base, v.shape));
      samples.push({ input: name, index, analytic: analytic[name]![index]!, numeric });
    }
  }
  return samples;
}

/** The samples whose analytic and numeric gradients differ by more than atol + rtol·|numeric|. */
export function mismatches(samples: GradientSample[], atol: number, rtol: number): string[] {
  return samples
    .filter((s) => !(Math.abs(s.analytic - s.numeric) <= atol + rtol * Math.abs(s.numeric)))
    .map((s) => `${s.input}[${s.index}]: analytic ${s.analytic.toExponential(4)} vs numeric ${s.numeric.toExponential(4)}`);
}
