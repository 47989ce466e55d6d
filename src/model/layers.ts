/**
 * The TFT building blocks, as pytorch-forecasting defines them, on 2-D tensors [rows, features] (rows are
 * time-major: row = t·B + b). Each block owns its parameters under a stable name prefix.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './params.js';
import { dense, dropout, interpolationMatrix, layerNorm, scaleColumns } from './ops.js';

/** Whether a forward pass trains (dropout on) and which seed its dropout uses. */
export interface Mode {
  training: boolean;
  /** Returns a fresh dropout seed per call, so a seeded run is reproducible without reusing one mask. */
  nextSeed?: () => number;
}

/** A 2-D input, or the column blocks of one (a concatenation never materialised: concat/split are slow in wasm). */
export type Input = tf.Tensor2D | tf.Tensor2D[];

/** Linear layer x·W + b; over a block input it is Σ xᵢ·Wᵢ + b with Wᵢ the matching row blocks of W. */
export class Linear {
  readonly blocks: tf.Variable[];
  readonly b?: tf.Variable;
  constructor(p: ParamStore, name: string, inSizes: number | number[], readonly outSize: number, bias = true) {
    const sizes = typeof inSizes === 'number' ? [inSizes] : inSizes;
    const fanIn = sizes.reduce((a, c) => a + c, 0);
    this.blocks = sizes.map((n, i) => xavierBlock(p, sizes.length === 1 ? `${name}.weight` : `${name}.weight.${i}`, n, fanIn, outSize));
    if (bias) this.b = p.constant(`${name}.bias`, [outSize], 0);
  }
  apply(x: Input): tf.Tensor2D {
    const xs = Array.isArray(x) ? x : [x];
    let y = dense(xs[0]!, this.blocks[0] as tf.Tensor2D, this.b);
    for (let i = 1; i < xs.length; i++) y = tf.add(y, dense(xs[i]!, this.blocks[i] as tf.Tensor2D)) as tf.Tensor2D;
    return y;
  }
}

/** One row block of a Xavier-initialised [fanIn, fanOut] matrix. */
function xavierBlock(p: ParamStore, name: string, rows: number, fanIn: number, fanOut: number): tf.Variable {
  return p.uniformRange(name, [rows, fanOut], Math.sqrt(6 / (fanIn + fanOut)));
}

/** Gated linear unit: dropout → (x·Wa + ba) ⊙ σ(x·Wg + bg). Two matrices instead of one split (split is slow in wasm). */
export class GatedLinearUnit {
  private readonly a: Linear;
  private readonly g: Linear;
  constructor(p: ParamStore, name: string, inSize: number, readonly outSize: number, private readonly rate: number) {
    this.a = new Linear(p, `${name}.fc.a`, inSize, outSize);
    this.g = new Linear(p, `${name}.fc.gate`, inSize, outSize);
  }
  apply(x: tf.Tensor2D, mode: Mode): tf.Tensor2D {
    const d = dropout(x, this.rate, mode.training, mode.nextSeed?.());
    return tf.mul(this.a.apply(d), tf.sigmoid(this.g.apply(d))) as tf.Tensor2D;
  }
}

/** Resizes a feature vector by fixed linear interpolation (pytorch-forecasting's TimeDistributedInterpolation). */
class Interpolation {
  private readonly blocks: tf.Tensor2D[];
  constructor(p: ParamStore, inSizes: number | number[], outSize: number) {
    const sizes = typeof inSizes === 'number' ? [inSizes] : inSizes;
    const total = sizes.reduce((a, c) => a + c, 0);
    const m = interpolationMatrix(total, outSize);
    let row = 0;
    this.blocks = sizes.map((n) => {
      const block = p.keepFixed(tf.tensor2d(m.subarray(row * outSize, (row + n) * outSize), [n, outSize]));
      row += n;
      return block;
    });
  }
  apply(x: Input): tf.Tensor2D {
    const xs = Array.isArray(x) ? x : [x];
    let y = dense(xs[0]!, this.blocks[0]!);
    for (let i = 1; i < xs.length; i++) y = tf.add(y, dense(xs[i]!, this.blocks[i]!)) as tf.Tensor2D;
    return y;
  }
}

/** Total width of an input given its blocks' widths. */
export function widthOf(sizes: number | number[]): number {
  return typeof sizes === 'number' ? sizes : sizes.reduce((a, c) => a + c, 0);
}

