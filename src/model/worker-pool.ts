import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './worker-thread.js';
import { availableParallelism } from 'node:os';
import type { TftBatch, TftInputSpec } from '../dataset/tft-batch.js';
import type { TemporalFusionTransformer, TftHyperparameters } from './tft.js';
import type { BackendName } from './backend.js';
import { accumulateGradients, sliceBatch } from './train-step.js';
import { batchBuffers, batchParts, copyBatch } from './batch-parts.js';
import type { Random } from '../core/random.js';

/**
 * Data parallelism over cores: the wasm backend runs on one core per process, so each batch is split between
 * the main thread and worker threads (one wasm instance each); their gradients are averaged by sample count.
 * Each part's dropout stream is derived from the batch seed and the part index, so results do not depend on timing.
 */
export class GradientPool {
  private constructor(private readonly workers: Worker[], private readonly model: TemporalFusionTransformer, private readonly chunk: number) {}

  /** Starts `threads − 1` workers (the main thread is the last one). */
  static async start(model: TemporalFusionTransformer, hp: TftHyperparameters, backend: BackendName, threads = Math.min(2, availableParallelism()), chunk = 256): Promise<GradientPool> {
    const workers = await Promise.all(
      Array.from({ length: Math.max(0, threads - 1) }, async () => {
        const w = startModuleWorker('grad-worker', { spec: model.spec as TftInputSpec, hp, backend });
        await new Promise<void>((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
        });
        return w;
      }),
    );
    return new GradientPool(workers, model, chunk);
  }

  /** Number of parallel parts per batch. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Gradients of a batch: parts on the workers and on this thread, averaged by size. */
  async gradients(batch: TftBatch, rng: Random): Promise<{ loss: number; grads: Float32Array }> {
    const T = this.model.spec.encoderLength + this.model.spec.decoderLength;
    const seed = String(rng.int(2 ** 31));
    const weights = this.model.params.flatten();
    const [mine, ...theirs] = batchParts(batch.size, this.threads);
    const jobs = theirs.map(([from, to], i) => {
      const w = this.workers[i]!;
      const part = copyBatch(sliceBatch(batch, from, to, T));
      return new Promise<{ loss: number; grads: Float32Array; size: number }>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        w.once('error', onError);
        w.once('message', (m: { loss: number; grads: Float32Array }) => {
          w.off('error', onError);
          resolve({ ...m, size: to - from });
        });
        w.postMessage({ weights, batch: part, seed: `${seed}:${i + 1}`, chunk: this.chunk }, batchBuffers(part));
      });
    });
    const own = sliceBatch(batch, mine![0], mine![1], T);
    const ownResult = { ...accumulateGradients(this.model, own, this.chunk, `${seed}:0`), size: own.size };
    const results = [ownResult, ...(await Promise.all(jobs))];
    const grads = new Float32Array(weights.length);
    let loss = 0;
    for (const r of results) {
      const w = r.size / batch.size;
      loss += r.loss * w;
      for (let i = 0; i < grads.length; i++) grads[i] = grads[i]! + r.grads[i]! * w;
    }
    return { loss, grads };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
