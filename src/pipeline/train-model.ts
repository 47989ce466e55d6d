import { pathInside } from '../core/path-inside.js';
import type { ModelConfig } from '../config/seed-config.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { addDays } from '../core/ny-time.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { TimeSeriesDataset, type DatasetConfig, type PreparedData, type WindowIndex } from '../dataset/time-series-dataset.js';
import type { WideFrame } from '../core/wide-frame.js';
import { naiveLastValueLoss, type TrainOptions, type TrainResult } from '../model/trainer.js';
import { TftTraining, type TftHyperparameters } from '../model/tft-training.js';
import { loadArtifact, saveArtifact, type ArtifactMeta, type SavedArtifact } from '../model/artifact.js';
import { STOCKCAST_VERSION } from '../core/version.js';
import { checkFeatures, type FeatureProblem } from '../dataset/feature-checks.js';
import type { BackendName } from '../model/backend.js';

/** What `trainModel` needs besides the config. */
export interface TrainModelOptions {
  config: ModelConfig;
  modelId: string;
  features: FeatureStore;
  models: ObjectStore;
  home: string;
  backend: string;
  symbols?: string[];
  resume?: boolean;
  /** Where checkpoints go (default `<home>/models/<id>/checkpoints`; SageMaker: /opt/ml/checkpoints). */
  checkpointDir?: string;
  maxMinutes?: number;
  maxEpochs?: number;
  chunkSize?: number;
  /** Cores to train on (worker threads, one wasm instance each); default 1. */
  threads?: number;
  onBatch?: TrainOptions['onBatch'];
  onEpoch?: TrainOptions['onEpoch'];
  shouldStop?: () => boolean;
  log?: (line: string) => void;
  /** Feature problems (unseen categories, constant reals) are errors instead of warnings. */
  strict?: boolean;
}

/** The dataset part of a model config. */
export function datasetConfig(config: ModelConfig): DatasetConfig {
  return {
    features: config.features,
    target: config.target,
    encoderLength: config.maxLookbackPeriod,
    decoderLength: config.maxPredictionLength,
    quantiles: config.quantiles,
    trainStart: config.trainStart,
    trainEnd: config.trainEnd,
    valEnd: config.valEnd,
    testEnd: config.testEnd,
  };
}

/** The model hyperparameters of a config. */
export function hyperparameters(config: ModelConfig): TftHyperparameters {
  return {
    hiddenSize: config.hiddenSize,
    attentionHeadSize: config.attentionHeadSize,
    dropout: config.dropout,
    hiddenContinuousSize: config.hiddenContinuousSize,
    lstmLayers: config.lstmLayers,
  };
}

/**
 * The seed's run_training: read the wide frame from the feature store, fit the dataset on the training split
 * (or reuse the parent's when fine-tuning), train with checkpoints, and store the best model as an artifact.
 */
export async function trainModel(o: TrainModelOptions): Promise<{ result: TrainResult; meta: ArtifactMeta; artifact?: string; saved?: SavedArtifact; featureProblems: FeatureProblem[] }> {
  const cfg = o.config;
  const log = o.log ?? (() => {});
  const targetColumn = cfg.target.replace('log_return_', '');
  const columns = [...new Set([...cfg.features, targetColumn])];
  const frame = await o.features.queryWide({
    features: columns,
    timeFrame: formatTimeFrame(cfg.timeFrame),
    symbols: o.symbols,
    startDate: cfg.trainStart,
    endDate: addDays(cfg.testEnd, -1),
  });
  if (frame.length === 0) throw new Error(`the feature store has no rows for ${columns.join(', ')} between ${cfg.trainStart} and ${cfg.testEnd}`);
  const featureProblems = checkFeatures(frame, datasetConfig(cfg));
  if (o.strict && featureProblems.length > 0) throw new Error(`--strict: ${featureProblems.length} feature problem(s):\n  ${featureProblems.map((p) => p.message).join('\n  ')}`);
  for (const p of featureProblems) log(`WARNING: ${p.message}`);
  const { dataset, hp, parentWeights } = await startingPoint(cfg, frame, o.models, log);
  const data = dataset.prepare(frame);
  const windows = { train: dataset.windows(data, 'train'), val: dataset.windows(data, 'val') };
  const training = await TftTraining.start({ dataset, hyperparameters: hp, seed: cfg.seed, initialWeights: parentWeights, backend: o.backend as BackendName, threads: o.threads, chunkSize: o.chunkSize });
  const manifest = training.manifest();
  const threads = training.threads;
  const naive = naiveValidationLoss(dataset, data, windows.val);
  log(`${frame.symbols.length} symbols, ${data.times.length} time steps; ${windows.train.length} training and ${windows.val.length} validation windows; ${training.parameterCount} parameters; naive last-value validation loss ${naive.toFixed(4)}`);
  const result = await training.run(data, windows, {
    maxEpochs: o.maxEpochs ?? cfg.maxEpochs,
    batchSize: cfg.batchSize,
    learningRate: cfg.learningRate,
    gradientClipVal: cfg.gradientClipVal,
    reduceOnPlateauPatience: cfg.reduceOnPlateauPatience,
    earlyStoppingPatience: cfg.earlyStoppingPatience,
    seed: cfg.seed,
    chunkSize: o.chunkSize,
    maxMinutes: o.maxMinutes,
    // the id is validated at the CLI; this check keeps any other caller from writing outside the home
    checkpointDir: o.checkpointDir ?? pathInside(o.home, 'models', o.modelId, 'checkpoints'),
    resume: o.resume,
    onBatch: o.onBatch,
    onEpoch: o.onEpoch,
    shouldStop: o.shouldStop,
  }).finally(() => training.close());
  const meta = artifactMeta({ o, hp, dataset, data, manifest, naive, result, threads, symbols: frame.symbols.length });
  // a stop before the first validation leaves nothing worth publishing; the checkpoint resumes it
  if (result.state.bestEpoch < 0) return { result, meta, featureProblems };
  const saved = await saveArtifact(o.models, meta, result.bestWeights);
  if (saved.previousVersion) log(`the artifact it replaces is kept at ${o.models.location}/${saved.previousVersion}`);
  if (saved.unchanged) log(`${o.models.location}/${saved.key} already holds this model: nothing written`);
  return { result, meta, artifact: saved.key, saved, featureProblems };
}

