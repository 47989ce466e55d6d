import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './params.js';

const GATES = ['i', 'f', 'g', 'o'] as const;

/** Splits a time-major [T·B, F] tensor into T tensors [B, F] through JS memory (tf.split/unstack are ~30× slower in wasm). */
export function splitRows(x: tf.Tensor2D, steps: number): tf.Tensor2D[] {
  const [rows, cols] = x.shape;
  const b = rows / steps;
  const data = x.dataSync() as Float32Array;
  return Array.from({ length: steps }, (_, t) => tf.tensor2d(data.subarray(t * b * cols, (t + 1) * b * cols), [b, cols]));
}

/**
 * One LSTM layer (PyTorch's gate order and two bias vectors, so parameter counts match) over a time-major input
 * [T·B, In]. The whole recurrence is one custom op with a hand-written backward pass (BPTT): per step only
 * [B, ·] tensors are touched, and the input and weight gradients are a few large matmuls at the end.
 * Steps whose mask is 0 (padding before a short encoder) leave the state unchanged.
 */
export class LstmLayer {
  private readonly wih: tf.Variable[];
  private readonly whh: tf.Variable[];
  private readonly bih: tf.Variable[];
  private readonly bhh: tf.Variable[];

  constructor(p: ParamStore, name: string, readonly inSize: number, readonly hidden: number) {
    this.wih = GATES.map((g) => p.uniformFan(`${name}.weight_ih.${g}`, [inSize, hidden], hidden));
    this.whh = GATES.map((g) => p.uniformFan(`${name}.weight_hh.${g}`, [hidden, hidden], hidden));
    this.bih = GATES.map((g) => p.uniformFan(`${name}.bias_ih.${g}`, [hidden], hidden));
    this.bhh = GATES.map((g) => p.uniformFan(`${name}.bias_hh.${g}`, [hidden], hidden));
  }

  /**
   * Runs the layer. `masks[t]` (length B, 1 = real step) may be omitted when every step is real.
   * Returns the hidden states [T·B, H] and the final (h, c).
   */
  apply(x: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D, steps: number, masks?: Float32Array[]): { outputs: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
    const b = x.shape[0] / steps;
    const H = this.hidden;
    const packed = runLstm(steps, b, masks)(x, h0, c0, ...this.wih, ...this.whh, ...this.bih, ...this.bhh) as tf.Tensor2D;
    return {
      outputs: tf.slice(packed, [0, 0], [steps * b, H]),
      h: tf.slice(packed, [steps * b, 0], [b, H]),
      c: tf.slice(packed, [(steps + 1) * b, 0], [b, H]),
    };
  }
}

function runLstm(steps: number, b: number, masks: Float32Array[] | undefined) {
  const maskTensors = () => masks?.map((m) => tf.tensor2d(m, [b, 1]));
  return tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, h0, c0, ...w] = args as tf.Tensor2D[];
    const wih = w.slice(0, 4) as tf.Tensor2D[];
    const whh = w.slice(4, 8) as tf.Tensor2D[];
    const bias = w.slice(8, 12).map((bi, k) => tf.add(bi!, w[12 + k]!));
    // input projections of all steps at once, then per-step blocks through JS memory
    const proj = wih.map((wg, k) => splitRows(tf.add(tf.matMul(x!, wg!), bias[k]!) as tf.Tensor2D, steps));
    const m = maskTensors();
    let h = h0!;
    let c = c0!;
    const hs: tf.Tensor2D[] = [];
    const keep: tf.Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const i = tf.sigmoid(tf.add(proj[0]![t]!, tf.matMul(h, whh[0]!)));
      const f = tf.sigmoid(tf.add(proj[1]![t]!, tf.matMul(h, whh[1]!)));
      const g = tf.tanh(tf.add(proj[2]![t]!, tf.matMul(h, whh[2]!)));
      const o = tf.sigmoid(tf.add(proj[3]![t]!, tf.matMul(h, whh[3]!)));
      const cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
      const tanhC = tf.tanh(cNew);
      let hNew = tf.mul(o, tanhC) as tf.Tensor2D;
      let cNext = cNew as tf.Tensor2D;
      if (m) {
        const mt = m[t]!;
        const keepOld = tf.sub(1, mt);
        hNew = tf.add(tf.mul(mt, hNew), tf.mul(keepOld, h)) as tf.Tensor2D;
        cNext = tf.add(tf.mul(mt, cNew), tf.mul(keepOld, c)) as tf.Tensor2D;
      }
      keep.push(i, f, g, o, c, tanhC, h);
      h = hNew;
      c = cNext;
      hs.push(h);
    }
    save([x!, ...wih, ...whh, ...keep]);
    const value = tf.concat([...hs, h, c], 0);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy as tf.Tensor2D, saved, steps, maskTensors()),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** Back-propagation through time for `runLstm`; returns gradients in the op's input order. */
