/** Worker thread: holds one model replica on its own wasm backend and returns gradients for batch parts. */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from './backend.js';
import { TemporalFusionTransformer, type TftHyperparameters } from './tft.js';
import { accumulateGradients } from './train-step.js';
import type { TftBatch, TftInputSpec } from '../dataset/tft-batch.js';

interface Init {
  spec: TftInputSpec;
  hp: TftHyperparameters;
  backend: BackendName | 'auto';
}

const init = workerData as Init;
await initBackend(init.backend);
const model = new TemporalFusionTransformer(init.spec, init.hp, 0);

parentPort!.on('message', (msg: { weights: Float32Array; batch: TftBatch; seed: string; chunk: number }) => {
  model.params.load(msg.weights);
  const g = accumulateGradients(model, msg.batch, msg.chunk, msg.seed);
  parentPort!.postMessage({ loss: g.loss, grads: g.grads }, [g.grads.buffer as ArrayBuffer]);
});
parentPort!.postMessage({ ready: true });
