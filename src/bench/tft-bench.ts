import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LocalObjectStore } from '../store/local-object-store.js';
import type { WindowIndex } from '../dataset/time-series-dataset.js';
import type { TftHyperparameters } from '../model/tft.js';
import { defaultThreads, initBackend, type BackendName } from '../model/backend.js';
import { peakRssMB, round } from './bench-stats.js';
import { BENCH_CONFIGS, PROTOCOL, benchConfig, firstWindows, loadProtocolData, naiveLoss, type ProtocolData } from './tft-protocol.js';
import { timeTraining } from './tft-training.js';
import { enginesFor, type BenchEngines } from './tft-engine.js';
import { loadForPredict, saveBenchArtifact, timeForward, timeInference } from './tft-inference.js';
import { runBudget } from './tft-budget.js';

/** Options of the TFT benchmark. */
export interface TftBenchOptions {
  data: string;
  config?: string;
  budgetMinutes?: number;
  threads?: number;
  backend?: string;
  /** Smoke runs: time this many batches instead of 30 and use only the first this-many validation batches (as the harness's --batches). */
  batches?: number;
  /** Runs of inference and forward-only to take the median of (default 3). */
  repeats?: number;
  /** Only the budget run (needs budgetMinutes): `bench compare` measures throughput in a process of its own. */
  budgetOnly?: boolean;
}

/** What one config's run shares with the others. */
interface RunContext {
  p: ProtocolData;
  val: WindowIndex;
  engines: BenchEngines;
  threads: number;
  timed: number;
  repeats: number;
  budgetMinutes: number;
  budgetOnly: boolean;
  batches?: number;
}

/**
 * The REFERENCE.md protocol on the S&P 500 daily data, per config: training throughput over 3 warm-up and 30
 * timed batches of 2,048 (batch building and the step timed apart); inference over the whole validation set
 * by a freshly loaded artifact, batch building included; the forward pass alone over prebuilt batches; and
 * with a budget, validation loss per whole epoch beside the naive baseline. Peak RSS of the process.
 */
export async function benchTft(opts: TftBenchOptions): Promise<Record<string, unknown>> {
  const names = opts.config ? [opts.config] : Object.keys(BENCH_CONFIGS);
  names.forEach(benchConfig); // an unknown name fails before minutes of data loading
  if (opts.budgetOnly && !opts.budgetMinutes) throw new Error('bench tft --budget-only needs --budget-minutes <n>');
  const backend = await initBackend((opts.backend ?? 'auto') as BackendName | 'auto', { native: true });
  const p = await loadProtocolData(opts.data);
  const val = opts.batches ? firstWindows(p.windows.val, opts.batches * PROTOCOL.batchSize) : p.windows.val;
  const ctx: RunContext = { p, val, engines: enginesFor(backend), threads: opts.threads ?? defaultThreads(), timed: opts.batches ?? PROTOCOL.timedBatches, repeats: opts.repeats ?? 3, budgetMinutes: opts.budgetMinutes ?? 0, budgetOnly: opts.budgetOnly ?? false, batches: opts.batches };
  const out: Record<string, unknown> = {
    backend,
    threads: ctx.threads,
    batchSize: PROTOCOL.batchSize,
    shortened: opts.batches !== undefined,
    samplesPerEpoch: p.windows.train.length,
    validationSamples: p.windows.val.length,
    referenceCounts: { samplesPerEpoch: 263_106, validationSamples: 58_808 },
    naiveValidationLoss: round(naiveLoss(p, val), 4),
    dataSeconds: round(p.seconds, 1),
    rssAfterDataMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  for (const name of names) out[name] = await benchOneConfig(name, benchConfig(name), ctx);
  out.peakRssMB = peakRssMB();
  return out;
}

async function benchOneConfig(name: string, hp: TftHyperparameters, c: RunContext): Promise<Record<string, unknown>> {
  const budget = () => runBudget(c.p, hp, { minutes: c.budgetMinutes, engines: c.engines, threads: c.threads, maxBatchesPerEpoch: c.batches, val: c.val, label: name });
  const training = await c.engines.training(c.p.dataset, hp, c.threads);
  const parameters = training.parameterCount;
  if (c.budgetOnly) {
    await training.close();
    return { parameters, budget: await budget() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-tft-'));
  try {
    const trainingFigures = await timeTraining(training, c.p, { warmup: PROTOCOL.warmupBatches, timed: c.timed, label: name });
    const store = new LocalObjectStore(dir);
    const modelId = `bench-${name}`;
    await saveBenchArtifact(store, { modelId, hyperparameters: hp, dataset: c.p.dataset, manifest: training.manifest(), weights: training.weights(), backend: `${c.engines.backend} × ${training.threads}` });
    await training.close();
    // inference as `predict` runs it: a freshly loaded artifact on the engine predict picks for this backend
    const engine = c.engines.inference(c.threads);
    const inference = await timeInference(engine, store, modelId, c.p.frame, c.val, c.repeats, name);
    const loaded = await loadForPredict(store, modelId, c.p.frame, engine);
    const forward = await timeForward(loaded, c.val, c.repeats, name).finally(() => loaded.model.dispose());
    const result: Record<string, unknown> = { parameters, training: trainingFigures, inference, forward };
    if (c.budgetMinutes > 0) result.budget = await budget();
    return result;
  } finally {
    await training.close();
    tf.disposeVariables();
    await rm(dir, { recursive: true, force: true });
  }
}