/** The dataset and architecture to train: fitted afresh, or the parent's when fine-tuning (with its weights). */
async function startingPoint(cfg: ModelConfig, frame: WideFrame, models: ObjectStore, log: (line: string) => void): Promise<{ dataset: TimeSeriesDataset; hp: TftHyperparameters; parentWeights?: Float32Array }> {
  if (!cfg.fineTuningModelId) return { dataset: TimeSeriesDataset.fit(frame, datasetConfig(cfg)), hp: hyperparameters(cfg) };
  const parent = await loadArtifact(models, cfg.fineTuningModelId);
  log(`fine-tuning from ${cfg.fineTuningModelId} (best val loss ${parent.meta.training.bestValLoss.toFixed(4)}) with dropout ${cfg.dropout}`);
  return {
    dataset: TimeSeriesDataset.fromState({ ...parent.meta.dataset, ...splitOf(cfg) }),
    // fine-tuning keeps the parent's architecture and encoders; only dropout (and training settings) change
    hp: { ...parent.meta.hyperparameters, dropout: cfg.dropout },
    parentWeights: parent.weights,
  };
}

/**
 * The naive forecast's validation loss in the target's units: the last value for a price target, and for a
 * log-return target no change (a return of 0), which is the same forecast of the price. Repeating the last
 * return would be a momentum bet, not a naive baseline.
 */
function naiveValidationLoss(dataset: TimeSeriesDataset, data: PreparedData, windows: WindowIndex): number {
  if (!dataset.state.targetIsLogReturn) return naiveLastValueLoss(dataset, data, windows);
  const { encoderLength: Te, decoderLength: Td } = dataset.state;
  let sum = 0;
  for (let w = 0; w < windows.length; w++) {
    const row0 = data.seriesOffset[windows.series[w]!]! + windows.start[w]! + Te;
    for (let t = 0; t < Td; t++) sum += Math.abs(data.target[row0 + t]!);
  }
  return sum / (windows.length * Td);
}

/** What the artifact records beside the weights: architecture, dataset state and how training went. */
function artifactMeta(a: {
  o: TrainModelOptions;
  hp: TftHyperparameters;
  dataset: TimeSeriesDataset;
  data: PreparedData;
  manifest: ArtifactMeta['manifest'];
  naive: number;
  result: TrainResult;
  threads: number;
  symbols: number;
}): ArtifactMeta {
  const { o, data, result } = a;
  const cfg = o.config;
  return {
    format: 'stockcast-tft/1',
    modelId: o.modelId,
    hyperparameters: a.hp,
    dataset: a.dataset.state,
    manifest: a.manifest,
    training: {
      config: { id: cfg.id, ...Object.fromEntries(Object.entries(cfg).filter(([k]) => k !== 'metadata')) },
      dataRange: { first: data.dates[0] ?? '', last: data.dates[data.dates.length - 1] ?? '', symbols: a.symbols },
      epochs: result.state.epoch,
      bestEpoch: result.state.bestEpoch,
      bestValLoss: result.state.bestValLoss,
      naiveValLoss: a.naive,
      stoppedBy: result.stoppedBy,
      history: result.state.history,
      backend: `${o.backend} × ${a.threads} thread(s)`,
      stockcastVersion: STOCKCAST_VERSION,
      createdAt: new Date().toISOString(),
      seed: cfg.seed,
    },
  };
}

function splitOf(cfg: ModelConfig): Pick<DatasetConfig, 'trainStart' | 'trainEnd' | 'valEnd' | 'testEnd'> {
  return { trainStart: cfg.trainStart, trainEnd: cfg.trainEnd, valEnd: cfg.valEnd, testEnd: cfg.testEnd };
}