/** Add & norm: LayerNorm(x + skip), the skip resized and optionally gated by a trainable mask. */
export class AddNorm {
  private readonly resample?: Interpolation;
  private readonly mask?: tf.Variable;
  private readonly gain: tf.Variable;
  private readonly bias: tf.Variable;
  constructor(p: ParamStore, name: string, size: number, skipSize = size, trainableAdd = true) {
    if (skipSize !== size) this.resample = new Interpolation(p, skipSize, size);
    if (trainableAdd) this.mask = p.constant(`${name}.mask`, [size], 0);
    this.gain = p.constant(`${name}.norm.weight`, [size], 1);
    this.bias = p.constant(`${name}.norm.bias`, [size], 0);
  }
  apply(x: tf.Tensor2D, skip: tf.Tensor2D): tf.Tensor2D {
    let s = this.resample ? this.resample.apply(skip) : skip;
    if (this.mask) s = scaleColumns(s, tf.mul(tf.sigmoid(this.mask), 2));
    return layerNorm(tf.add(x, s) as tf.Tensor2D, this.gain, this.bias);
  }
}

/** Gate, add and norm: AddNorm(GLU(x), skip). */
export class GateAddNorm {
  private readonly glu: GatedLinearUnit;
  private readonly addNorm: AddNorm;
  constructor(p: ParamStore, name: string, inSize: number, opts: { hidden?: number; skip?: number; trainableAdd?: boolean; dropout: number }) {
    const hidden = opts.hidden ?? inSize;
    this.glu = new GatedLinearUnit(p, `${name}.glu`, inSize, hidden, opts.dropout);
    this.addNorm = new AddNorm(p, `${name}.add_norm`, hidden, opts.skip ?? hidden, opts.trainableAdd ?? false);
  }
  apply(x: tf.Tensor2D, skip: tf.Tensor2D, mode: Mode): tf.Tensor2D {
    return this.addNorm.apply(this.glu.apply(x, mode), skip);
  }
}

/** Resample & norm: resize to the output width, gate by a trainable mask, LayerNorm. */
export class ResampleNorm {
  private readonly resample?: Interpolation;
  private readonly mask: tf.Variable;
  private readonly gain: tf.Variable;
  private readonly bias: tf.Variable;
  constructor(p: ParamStore, name: string, inSize: number | number[], outSize = widthOf(inSize)) {
    if (widthOf(inSize) !== outSize || Array.isArray(inSize)) this.resample = new Interpolation(p, inSize, outSize);
    this.mask = p.constant(`${name}.mask`, [outSize], 0);
    this.gain = p.constant(`${name}.norm.weight`, [outSize], 1);
    this.bias = p.constant(`${name}.norm.bias`, [outSize], 0);
  }
  apply(x: Input): tf.Tensor2D {
    const r = this.resample ? this.resample.apply(x) : (x as tf.Tensor2D);
    return layerNorm(scaleColumns(r, tf.mul(tf.sigmoid(this.mask), 2)), this.gain, this.bias);
  }
}

/** Sizes of a gated residual network. */
export interface GrnOptions {
  /** Input width, or the widths of its column blocks. */
  inSize: number | number[];
  hidden: number;
  outSize: number;
  dropout: number;
  /** Width of an optional context added before the ELU. */
  contextSize?: number;
}

/** Gated residual network: GateAddNorm(fc2(ELU(fc1(x) + context·Wc)), residual). */
export class GatedResidualNetwork {
  readonly inSize: number | number[];
  readonly outSize: number;
  private readonly resampleNorm?: ResampleNorm;
  private readonly fc1: Linear;
  private readonly context?: Linear;
  private readonly fc2: Linear;
  private readonly gateNorm: GateAddNorm;
  constructor(p: ParamStore, name: string, o: GrnOptions) {
    this.inSize = o.inSize;
    this.outSize = o.outSize;
    if (widthOf(o.inSize) !== o.outSize) this.resampleNorm = new ResampleNorm(p, `${name}.resample_norm`, o.inSize, o.outSize);
    this.fc1 = new Linear(p, `${name}.fc1`, o.inSize, o.hidden);
    if (o.contextSize !== undefined) this.context = new Linear(p, `${name}.context`, o.contextSize, o.hidden, false);
    this.fc2 = new Linear(p, `${name}.fc2`, o.hidden, o.hidden);
    this.gateNorm = new GateAddNorm(p, `${name}.gate_norm`, o.hidden, { hidden: o.outSize, skip: o.outSize, dropout: o.dropout });
  }
  /** `context` may be [rows, C] or [1, C] (broadcast: a static context without static variables). */
  apply(x: Input, mode: Mode, context?: tf.Tensor2D): tf.Tensor2D {
    const residual = this.resampleNorm ? this.resampleNorm.apply(x) : (x as tf.Tensor2D);
    let h = this.fc1.apply(x);
    if (this.context && context) h = tf.add(h, this.context.apply(context)) as tf.Tensor2D;
    h = this.fc2.apply(tf.elu(h) as tf.Tensor2D);
    return this.gateNorm.apply(h, residual, mode);
  }
}
