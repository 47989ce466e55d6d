/** Worker thread: one TensorFlow.js instance (its own wasm memory) holding one model, running forward passes on batch parts. */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from './backend.js';
import { TfjsEngine } from './tfjs-engine.js';
import type { EngineSource } from './inference-engine.js';
import type { TftBatch } from '../dataset/tft-batch.js';

/** A request from the pool: forecasts or the explanation of one batch part. */
export interface InferRequest {
  id: number;
  op: 'predict' | 'explain';
  batch: TftBatch;
}

const init = workerData as { source: EngineSource; backend: BackendName };
await initBackend(init.backend);
const engine = TfjsEngine.create(init.source);

parentPort!.on('message', (m: InferRequest) => {
  try {
    if (m.op === 'predict') {
      const pred = engine.predictNow(m.batch);
      parentPort!.postMessage({ id: m.id, pred }, [pred.buffer as ArrayBuffer]);
    } else {
      const explanation = engine.explainNow(m.batch);
      parentPort!.postMessage({ id: m.id, explanation });
    }
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
