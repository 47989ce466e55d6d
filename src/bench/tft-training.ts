import { Random } from '../core/random.js';
import { Adam } from '../model/optimizer.js';
import { epochOrder } from '../model/trainer.js';
import type { TftTraining } from '../model/tft-training.js';
import { median, round } from './bench-stats.js';
import { PROTOCOL, type ProtocolData } from './tft-protocol.js';

/** Training throughput as the harness measures it (its fetch_sps, step_sps, train_sps). */
export interface TrainingFigures {
  warmupBatches: number;
  timedBatches: number;
  /** Threads each step ran on. */
  threads: number;
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
  /** Samples per CPU-second of this process (all threads): on a shared, loaded machine, what the cores would give unshared. */
  trainSpsPerCpuSecond: number;
  lastLoss: number;
}

/**
 * REFERENCE.md's fixed-batch loop: `warmup` untimed then `timed` batches of 2,048 shuffled training windows,
 * timing batch building and the optimiser step apart. Trains the model in place (inference is then measured on it).
 */
export async function timeTraining(training: TftTraining, p: ProtocolData, o: { warmup: number; timed: number; label: string }): Promise<TrainingFigures> {
  const B = PROTOCOL.batchSize;
  const order = epochOrder(p.windows.train.length, PROTOCOL.seed, 0);
  const nBatches = Math.floor(p.windows.train.length / B);
  const adam = new Adam(PROTOCOL.learningRate);
  const fetch: number[] = [];
  const step: number[] = [];
  let cpuSeconds = 0;
  let loss = NaN;
  const total = o.warmup + o.timed;
  for (let i = 0; i < total; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const from = (i % nBatches) * B;
    const batch = p.dataset.buildBatch(p.data, p.windows.train, order, from, from + B);
    const t1 = performance.now();
    const g = await training.gradients(batch, new Random(`${PROTOCOL.seed}:${i}`));
    training.applyGradients(adam, g.grads, PROTOCOL.gradientClip);
    const t2 = performance.now();
    loss = g.loss;
    if (i >= o.warmup) {
      fetch.push((t1 - t0) / 1000);
      step.push((t2 - t1) / 1000);
      const cpu = process.cpuUsage(cpu0);
      cpuSeconds += (cpu.user + cpu.system) / 1e6;
    }
    process.stderr.write(`${o.label}: batch ${i + 1}/${total}${i < o.warmup ? ' (warm-up)' : ''}: fetch ${((t1 - t0) / 1000).toFixed(3)}s step ${((t2 - t1) / 1000).toFixed(3)}s loss ${loss.toFixed(4)}\n`);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const n = B * o.timed;
  return {
    warmupBatches: o.warmup,
    timedBatches: o.timed,
    threads: training.threads,
    fetchSps: Math.round(n / sum(fetch)),
    stepSps: Math.round(n / sum(step)),
    trainSps: Math.round(n / (sum(fetch) + sum(step))),
    fetchShare: round(sum(fetch) / (sum(fetch) + sum(step)), 4),
    fetchSecondsMedian: round(median(fetch), 4),
    stepSecondsMedian: round(median(step), 4),
    stepSpsFromMedian: Math.round(B / median(step)),
    // worker threads' CPU time counts too: process.cpuUsage covers every thread of the process
    trainSpsPerCpuSecond: Math.round(n / cpuSeconds),
    lastLoss: round(loss, 4),
  };
}
