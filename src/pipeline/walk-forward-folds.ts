import { createHash } from 'node:crypto';
import type { ModelConfig } from '../config/seed-config.js';
import { addDays, isRealDate } from '../core/ny-time.js';

/** One walk-forward fold: train on an expanding window, choose the epoch on the period just before the test, test on the next one. */
export interface Fold {
  index: number;
  /** The fold model's id in the model store: `<model id>--wf-<test start>-<test end>`. */
  modelId: string;
  trainStart: string;
  trainEnd: string;
  /** End of the validation period = start of the test period (dates are exclusive ends, as in configs.yaml). */
  valEnd: string;
  testEnd: string;
}

/** How to cut folds: `n` equal periods of the config's test range, or whole calendar years. */
export type FoldSpec = { folds: number } | { testYears: number[] };

const DAY_MS = 86_400_000;
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * The folds of a config: each test period is preceded by a validation period as long as the config's own
 * (train_end … val_end), and trained on everything from train_start before that (an expanding window).
 */
export function planFolds(config: ModelConfig, spec: FoldSpec): Fold[] {
  const valDays = days(config.trainEnd, config.valEnd);
  if (valDays < 1) throw new Error(`walk-forward needs a validation period: val_end ${config.valEnd} must be after train_end ${config.trainEnd}`);
  const periods = 'folds' in spec ? equalPeriods(config, spec.folds) : yearPeriods(spec.testYears);
  return periods.map(([start, end], index) => {
    const trainEnd = addDays(start, -valDays);
    if (!(trainEnd > config.trainStart)) {
      throw new Error(`fold ${index + 1} (test ${start} … ${end}) would train on nothing: train_start ${config.trainStart} leaves no training days before its ${valDays}-day validation period`);
    }
    return { index, modelId: `${config.id}--wf-${start}-${end}`, trainStart: config.trainStart, trainEnd, valEnd: start, testEnd: end };
  });
}

/** The config of a fold's model: the same model, with the fold's dates and id. */
export function foldConfig(config: ModelConfig, fold: Fold): ModelConfig {
  return { ...config, id: fold.modelId, trainStart: fold.trainStart, trainEnd: fold.trainEnd, valEnd: fold.valEnd, testEnd: fold.testEnd, fineTuningModelId: undefined };
}

/** A fingerprint of what a fold trains (config without metadata): a changed config never resumes an old fold. */
export function foldFingerprint(config: ModelConfig): string {
  const { metadata: _m, ...rest } = config;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

function equalPeriods(config: ModelConfig, n: number): Array<[string, string]> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--folds: expected an integer >= 1, got ${n}`);
  const total = days(config.valEnd, config.testEnd);
  if (total < n) throw new Error(`the test range ${config.valEnd} … ${config.testEnd} is too short for ${n} folds`);
  return Array.from({ length: n }, (_, k) => [addDays(config.valEnd, Math.round((k * total) / n)), addDays(config.valEnd, Math.round(((k + 1) * total) / n))]);
}

function yearPeriods(years: number[]): Array<[string, string]> {
  if (years.length === 0) throw new Error('--test-years: give at least one year');
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  for (const y of sorted) if (!Number.isInteger(y) || !isRealDate(`${y}-01-01`) || y < 1900) throw new Error(`--test-years: expected years such as 2017,2018, got ${y}`);
  return sorted.map((y) => [`${y}-01-01`, `${y + 1}-01-01`]);
}
