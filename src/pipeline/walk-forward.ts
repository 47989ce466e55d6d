import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelConfig } from '../config/seed-config.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { predictionsKey, readPredictions, writePredictions } from '../store/predictions-parquet.js';
import { loadArtifact } from '../model/artifact.js';
import type { TrainOptions } from '../model/trainer.js';
import { concatTables, type PredictionTable } from '../core/prediction-table.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { alignBaseline, evaluatePredictions, type Evaluation } from '../backtest/evaluation.js';
import { forecastQuality } from '../backtest/forecast-quality.js';
import { naiveQuantileLoss } from '../backtest/naive-baseline.js';
import type { GridSpec } from '../backtest/grid.js';
import { strategyFromConfig, type StrategyOverrides } from '../strategies/registry.js';
import { evaluationHtml } from '../report/evaluation-html.js';
import { trainModel } from './train-model.js';
import { predictModel } from './predict-model.js';
import { baselineTables } from './baseline-predictions.js';
import { modelFrame } from './model-frame.js';
import { configGrid } from './evaluate-model.js';
import { evaluationDocument, putJson, type StoredEvaluation } from './results-store.js';
import { foldConfig, foldFingerprint, planFolds, type Fold, type FoldSpec } from './walk-forward-folds.js';

/** What `walkForward` needs. */
export interface WalkForwardOptions {
  config: ModelConfig;
  modelId: string;
  spec: FoldSpec;
  features: FeatureStore;
  models: ObjectStore;
  home: string;
  backend: string;
  threads?: number;
  chunkSize?: number;
  /** Training time budget of each fold (a resumed fold gets what is left of it). */
  maxMinutesPerFold?: number;
  maxEpochs?: number;
  symbols?: string[];
  /** Forget what earlier runs of these folds did (their checkpoints are not resumed). */
  restart?: boolean;
  strategy?: StrategyOverrides;
  grid?: GridSpec;
  reportPath: string;
  log?: (line: string) => void;
  onBatch?: TrainOptions['onBatch'];
  onEpoch?: TrainOptions['onEpoch'];
  shouldStop?: () => boolean;
}

/** One fold's training and test-range figures. */
export interface FoldResult extends Fold {
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  naiveValLoss: number;
  stoppedBy: string;
  trainingMinutes: number;
  test: { windows: number; quantileLoss: number; naiveQuantileLoss: number; mae: number; naiveMae: number; rankIc: number };
}

/** The whole walk-forward: each fold, and the concatenated out-of-sample predictions evaluated as one. */
export interface WalkForwardResult {
  folds: FoldResult[];
  evaluation: Evaluation;
  document: StoredEvaluation & { folds: FoldResult[] };
  predictionsKey: string;
}

/** A fold's progress, kept across runs so a killed walk-forward continues where it was. */
interface FoldState {
  fingerprint: string;
  status: 'training' | 'trained' | 'predicted';
  /** Training has begun: a checkpoint may exist to resume from. */
  started?: boolean;
  trainingMinutes: number;
}

/** Where a walk-forward's state and results live. */
export const walkForwardKeys = (modelId: string) => ({ predictions: `${modelId}/output/walk-forward/predictions.parquet`, result: `${modelId}/output/walk-forward.json` });

/** A walk-forward stopped early (interrupted, or a fold that finished no epoch in its budget): re-run to continue. */
export class WalkForwardIncomplete extends Error {
  constructor(message: string, readonly interrupted: boolean) {
    super(message);
    this.name = 'WalkForwardIncomplete';
  }
}

/**
 * Walk-forward validation: for each fold, train on an expanding window (the epoch chosen on the validation
 * period just before the fold), predict the fold's test period, and finally evaluate all out-of-sample
 * predictions as one, beside the baselines (each fitted on its own fold's training range). Resumable: a fold
 * already predicted is skipped, a fold in training resumes from its checkpoint with what is left of its budget.
 */
export async function walkForward(o: WalkForwardOptions): Promise<WalkForwardResult> {
  const log = o.log ?? (() => {});
  const folds = planFolds(o.config, o.spec);
  const statePath = join(o.home, 'walk-forward', `${o.modelId}.json`);
  const state = o.restart ? {} : await readState(statePath);
  // saves run one after another, so a slow earlier save never lands after a later one
  let saving = Promise.resolve();
  const save = () => {
    const text = JSON.stringify(state, null, 1);
    return (saving = saving.then(() => writeFileAtomic(statePath, text)));
  };
  for (const fold of folds) {
    const cfg = foldConfig(o.config, fold);
    const fingerprint = foldFingerprint(cfg);
    let entry = state[fold.modelId];
    if (entry && entry.fingerprint !== fingerprint) {
      throw new Error(`fold ${fold.index + 1} (${fold.modelId}) was started with another config; pass --restart to train the folds again from scratch`);
    }
    const label = `fold ${fold.index + 1}/${folds.length}: train ${fold.trainStart} … ${fold.trainEnd}, validate … ${fold.valEnd}, test … ${fold.testEnd}`;
    if (entry?.status === 'predicted') {
      log(`${label}: done in an earlier run`);
      continue;
    }
    entry = state[fold.modelId] ??= { fingerprint, status: 'training', trainingMinutes: 0 };
    if (entry.status === 'training') await trainFold(o, cfg, entry, label, log, save);
    log(`${label}: predicting the test period`);
    await predictModel({ modelId: fold.modelId, features: o.features, models: o.models });
    entry.status = 'predicted';
    await save();
  }
  return evaluateFolds(o, folds, state);
}

