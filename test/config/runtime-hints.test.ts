import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeChoice, type RuntimeFacts } from '../../src/config/runtime-hints.js';

const here: RuntimeFacts = { inSageMaker: false, cores: 8, gpuBackendInstalled: false };

test('no runtime keys: auto backend, up to 2 threads, nothing to say', () => {
  assert.deepEqual(runtimeChoice({}, here), { backend: 'auto', threads: 2, notes: [] });
  assert.equal(runtimeChoice({}, { ...here, cores: 1 }).threads, 1);
});

test('accelerator gpu picks tensorflow-gpu where installed, one thread, num_workers ignored with a note', () => {
  const c = runtimeChoice({ accelerator: 'gpu', numWorkers: 4 }, { ...here, gpuBackendInstalled: true });
  assert.equal(c.backend, 'tensorflow-gpu');
  assert.equal(c.threads, 1);
  assert.deepEqual(c.notes, ['accelerator gpu → backend tensorflow-gpu (@tensorflow/tfjs-node-gpu)', 'num_workers 4: ignored on the GPU (one process feeds it)']);
});

test('accelerator gpu without the package falls back to the CPU and says so; num_workers sets threads, capped at the cores', () => {
  const c = runtimeChoice({ accelerator: 'GPU', numWorkers: 12 }, here);
  assert.equal(c.backend, 'auto');
  assert.equal(c.threads, 8);
  assert.match(c.notes[0]!, /^accelerator gpu: @tensorflow\/tfjs-node-gpu is not installed here/);
  assert.equal(c.notes[1], 'num_workers 12 → 8 training thread(s) (8 cores here)');
});

test('local_accelerator wins outside SageMaker, accelerator inside it', () => {
  const keys = { accelerator: 'gpu', localAccelerator: 'cpu' };
  assert.equal(runtimeChoice(keys, { ...here, gpuBackendInstalled: true }).backend, 'auto');
  assert.equal(runtimeChoice(keys, { ...here, inSageMaker: true, gpuBackendInstalled: true }).backend, 'tensorflow-gpu');
});

test('flags decide over the keys; several devices and unknown accelerators are named, not dropped', () => {
  const c = runtimeChoice({ accelerator: 'gpu', devices: [0, 1], numWorkers: 4 }, { ...here, backendFlag: 'wasm', threadsFlag: 3, gpuBackendInstalled: true });
  assert.equal(c.backend, 'wasm');
  assert.equal(c.threads, 3);
  assert.deepEqual(c.notes, ['accelerator gpu: --backend wasm decides', 'devices [0,1]: ignored, stockcast trains on one device (CPU cores are --threads)']);
  assert.match(runtimeChoice({ accelerator: 'tpu' }, here).notes[0]!, /^accelerator tpu: no TensorFlow\.js backend for it in Node/);
});
