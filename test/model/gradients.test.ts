import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/model/backend.js';
import { ParamStore } from '../../src/model/params.js';
import { LstmLayer } from '../../src/model/lstm.js';
import { dense, layerNorm, matMul, scaleColumns } from '../../src/model/ops.js';
import { TemporalFusionTransformer } from '../../src/model/tft.js';
import { toModelInputs } from '../../src/model/model-inputs.js';
import { Random } from '../../src/core/random.js';
import type { TftBatch, TftInputSpec } from '../../src/dataset/tft-batch.js';
import { gradientCheck, mismatches } from './gradient-check.js';

before(async () => {
  await initBackend('cpu');
});

// |analytic − numeric| ≤ ATOL + RTOL·|numeric|: ~10× the float32 error of the check itself (~1e-5), while a
// wrong or missing term in a backward pass is off by the size of the term (≥ 1e-2 on these problems)
const ATOL = 1e-4;
const RTOL = 1e-3;

const normals = (r: Random, n: number, scale: number) => Float32Array.from({ length: n }, () => scale * r.normal());

function matrix(r: Random, rows: number, cols: number, scale = 1): tf.Variable<tf.Rank.R2> {
  return tf.variable(tf.tensor2d(normals(r, rows * cols, scale), [rows, cols]));
}

function vector(r: Random, n: number, scale = 1): tf.Variable<tf.Rank.R1> {
  return tf.variable(tf.tensor1d(normals(r, n, scale)));
}

/** A tiny LSTM layer, its input and initial state as variables, so every one of them gets a gradient. */
function lstmProblem() {
  const [T, B, In, H] = [4, 3, 2, 5];
  const r = new Random(9);
  const params = new ParamStore(4);
  const layer = new LstmLayer(params, 'lstm', In, H);
  const x = matrix(r, T * B, In);
  const h0 = matrix(r, B, H, 0.5);
  const c0 = matrix(r, B, H, 0.5);
  return { T, B, H, layer, vars: { x, h0, c0, ...Object.fromEntries(params.vars) } };
}

