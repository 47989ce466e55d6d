import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './params.js';
import { GatedResidualNetwork, Linear, ResampleNorm, type Mode } from './layers.js';
import { dense } from './ops.js';

/** One input variable of a variable selection network. */
export interface SelectedVariable {
  name: string;
  /** Width of the variable's embedding (categorical) or prescaled size (real). */
  size: number;
  categorical: boolean;
}

/** What a variable selection network selects from, and its sizes. */
export interface VsnOptions {
  vars: SelectedVariable[];
  hidden: number;
  dropout: number;
  /** Width of the static context fed to the weighting GRN, when there is one. */
  contextSize?: number;
  /** The model's shared prescalers of real variables, by name. */
  prescalers: Map<string, Linear>;
}

/**
 * Variable selection network: a GRN over all variables (flattened, with the static context) gives softmax
 * weights; each variable goes through its own GRN (reals) or ResampleNorm (categoricals) to the hidden width;
 * the output is the weighted sum. Inputs are [rows, size] tensors; reals arrive raw [rows, 1] and are prescaled.
 */
export class VariableSelectionNetwork {
  private readonly flattened?: GatedResidualNetwork;
  private readonly single = new Map<string, GatedResidualNetwork | ResampleNorm>();
  /** Constant [nVars, hidden] matrices broadcasting weight column i over the hidden width (no column slicing). */
  private readonly expand: tf.Tensor2D[];

  readonly vars: SelectedVariable[];
  readonly hidden: number;
  private readonly prescalers: Map<string, Linear>;

  constructor(p: ParamStore, name: string, o: VsnOptions) {
    const { vars, hidden, dropout } = o;
    this.vars = vars;
    this.hidden = hidden;
    this.prescalers = o.prescalers;
    const n = vars.length;
    if (n > 1) {
      const sizes = vars.map((v) => v.size);
      this.flattened = new GatedResidualNetwork(p, `${name}.flattened_grn`, { inSize: sizes, hidden: Math.min(hidden, n), outSize: n, dropout, contextSize: o.contextSize });
    }
    for (const v of vars) {
      const prefix = `${name}.single_variable_grns.${v.name}`;
      this.single.set(
        v.name,
        v.categorical
          ? new ResampleNorm(p, prefix, v.size, hidden)
          : new GatedResidualNetwork(p, prefix, { inSize: v.size, hidden: Math.min(v.size, hidden), outSize: hidden, dropout }),
      );
    }
    this.expand = vars.map((_, i) => {
      const m = new Float32Array(n * hidden);
      m.fill(1, i * hidden, (i + 1) * hidden);
      return p.keepFixed(tf.tensor2d(m, [n, hidden]));
    });
  }

  /** Returns the selected embedding [rows, hidden] and the variable weights [rows, nVars]. */
  apply(inputs: Map<string, tf.Tensor2D>, mode: Mode, context?: tf.Tensor2D): { output: tf.Tensor2D; weights: tf.Tensor2D } {
    const embedded = this.vars.map((v) => {
      const x = inputs.get(v.name);
      if (!x) throw new Error(`variable selection: missing input ${v.name}`);
      const pre = this.prescalers.get(v.name);
      return v.categorical || !pre ? x : pre.apply(x);
    });
    const outputs = this.vars.map((v, i) => this.single.get(v.name)!.apply(embedded[i]!, mode));
    if (!this.flattened) {
      return { output: outputs[0]!, weights: tf.onesLike(tf.slice(outputs[0]!, [0, 0], [-1, 1])) as tf.Tensor2D };
    }
    const weights = tf.softmax(this.flattened.apply(embedded, mode, context)) as tf.Tensor2D;
    let output = tf.mul(outputs[0]!, dense(weights, this.expand[0]!)) as tf.Tensor2D;
    for (let i = 1; i < outputs.length; i++) output = tf.add(output, tf.mul(outputs[i]!, dense(weights, this.expand[i]!))) as tf.Tensor2D;
    return { output, weights };
  }
}
