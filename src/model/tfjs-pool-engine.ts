/**
 * Inference on every core with TensorFlow.js: the wasm backend runs on one core per process, so each batch is
 * split between this thread and worker threads, each holding the model in its own wasm instance. Forecasts are
 * per window, so the parts' outputs are simply laid side by side; explanations are sums, so they add.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './worker-thread.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import type { BackendName } from './backend.js';
import { TfjsEngine } from './tfjs-engine.js';
import { sliceBatch } from './train-step.js';
import { batchBuffers, batchParts, copyBatch } from './batch-parts.js';
import { addExplanation, disposedError, type BatchExplanation, type EngineSource, type InferenceEngine } from './inference-engine.js';
import type { InferRequest } from './infer-worker.js';

type Reply = { id: number; pred?: Float32Array; explanation?: BatchExplanation; error?: string };

/** One worker thread and the requests it has not answered yet. */
class InferWorker {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure?: Error;
  readonly ready: Promise<void>;
  private readonly worker: Worker;

  constructor(source: EngineSource, backend: BackendName) {
    this.worker = startModuleWorker('infer-worker', { source, backend });
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
      this.worker.once('exit', () => reject(this.failure ?? new Error('an inference worker stopped while loading the model')));
    });
    // a loaded, idle worker does not keep the process alive; one loading or with work in hand does
    this.ready.then(() => this.pending.size === 0 && this.worker.unref()).catch(() => undefined); // a failure is reported by the first request
    this.worker.on('message', (m: Reply) => this.settle(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`an inference worker stopped (exit code ${code})`)));
  }

  /**
   * Posts a batch part at once (its buffers are transferred) and resolves with the worker's reply. Call after
   * `ready`: the message leaves before the caller goes on computing on this thread.
   */
  send(op: InferRequest['op'], batch: TftBatch): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ id, op, batch } satisfies InferRequest, batchBuffers(batch));
    return reply;
  }

  terminate(): void {
    this.failure ??= disposedError();
    void this.worker.terminate();
  }

  private settle(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return; // the ready message
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.error !== undefined) p.reject(new Error(`inference worker: ${m.error}`));
    else p.resolve(m);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** Forward passes on this thread and `threads − 1` worker threads, one TensorFlow.js instance each. */
export class TfjsPoolEngine implements InferenceEngine {
  readonly encoderVariables: string[];
  readonly decoderVariables: string[];

  private constructor(private readonly own: TfjsEngine, private readonly workers: InferWorker[], private readonly spec: EngineSource['spec']) {
    this.encoderVariables = own.encoderVariables;
    this.decoderVariables = own.decoderVariables;
  }

  /** Builds the model here and starts the workers (they load it in the background; the first batch waits for them). */
  static create(source: EngineSource, o: { threads: number; backend: BackendName }): TfjsPoolEngine {
    const own = TfjsEngine.create(source);
    const workers = Array.from({ length: Math.max(0, o.threads - 1) }, () => new InferWorker(source, o.backend));
    return new TfjsPoolEngine(own, workers, source.spec);
  }

  /** {@inheritDoc InferenceEngine.threads} */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** {@inheritDoc InferenceEngine.predict} */
  async predict(batch: TftBatch): Promise<Float32Array> {
    const width = this.spec.decoderLength * this.spec.quantiles.length;
    const out = new Float32Array(batch.size * width);
    await this.split(batch, 'predict', (b) => this.own.predictNow(b), (part: Float32Array, from) => out.set(part, from * width));
    return out;
  }

  /** {@inheritDoc InferenceEngine.explain} */
  async explain(batch: TftBatch): Promise<BatchExplanation> {
    let sum: BatchExplanation | undefined;
    await this.split(batch, 'explain', (b) => this.own.explainNow(b), (part: BatchExplanation) => (sum ? addExplanation(sum, part) : (sum = part)));
    return sum!;
  }

  /** {@inheritDoc InferenceEngine.dispose} */
  dispose(): void {
    for (const w of this.workers) w.terminate();
    this.own.dispose();
  }

  /** Sends the later parts of a batch to the workers, computes the first here meanwhile, and hands every result to `take`. */
  private async split<R>(batch: TftBatch, op: InferRequest['op'], here: (b: TftBatch) => R, take: (r: R, from: number) => void): Promise<void> {
    const T = this.spec.encoderLength + this.spec.decoderLength;
    const [mine, ...theirs] = batchParts(batch.size, this.threads);
    if (!mine) return;
    await Promise.all(this.workers.map((w) => w.ready));
    const jobs = Promise.all(theirs.map(([from, to], i) => this.workers[i]!.send(op, copyBatch(sliceBatch(batch, from, to, T))).then((reply) => ({ reply, from }))));
    jobs.catch(() => undefined); // awaited below; this thread's own part may throw first
    take(here(sliceBatch(batch, mine[0], mine[1], T)), 0);
    for (const { reply, from } of await jobs) take((op === 'predict' ? reply.pred : reply.explanation) as R, from);
  }
}
