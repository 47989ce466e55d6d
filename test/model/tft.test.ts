import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/model/backend.js';
import { TemporalFusionTransformer } from '../../src/model/tft.js';
import { toModelInputs } from '../../src/model/model-inputs.js';
import { computeGradients } from '../../src/model/train-step.js';
import { applyFlatGradients } from '../../src/model/apply-gradients.js';
import { Adam } from '../../src/model/optimizer.js';
import { quantileLoss } from '../../src/model/quantile-loss.js';
import { Random } from '../../src/core/random.js';
import type { TftBatch } from '../../src/dataset/tft-batch.js';
import { benchSpec, FAVOURITE_HP, randomBatch, SMALL_HP } from '../helpers/tft-fixtures.js';

before(async () => {
  await initBackend('cpu');
});

const SMALL = SMALL_HP;
const FAVOURITE = FAVOURITE_HP;

test('parameter counts match pytorch-forecasting for the benchmark configs (6,133 and 65,143)', () => {
  assert.equal(new TemporalFusionTransformer(benchSpec(60, 2), SMALL, 1).params.count(), 6133);
  assert.equal(new TemporalFusionTransformer(benchSpec(60, 2), FAVOURITE, 1).params.count(), 65143);
});

test('output shapes through the model and variable-selection weights that sum to 1', () => {
  const spec = benchSpec();
  const m = new TemporalFusionTransformer(spec, FAVOURITE, 3);
  const B = 5;
  tf.tidy(() => {
    const out = m.forward(toModelInputs(randomBatch(spec, B), spec), { training: false });
    assert.deepEqual(out.prediction.shape, [spec.decoderLength * B, 3]);
    assert.deepEqual(out.encoderWeights.shape, [spec.encoderLength * B, 9]);
    assert.deepEqual(out.decoderWeights.shape, [spec.decoderLength * B, 4]);
    assert.equal(out.attention.length, spec.decoderLength);
    assert.deepEqual(out.attention[0]!.shape, [B, spec.encoderLength + spec.decoderLength]);
    for (const w of [out.encoderWeights, out.decoderWeights, ...out.attention]) {
      const sums = tf.sum(w, -1).dataSync();
      for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `row sums to ${s}`);
    }
  });
});

test('causal and padding masks: later decoder inputs and padded encoder steps never change earlier outputs', () => {
  const spec = benchSpec();
  const m = new TemporalFusionTransformer(spec, SMALL, 4);
  const B = 4;
  const T = spec.encoderLength + spec.decoderLength;
  const base = randomBatch(spec, B, 7);
  base.encoderLengths.fill(spec.encoderLength - 2);
  const changed: TftBatch = { ...base, categorical: base.categorical.slice(), reals: base.reals.slice() };
  const nCat = spec.categoricals.length;
  const nReal = spec.reals.length;
  for (let b = 0; b < B; b++) {
    // the last decoder step's known inputs, and the two padded encoder steps' everything
    for (let k = 0; k < nCat; k++) changed.categorical[b * T * nCat + (T - 1) * nCat + k] = 5;
    for (const t of [0, 1]) {
      for (let k = 0; k < nCat; k++) changed.categorical[b * T * nCat + t * nCat + k] = 4;
      for (let k = 0; k < nReal; k++) changed.reals[b * T * nReal + t * nReal + k] = 9;
    }
  }
  tf.tidy(() => {
    const a = m.forward(toModelInputs(base, spec), { training: false }).prediction.arraySync() as number[][];
    const c = m.forward(toModelInputs(changed, spec), { training: false }).prediction.arraySync() as number[][];
    // rows 0..B-1 are decoder step 0: unchanged; rows of step 1 do change
    for (let b = 0; b < B; b++) a[b]!.forEach((v, k) => assert.ok(Math.abs(v - c[b]![k]!) < 1e-5));
    assert.ok(a.slice(B).some((row, b) => row.some((v, k) => Math.abs(v - c[B + b]![k]!) > 1e-4)));
  });
});

test('quantile loss matches hand-computed values', () => {
  // y = 10; predictions 9, 10, 12 for q = 0.3, 0.5, 0.7:
  // e = 1 → 2·max(0.3, −0.7) = 0.6; e = 0 → 0; e = −2 → 2·max(−1.4, 0.6) = 1.2; mean = 0.6
  assert.ok(Math.abs(quantileLoss([10], [9, 10, 12], [0.3, 0.5, 0.7]) - 0.6) < 1e-12);
  // a point forecast's loss is its MAE
  assert.ok(Math.abs(quantileLoss([1, 4], [2, 2], [0.5]) - 1.5) < 1e-12);
});

test('weights serialize and load back to identical predictions; same seed gives the same init', () => {
  const spec = benchSpec();
  const a = new TemporalFusionTransformer(spec, SMALL, 9);
  const b = new TemporalFusionTransformer(spec, SMALL, 10);
  const same = new TemporalFusionTransformer(spec, SMALL, 9);
  assert.deepEqual(same.params.flatten(), a.params.flatten());
  b.params.load(a.params.flatten(), a.params.manifest());
  const batch = randomBatch(spec, 4);
  tf.tidy(() => {
    const pa = a.forward(toModelInputs(batch, spec), { training: false }).prediction.dataSync();
    const pb = b.forward(toModelInputs(batch, spec), { training: false }).prediction.dataSync();
    assert.deepEqual(pa, pb);
  });
  const other = new TemporalFusionTransformer(spec, FAVOURITE, 9);
  assert.throws(() => other.params.load(a.params.flatten(), a.params.manifest()), /weights do not match this model/);
});

test('a few Adam steps lower the loss on a fixed batch', () => {
  const spec = benchSpec();
  const m = new TemporalFusionTransformer(spec, { ...SMALL, dropout: 0 }, 12);
  const batch = randomBatch(spec, 16);
  const opt = new Adam(0.01);
  const rng = new Random(2);
  const first = computeGradients(m, batch, rng).loss;
  let last = first;
  for (let i = 0; i < 15; i++) {
    const g = computeGradients(m, batch, rng);
    applyFlatGradients(m.params, opt, g.grads, 0);
    last = g.loss;
  }
  assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
});
