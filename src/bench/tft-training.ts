import { Random } from '../core/random.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import type { TemporalFusionTransformer, TftHyperparameters } from '../model/tft.js';
import type { BackendName } from '../model/backend.js';
import { GradientPool } from '../model/worker-pool.js';
import { applyFlatGradients } from '../model/apply-gradients.js';
import { Adam } from '../model/optimizer.js';
import { accumulateGradients } from '../model/train-step.js';
import { epochOrder } from '../model/trainer.js';
import { median, round } from './bench-stats.js';
import { PROTOCOL, type ProtocolData } from './tft-protocol.js';

/** Windows per forward/backward pass: wasm memory per thread grows with it and never shrinks. */
export const CHUNK = 256;

/** Computes a batch's loss and gradients on some cores; the seam through which another compute engine plugs in. */
export interface GradientEngine {
  readonly threads: number;
  gradients(batch: TftBatch, rng: Random): Promise<{ loss: number; grads: Float32Array }>;
  close(): Promise<void>;
}

/** The tfjs engine: this thread alone, or a worker pool splitting each batch over `threads` cores. */
export async function startEngine(model: TemporalFusionTransformer, hp: TftHyperparameters, backend: BackendName, threads: number): Promise<GradientEngine> {
  if (threads > 1) {
    const pool = await GradientPool.start(model, hp, backend, threads, CHUNK);
    return { threads: pool.threads, gradients: (b, r) => pool.gradients(b, r), close: () => pool.close() };
  }
  return {
    threads: 1,
    gradients: async (b, r) => accumulateGradients(model, b, CHUNK, String(r.int(2 ** 31))),
    close: async () => undefined,
  };
}

/** Training throughput as the harness measures it (its fetch_sps, step_sps, train_sps). */
export interface TrainingFigures {
  warmupBatches: number;
  timedBatches: number;
  /** Building batches alone (the harness's dataloader `next`). */
  fetchSps: number;
  /** Forward + backward + clip + Adam alone. */
  stepSps: number;
  /** Both together: the training throughput of REFERENCE.md. */
  trainSps: number;
  fetchShare: number;
  /** Per-batch medians, less sensitive to a noisy machine than the totals. */
  fetchSecondsMedian: number;
  stepSecondsMedian: number;
  stepSpsFromMedian: number;
  lastLoss: number;
}

/**
 * REFERENCE.md's fixed-batch loop: `warmup` untimed then `timed` batches of 2,048 shuffled training windows,
 * timing batch building and the optimiser step apart. Trains `model` in place (inference is then measured on it).
 */
export async function timeTraining(model: TemporalFusionTransformer, engine: GradientEngine, p: ProtocolData, o: { warmup: number; timed: number; label: string }): Promise<TrainingFigures> {
  const B = PROTOCOL.batchSize;
  const order = epochOrder(p.windows.train.length, PROTOCOL.seed, 0);
  const adam = new Adam(PROTOCOL.learningRate);
  const fetch: number[] = [];
  const step: number[] = [];
  let loss = NaN;
  const total = o.warmup + o.timed;
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    const batch = p.dataset.buildBatch(p.data, p.windows.train, order, i * B, (i + 1) * B);
    const t1 = performance.now();
    const g = await engine.gradients(batch, new Random(`${PROTOCOL.seed}:${i}`));
    applyFlatGradients(model.params, adam, g.grads, PROTOCOL.gradientClip);
    const t2 = performance.now();
    loss = g.loss;
    if (i >= o.warmup) {
      fetch.push((t1 - t0) / 1000);
      step.push((t2 - t1) / 1000);
    }
    process.stderr.write(`${o.label}: batch ${i + 1}/${total}${i < o.warmup ? ' (warm-up)' : ''}: fetch ${((t1 - t0) / 1000).toFixed(3)}s step ${((t2 - t1) / 1000).toFixed(3)}s loss ${loss.toFixed(4)}\n`);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const n = B * o.timed;
  return {
    warmupBatches: o.warmup,
    timedBatches: o.timed,
    fetchSps: Math.round(n / sum(fetch)),
    stepSps: Math.round(n / sum(step)),
    trainSps: Math.round(n / (sum(fetch) + sum(step))),
    fetchShare: round(sum(fetch) / (sum(fetch) + sum(step)), 4),
    fetchSecondsMedian: round(median(fetch), 4),
    stepSecondsMedian: round(median(step), 4),
    stepSpsFromMedian: Math.round(B / median(step)),
    lastLoss: round(loss, 4),
  };
}