const LSTM_INPUTS = ['x', 'h0', 'c0', ...['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].flatMap((w) => ['i', 'f', 'g', 'o'].map((g) => `lstm.${w}.${g}`))];

test('the LSTM backward pass (BPTT) matches finite differences on every input, state and gate weight', () => {
  const { T, layer, vars } = lstmProblem();
  const samples = gradientCheck({ vars, outputs: () => Object.values(layer.apply(vars.x, vars.h0, vars.c0, T)), elements: 4 });
  assert.deepEqual([...new Set(samples.map((s) => s.input))].sort(), [...LSTM_INPUTS].sort());
  assert.equal(samples.length, 4 * LSTM_INPUTS.length);
  assert.deepEqual(mismatches(samples, ATOL, RTOL), []);
});

test('the LSTM backward pass matches finite differences through padding steps (mask 0 keeps the state)', () => {
  const { T, B, layer, vars } = lstmProblem();
  // right-aligned windows as the encoder has them: window 1 starts at step 2, window 2 at step 1
  const masks = [Float32Array.of(1, 0, 0), Float32Array.of(1, 0, 1), Float32Array.of(1, 1, 1), Float32Array.of(1, 1, 1)];
  tf.tidy(() => {
    const out = layer.apply(vars.x, vars.h0, vars.c0, T, masks).outputs.arraySync();
    const h0 = vars.h0.arraySync() as number[][];
    // padded steps leave the initial state as it is
    for (const [t, b] of [[0, 1], [1, 1], [0, 2]] as const) out[t * B + b]!.forEach((v, j) => assert.ok(Math.abs(v - h0[b]![j]!) < 1e-6));
    assert.ok(out[2 * B + 1]!.some((v, j) => Math.abs(v - h0[1]![j]!) > 1e-3), 'the first real step moves the state');
  });
  const samples = gradientCheck({ vars, outputs: () => Object.values(layer.apply(vars.x, vars.h0, vars.c0, T, masks)), elements: 4, seed: 2 });
  assert.deepEqual(mismatches(samples, ATOL, RTOL), []);
  // the padded rows' inputs have no effect, and their gradient is exactly zero
  const padded = gradientCheck({ vars: { x: vars.x }, outputs: () => Object.values(layer.apply(vars.x, vars.h0, vars.c0, T, masks)), elements: 12, seed: 3 });
  const paddedRows = new Set([1, 2, 3 + 1]); // (t=0, b=1), (t=0, b=2), (t=1, b=1) as rows t·B + b
  const inPadding = padded.filter((s) => paddedRows.has(Math.floor(s.index / 2)));
  assert.ok(inPadding.length > 0, 'some sampled elements sit in padding');
  for (const s of inPadding) assert.deepEqual([s.analytic, Math.abs(s.numeric) < 1e-6], [0, true], `x[${s.index}]`);
});

test('custom op gradients (matMul, dense with bias, scaleColumns, layerNorm) match finite differences', () => {
  const r = new Random(5);
  const a = matrix(r, 5, 4);
  const b = matrix(r, 4, 3);
  const bias = vector(r, 3);
  const v = vector(r, 4);
  const gain = vector(r, 4, 0.3);
  const shift = vector(r, 4, 0.1);
  const cases: Array<[string, Record<string, tf.Variable>, () => tf.Tensor[]]> = [
    ['matMul', { a, b }, () => [matMul(a, b)]],
    ['dense', { a, b, bias }, () => [dense(a, b, bias)]],
    ['scaleColumns', { a, v }, () => [scaleColumns(a, v)]],
    ['layerNorm', { a, gain, shift }, () => [layerNorm(a, tf.add(gain, 1), shift)]],
  ];
  for (const [name, vars, outputs] of cases) {
    const samples = gradientCheck({ vars, outputs, elements: 6 });
    assert.deepEqual(mismatches(samples, ATOL, RTOL), [], name);
  }
});

test('custom op gradients equal TensorFlow.js automatic gradients of the same maths', () => {
  tf.tidy(() => {
    const a = tf.randomNormal([5, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([4, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
    const bias = tf.randomNormal([3], 0, 1, 'float32', 7);
    const v = tf.randomNormal([4], 0, 1, 'float32', 8);
    const gain = tf.randomNormal([4], 1, 0.1, 'float32', 4);
    const shift = tf.randomNormal([4], 0, 0.1, 'float32', 5);
    const w3 = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
    const w4 = tf.randomNormal([5, 4], 0, 1, 'float32', 6);
    const refLn = (x: tf.Tensor, g: tf.Tensor, bb: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), bb);
    };
    const pairs: Array<[string, tf.Tensor[], (...xs: tf.Tensor[]) => tf.Tensor, (...xs: tf.Tensor[]) => tf.Tensor, number]> = [
      ['matMul', [a, b], (x, y) => tf.sum(tf.mul(matMul(x as tf.Tensor2D, y as tf.Tensor2D), w3)), (x, y) => tf.sum(tf.mul(tf.matMul(x!, y!), w3)), 1e-5],
      ['dense', [a, b, bias], (x, y, c) => tf.sum(tf.mul(dense(x as tf.Tensor2D, y as tf.Tensor2D, c), w3)), (x, y, c) => tf.sum(tf.mul(tf.add(tf.matMul(x!, y!), c!), w3)), 1e-5],
      ['scaleColumns', [a, v], (x, c) => tf.sum(tf.mul(scaleColumns(x as tf.Tensor2D, c!), w4)), (x, c) => tf.sum(tf.mul(tf.mul(x!, c!), w4)), 1e-5],
      ['layerNorm', [a, gain, shift], (x, g, c) => tf.sum(tf.mul(layerNorm(x as tf.Tensor2D, g!, c!), w4)), (x, g, c) => tf.sum(tf.mul(refLn(x!, g!, c!), w4)), 1e-4],
    ];
    for (const [name, inputs, mine, ref, tol] of pairs) {
      const g1 = tf.grads(mine)(inputs);
      const g2 = tf.grads(ref)(inputs);
      g1.forEach((g, i) => assert.ok(tf.max(tf.abs(tf.sub(g, g2[i]!))).dataSync()[0]! < tol, `${name} gradient ${i}`));
    }
  });
});

test('the whole TFT: gradients of every parameter tensor match finite differences (the custom ops wired together)', () => {
  const spec: TftInputSpec = {
    encoderLength: 3,
    decoderLength: 2,
    quantiles: [0.3, 0.5, 0.7],
    staticCategoricals: [],
    staticReals: [],
    targetTransform: 'log',
    categoricals: [{ name: 'day_of_week', cardinality: 6, embeddingSize: 4, known: true }],
    reals: [{ name: 'open', known: false }, { name: 'volume', known: false }],
  };
  const model = new TemporalFusionTransformer(spec, { hiddenSize: 4, attentionHeadSize: 2, dropout: 0, hiddenContinuousSize: 2, lstmLayers: 1 }, 3);
  const r = new Random(4);
  // trained-like weights: at initialisation the static context is LayerNorm of an all-zero row (every bias is 0),
  // whose gradient (~1/√1e-5) changes within a step of 1e-3, too sharp for the check's step; elsewhere it is smooth
  model.params.load(normals(r, model.params.count(), 0.5));
  const B = 3;
  const T = 5;
  const batch: TftBatch = {
    size: B,
    categorical: Int32Array.from({ length: B * T }, () => 1 + r.int(5)),
    reals: normals(r, B * T * 2, 1),
    staticCategorical: new Int32Array(0),
    staticReals: new Float32Array(0),
    encoderLengths: Int32Array.of(3, 2, 3),
    target: new Float32Array(B * 2),
    targetScale: new Float32Array(B * 2),
    targetRaw: new Float32Array(B * 2),
    seriesIndex: new Int32Array(B),
    decoderStartIdx: new Int32Array(B),
  };
  const samples = gradientCheck({
    vars: Object.fromEntries(model.params.vars),
    outputs: () => {
      const o = model.forward(toModelInputs(batch, spec), { training: false });
      return [o.prediction, o.encoderWeights, ...o.attention];
    },
    elements: 1,
  });
  assert.equal(samples.length, model.params.vars.size);
  assert.deepEqual(mismatches(samples, ATOL, RTOL), []);
});