function backward(dy: tf.Tensor2D, saved: tf.Tensor[], steps: number, m: tf.Tensor2D[] | undefined): tf.Tensor[] {
  const x = saved[0] as tf.Tensor2D;
  const wih = saved.slice(1, 5) as tf.Tensor2D[];
  const whhT = (saved.slice(5, 9) as tf.Tensor2D[]).map((w) => tf.transpose(w));
  const per = saved.slice(9);
  const dys = splitRows(dy, steps + 2);
  let dh = dys[steps]! as tf.Tensor;
  let dc = dys[steps + 1]! as tf.Tensor;
  const dz: tf.Tensor2D[][] = [[], [], [], []];
  const hPrev: tf.Tensor2D[] = [];
  for (let t = steps - 1; t >= 0; t--) {
    const [i, f, g, o, cPrev, tanhC, hp] = per.slice(t * 7, t * 7 + 7) as tf.Tensor2D[];
    const dhTotal = tf.add(dh, dys[t]!);
    const mt = m?.[t];
    const dhNew = mt ? tf.mul(mt, dhTotal) : dhTotal;
    const dcIn = mt ? tf.mul(mt, dc) : dc;
    const dO = tf.mul(dhNew, tanhC!);
    const dcNew = tf.add(dcIn, tf.mul(tf.mul(dhNew, o!), tf.sub(1, tf.square(tanhC!))));
    const dI = tf.mul(dcNew, g!);
    const dG = tf.mul(dcNew, i!);
    const dF = tf.mul(dcNew, cPrev!);
    const dzi = tf.mul(dI, tf.mul(i!, tf.sub(1, i!))) as tf.Tensor2D;
    const dzf = tf.mul(dF, tf.mul(f!, tf.sub(1, f!))) as tf.Tensor2D;
    const dzg = tf.mul(dG, tf.sub(1, tf.square(g!))) as tf.Tensor2D;
    const dzo = tf.mul(dO, tf.mul(o!, tf.sub(1, o!))) as tf.Tensor2D;
    const gates = [dzi, dzf, dzg, dzo];
    gates.forEach((z, k) => dz[k]!.unshift(z));
    hPrev.unshift(hp!);
    let dhPrev = tf.matMul(dzi, whhT[0]!) as tf.Tensor;
    for (let k = 1; k < 4; k++) dhPrev = tf.add(dhPrev, tf.matMul(gates[k]!, whhT[k]!));
    let dcPrev = tf.mul(dcNew, f!) as tf.Tensor;
    if (mt) {
      const keepOld = tf.sub(1, mt);
      dhPrev = tf.add(dhPrev, tf.mul(keepOld, dhTotal));
      dcPrev = tf.add(dcPrev, tf.mul(keepOld, dc));
    }
    dh = dhPrev;
    dc = dcPrev;
  }
  const xT = tf.transpose(x);
  const hPrevT = tf.transpose(tf.concat(hPrev, 0));
  const dZ = dz.map((list) => tf.concat(list, 0) as tf.Tensor2D);
  const dWih = dZ.map((z) => tf.matMul(xT, z));
  const dWhh = dZ.map((z) => tf.matMul(hPrevT, z));
  const dB = dZ.map((z) => tf.sum(z, 0));
  let dx = tf.matMul(dZ[0]!, tf.transpose(wih[0]!)) as tf.Tensor;
  for (let k = 1; k < 4; k++) dx = tf.add(dx, tf.matMul(dZ[k]!, tf.transpose(wih[k]!)));
  return [dx, dh, dc, ...dWih, ...dWhh, ...dB, ...dB];
}
