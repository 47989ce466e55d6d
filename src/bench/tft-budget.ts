import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WindowIndex } from '../dataset/time-series-dataset.js';
import type { TftHyperparameters } from '../model/tft.js';
import { round } from './bench-stats.js';
import type { BenchEngines } from './tft-engine.js';
import { PROTOCOL, naiveLoss, type ProtocolData } from './tft-protocol.js';

/** One whole epoch of a budget run. */
export interface BudgetEpoch {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  /** Training samples per second of the epoch (batches and steps, validation excluded). */
  trainSps: number;
  /** The epoch with its validation, and the run's time when it ended. */
  seconds: number;
  elapsedSeconds: number;
}

/** Validation loss after a training time budget, beside the naive baseline (REFERENCE.md's budget mode). */
export interface BudgetFigures {
  minutes: number;
  /** Whole epochs completed within the budget, as the harness counts them. */
  epochs: number;
  /** After the last whole epoch (the harness's val_loss); null when not one epoch fit. */
  validationLoss: number | null;
  naiveValidationLoss: number;
  /** The last whole epoch's training throughput (the harness's budget-mode train_sps). */
  trainSps: number | null;
  perEpoch: BudgetEpoch[];
  /** The weights as they stood when the budget ran out, part way through an epoch. */
  midEpoch: { batchesInPartialEpoch: number; validationLoss: number };
}

/**
 * Trains a fresh model for `minutes` with the protocol's settings (shuffled windows, Adam, clip 0.1, plateau
 * patience 5) on the backend's engine, scoring the validation windows with the engine's own validation loss after
 * each whole epoch and once more where the budget ends.
 */
export async function runBudget(p: ProtocolData, hp: TftHyperparameters, o: { minutes: number; engines: BenchEngines; threads: number; maxBatchesPerEpoch?: number; val: WindowIndex; label: string }): Promise<BudgetFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-bench-budget-'));
  const engine = await o.engines.training(p.dataset, hp, o.threads);
  const perEpoch: BudgetEpoch[] = [];
  const t0 = performance.now();
  let epochStart = t0;
  let lastBatchAt = t0;
  let batches = 0;
  try {
    const res = await engine.run(p.data, { train: p.windows.train, val: o.val }, {
      maxEpochs: 1000,
      batchSize: PROTOCOL.batchSize,
      learningRate: PROTOCOL.learningRate,
      gradientClipVal: PROTOCOL.gradientClip,
      reduceOnPlateauPatience: PROTOCOL.plateauPatience,
      earlyStoppingPatience: 1000,
      seed: PROTOCOL.seed,
      maxMinutes: o.minutes,
      maxBatchesPerEpoch: o.maxBatchesPerEpoch,
      checkpointDir: dir,
      onBatch: (done, total, loss) => {
        lastBatchAt = performance.now();
        batches = done;
        if (done % 20 === 0 || done === total) process.stderr.write(`${o.label}: batch ${done}/${total} loss ${loss.toFixed(4)} (${((lastBatchAt - t0) / 60000).toFixed(1)} min)\n`);
      },
      onEpoch: (r) => {
        const now = performance.now();
        perEpoch.push({ epoch: r.epoch + 1, trainLoss: round(r.trainLoss, 4), valLoss: round(r.valLoss, 4), trainSps: Math.round((batches * PROTOCOL.batchSize) / ((lastBatchAt - epochStart) / 1000)), seconds: round(r.seconds, 1), elapsedSeconds: round((now - t0) / 1000, 1) });
        process.stderr.write(`${o.label}: epoch ${r.epoch + 1} train ${r.trainLoss.toFixed(4)} val ${r.valLoss.toFixed(4)} (${((now - t0) / 60000).toFixed(1)} min)\n`);
        epochStart = now;
      },
    });
    const last = perEpoch.at(-1);
    return {
      minutes: o.minutes,
      epochs: perEpoch.length,
      validationLoss: last ? last.valLoss : null,
      naiveValidationLoss: round(naiveLoss(p, o.val), 4),
      trainSps: last ? last.trainSps : null,
      perEpoch,
      midEpoch: { batchesInPartialEpoch: res.state.batchInEpoch, validationLoss: round(engine.validationLoss(p.data, o.val), 4) },
    };
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}
