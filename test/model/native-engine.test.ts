/**
 * The native engine must be the same model as the tfjs one: same predictions, attention, variable-selection
 * weights, loss and gradient of every parameter from the same flat weights and batch. CI builds the addon, so a
 * missing addon fails here (it is not skipped).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/model/backend.js';
import { TemporalFusionTransformer, type TftHyperparameters } from '../../src/model/tft.js';
import { toModelInputs } from '../../src/model/model-inputs.js';
import { computeGradients } from '../../src/model/train-step.js';
import { loadNativeAddon, nativeAddonError } from '../../src/model/native/native-addon.js';
import { NativeTft } from '../../src/model/native/native-tft.js';
import { Random } from '../../src/core/random.js';
import type { TftInputSpec } from '../../src/dataset/tft-batch.js';
import { benchSpec, FAVOURITE_HP, randomBatch, SMALL_HP } from '../helpers/tft-fixtures.js';

before(async () => {
  await initBackend('cpu');
});

test('the native addon is built and loads', () => {
  assert.ok(loadNativeAddon(), `the native engine must be built for these tests (npm run build:native): ${nativeAddonError()}`);
});

/** Largest |a − b| relative to max(|b|, floor). */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return worst;
}

function maxAbs(a: ArrayLike<number>, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

const CASES: Array<{ name: string; spec: TftInputSpec; hp: TftHyperparameters; B: number }> = [
  { name: 'tiny (2 LSTM layers, 2 heads)', spec: benchSpec(5, 2), hp: { hiddenSize: 6, attentionHeadSize: 2, dropout: 0, hiddenContinuousSize: 3, lstmLayers: 2 }, B: 7 },
  { name: 'small (H 8, 1 head, encoder 60)', spec: benchSpec(60, 2), hp: { ...SMALL_HP, dropout: 0 }, B: 12 },
  { name: 'favourite (H 32, 4 heads, encoder 60)', spec: benchSpec(60, 2), hp: { ...FAVOURITE_HP, dropout: 0 }, B: 10 },
];

for (const c of CASES) {
  test(`native and tfjs agree on outputs, loss and every gradient: ${c.name}`, () => {
    const model = new TemporalFusionTransformer(c.spec, c.hp, 3);
    const batch = randomBatch(c.spec, c.B, 5);
    const weights = model.params.flatten();
    const native = new NativeTft(c.spec, c.hp, model.params.manifest(), { threads: 2, chunk: 3 });
    const ref = tf.tidy(() => {
      const o = model.forward(toModelInputs(batch, c.spec), { training: false });
      return { prediction: o.prediction.dataSync(), attention: o.attention.map((a) => a.dataSync()), enc: o.encoderWeights.dataSync(), dec: o.decoderWeights.dataSync() };
    });
    const out = native.forecast(weights, batch);
    // relative to each value, or to 1% of the largest for values near zero (float32 rounding is absolute there)
    const predFloor = 1e-2 * maxAbs(ref.prediction);
    assert.ok(maxRelDiff(out.prediction, ref.prediction, predFloor) < 1e-4, `prediction differs by ${maxRelDiff(out.prediction, ref.prediction, predFloor)}`);
    // weights are probabilities in [0, 1]: compare relative to their scale
    assert.ok(maxRelDiff(out.encoderWeights, ref.enc, 1e-2) < 1e-4, 'encoder variable weights differ');
    assert.ok(maxRelDiff(out.decoderWeights, ref.dec, 1e-2) < 1e-4, 'decoder variable weights differ');
    ref.attention.forEach((a, j) => assert.ok(maxRelDiff(out.attention[j]!, a, 1e-2) < 1e-4, `attention of decoder step ${j} differs`));

    const g = computeGradients(model, batch, new Random(1));
    const n = native.gradients(weights, batch, 1, true);
    assert.ok(Math.abs(n.loss - g.loss) <= 1e-5 * Math.abs(g.loss), `loss ${n.loss} vs ${g.loss}`);
    const scale = maxAbs(g.grads);
    for (const e of model.params.manifest()) {
      // each parameter's gradient relative to its own size; gradients that are zero in exact arithmetic
      // (the key biases: softmax ignores a shift) are float noise, compared on the model's gradient scale
      const own = maxAbs(g.grads, e.offset, e.offset + e.size);
      const diff = maxRelDiff(n.grads.subarray(e.offset, e.offset + e.size), g.grads.subarray(e.offset, e.offset + e.size), Math.max(own, 1e-5 * scale));
      assert.ok(diff < 1e-4, `gradient of ${e.name} differs by ${diff.toExponential(2)} (max |grad| ${own.toExponential(2)})`);
    }
  });
}

test('native results do not depend on the thread count', () => {
  const spec = benchSpec(8, 2);
  const model = new TemporalFusionTransformer(spec, SMALL_HP, 4);
  const batch = randomBatch(spec, 23, 2);
  const w = model.params.flatten();
  const one = new NativeTft(spec, SMALL_HP, model.params.manifest(), { threads: 1, chunk: 4 }).gradients(w, batch, 9);
  const three = new NativeTft(spec, SMALL_HP, model.params.manifest(), { threads: 3, chunk: 4 }).gradients(w, batch, 9);
  assert.equal(one.loss, three.loss);
  assert.deepEqual(one.grads, three.grads);
});

test('the native backward matches central finite differences in double precision, dropout masks included', () => {
  const spec = benchSpec(4, 2);
  const hp: TftHyperparameters = { hiddenSize: 4, attentionHeadSize: 2, dropout: 0.3, hiddenContinuousSize: 3, lstmLayers: 2 };
  const model = new TemporalFusionTransformer(spec, hp, 8);
  const batch = randomBatch(spec, 5, 3);
  const native = new NativeTft(spec, hp, model.params.manifest(), { threads: 2, chunk: 2 });
  const w = Float64Array.from(model.params.flatten());
  const seed = 77;
  const { grads } = native.gradients64(w, batch, seed, true);
  const lossAt = (i: number, d: number) => {
    const x = w.slice();
    x[i] = x[i]! + d;
    return native.gradients64(x, batch, seed, true).loss;
  };
  // every parameter tensor, a few entries each
  const r = new Random(5);
  let checked = 0;
  for (const e of model.params.manifest()) {
    for (let k = 0; k < Math.min(3, e.size); k++) {
      const i = e.offset + r.int(e.size);
      const eps = 1e-5 * Math.max(1, Math.abs(w[i]!));
      const fd = (lossAt(i, eps) - lossAt(i, -eps)) / (2 * eps);
      assert.ok(Math.abs(fd - grads[i]!) <= 1e-6 + 1e-5 * Math.abs(fd), `${e.name}[${i - e.offset}]: finite difference ${fd} vs backward ${grads[i]}`);
      checked++;
    }
  }
  assert.ok(checked > 100);
});

test('dropout: the rate and 1/(1 − rate) scaling hold, a seed reproduces, another seed differs', () => {
  const addon = loadNativeAddon();
  assert.ok(addon, nativeAddonError());
  const f = addon.dropoutFactors(11, 0.1, 200_000);
  let zeros = 0;
  for (const v of f) {
    if (v === 0) zeros++;
    else assert.equal(v, Math.fround(1 / 0.9));
  }
  assert.ok(Math.abs(zeros / f.length - 0.1) < 0.005, `dropped ${zeros / f.length}`);
  assert.deepEqual(addon.dropoutFactors(11, 0.1, 1000), f.subarray(0, 1000));
  assert.notDeepEqual(addon.dropoutFactors(12, 0.1, 1000), f.subarray(0, 1000));

  const spec = benchSpec(8, 2);
  const model = new TemporalFusionTransformer(spec, SMALL_HP, 4);
  const batch = randomBatch(spec, 9, 2);
  const w = model.params.flatten();
  const native = new NativeTft(spec, SMALL_HP, model.params.manifest(), { threads: 2, chunk: 4 });
  const a = native.gradients(w, batch, 5, true);
  assert.deepEqual(native.gradients(w, batch, 5, true), a);
  assert.notEqual(native.gradients(w, batch, 6, true).loss, a.loss);
  // outside training dropout is off: the loss equals the tfjs model's without dropout
  const evalLoss = native.gradients(w, batch, 5, false).loss;
  const ref = computeGradients(new TemporalFusionTransformer(spec, { ...SMALL_HP, dropout: 0 }, 4), batch, new Random(1)).loss;
  assert.ok(Math.abs(evalLoss - ref) < 1e-5 * ref, `${evalLoss} vs ${ref}`);
});

test('weights of another architecture are refused with a clear error', () => {
  const spec = benchSpec(6, 2);
  const small = new TemporalFusionTransformer(spec, SMALL_HP, 1);
  const fav = new TemporalFusionTransformer(spec, FAVOURITE_HP, 1);
  assert.throws(() => new NativeTft(spec, SMALL_HP, fav.params.manifest()), /unexpected shape|no parameter|not part of the native model/);
  const native = new NativeTft(spec, SMALL_HP, small.params.manifest(), { threads: 1 });
  assert.throws(() => native.forecast(fav.params.flatten(), randomBatch(spec, 2)), /weights do not match/);
});
