import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LocalObjectStore } from '../store/local-object-store.js';
import type { WindowIndex } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer, type TftHyperparameters } from '../model/tft.js';
import { initBackend, type BackendName } from '../model/backend.js';
import { peakRssMB, round } from './bench-stats.js';
import { BENCH_CONFIGS, PROTOCOL, benchConfig, firstWindows, loadProtocolData, naiveLoss, type ProtocolData } from './tft-protocol.js';
import { timeTraining } from './tft-training.js';
import { enginesFor } from './tft-engine.js';
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
  backend: BackendName;
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
  const backend = await initBackend((opts.backend ?? 'wasm') as BackendName);
  const p = await loadProtocolData(opts.data);
  const val = opts.batches ? firstWindows(p.windows.val, opts.batches * PROTOCOL.batchSize) : p.windows.val;
  const ctx: RunContext = { p, val, backend, threads: opts.threads ?? 2, timed: opts.batches ?? PROTOCOL.timedBatches, repeats: opts.repeats ?? 3, budgetMinutes: opts.budgetMinutes ?? 0, budgetOnly: opts.budgetOnly ?? false, batches: opts.batches };
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
  const budget = () => runBudget(c.p, hp, { minutes: c.budgetMinutes, backend: c.backend, threads: c.threads, maxBatchesPerEpoch: c.batches, val: c.val, label: name });
  const model = new TemporalFusionTransformer(c.p.dataset.spec(), hp, PROTOCOL.seed);
  const parameters = model.params.count();
  if (c.budgetOnly) {
    model.params.dispose();
    return { parameters, budget: await budget() };
  }
  const engines = enginesFor(c.backend);
  const engine = await engines.training(model, hp, c.threads);
  const training = await timeTraining(model, engine, c.p, { warmup: PROTOCOL.warmupBatches, timed: c.timed, label: name }).finally(() => engine.close());
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-tft-'));
  try {
    const store = new LocalObjectStore(dir);
    const modelId = `bench-${name}`;
    await saveBenchArtifact(store, modelId, model, hp, c.p.dataset, `${c.backend} × ${engine.threads}`);
    model.params.dispose();
    const inference = await timeInference(engines, c.threads, store, modelId, c.p.frame, c.val, c.repeats, name);
    const loaded = await loadForPredict(store, modelId, c.p.frame);
    const forward = await timeForward(engines, c.threads, loaded, c.val, c.repeats, name);
    loaded.model.params.dispose();
    const result: Record<string, unknown> = { parameters, training, inference, forward };
    if (c.budgetMinutes > 0) result.budget = await budget();
    return result;
  } finally {
    tf.disposeVariables();
    await rm(dir, { recursive: true, force: true });
  }
}