/** Trains one fold within what is left of its budget; stops the walk-forward when it ends without a usable model. */
async function trainFold(o: WalkForwardOptions, cfg: ModelConfig, entry: FoldState, label: string, log: (line: string) => void, save: () => Promise<void>): Promise<void> {
  const budget = o.maxMinutesPerFold;
  // a fold whose budget ran out before its first epoch gets a fresh one, or it could never finish
  const left = budget === undefined ? undefined : budget - entry.trainingMinutes > 0.01 ? budget - entry.trainingMinutes : budget;
  log(`${label}: training${left !== undefined ? ` (budget ${left.toFixed(1)} min)` : ''}${entry.started ? `, resuming its checkpoint after ${entry.trainingMinutes.toFixed(1)} min` : ''}`);
  const resume = entry.started === true;
  entry.started = true;
  await save();
  const started = Date.now();
  const spentBefore = entry.trainingMinutes;
  const spent = () => spentBefore + (Date.now() - started) / 60_000;
  const { result, artifact } = await trainModel({
    config: cfg,
    modelId: cfg.id,
    features: o.features,
    models: o.models,
    home: o.home,
    backend: o.backend,
    threads: o.threads,
    chunkSize: o.chunkSize,
    symbols: o.symbols,
    resume,
    maxMinutes: left,
    maxEpochs: o.maxEpochs,
    log,
    onBatch: o.onBatch,
    // the minutes spent are saved with every epoch, so a killed run resumes with what is left of the budget
    onEpoch: (record, st) => {
      entry.trainingMinutes = spent();
      void save();
      o.onEpoch?.(record, st);
    },
    shouldStop: o.shouldStop,
  });
  entry.trainingMinutes = spent();
  const done = artifact !== undefined && result.stoppedBy !== 'interrupted';
  if (done) entry.status = 'trained';
  await save();
  if (!done) {
    const why = result.stoppedBy === 'interrupted' ? 'interrupted' : 'no epoch finished within the fold\'s time budget';
    throw new WalkForwardIncomplete(`${label}: ${why}; run the same walk-forward command again to continue (it resumes this fold from its checkpoint)`, result.stoppedBy === 'interrupted');
  }
}

/** Concatenates the folds' out-of-sample predictions and evaluates them as one beside the baselines. */
async function evaluateFolds(o: WalkForwardOptions, folds: Fold[], state: Record<string, FoldState>): Promise<WalkForwardResult> {
  const tables: PredictionTable[] = [];
  const baselineParts = new Map<string, PredictionTable[]>();
  const results: FoldResult[] = [];
  for (const fold of folds) {
    const table = await readPredictions(o.models, predictionsKey(fold.modelId), `walk-forward fold ${fold.modelId}`);
    const { meta } = await loadArtifact(o.models, fold.modelId);
    for (const b of baselineTables(meta.dataset, await modelFrame(o.features, meta))) {
      baselineParts.set(b.name, [...(baselineParts.get(b.name) ?? []), alignBaseline(table, b.table, b.name)]);
    }
    tables.push(table);
    const q = forecastQuality(table);
    const t = meta.training;
    results.push({
      ...fold,
      epochs: t.epochs,
      bestEpoch: t.bestEpoch,
      bestValLoss: t.bestValLoss,
      naiveValLoss: t.naiveValLoss,
      stoppedBy: t.stoppedBy,
      trainingMinutes: state[fold.modelId]?.trainingMinutes ?? NaN,
      test: { windows: table.currentY.length, quantileLoss: q.quantileLoss, naiveQuantileLoss: naiveQuantileLoss(table), mae: q.mae, naiveMae: q.naiveMae, rankIc: q.rankIc.mean },
    });
  }
  const table = concatTables(tables);
  const baselines = [...baselineParts].map(([name, parts]) => ({ name, table: concatTables(parts) }));
  const evaluation = evaluatePredictions(`${o.modelId} (walk-forward)`, table, strategyFromConfig(o.config, o.strategy), o.grid ?? configGrid(o.config), baselines);
  const keys = walkForwardKeys(o.modelId);
  await writePredictions(o.models, keys.predictions, table);
  const document = { ...evaluationDocument(evaluation, table), folds: results };
  await putJson(o.models, keys.result, document);
  await writeFileAtomic(o.reportPath, evaluationHtml(evaluation));
  return { folds: results, evaluation, document, predictionsKey: keys.predictions };
}

async function readState(path: string): Promise<Record<string, FoldState>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, FoldState>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`walk-forward state ${path} is unreadable (${(err as Error).message}); delete it or pass --restart`);
  }
}
