import { join } from 'node:path';
import type { ModelConfig } from '../config/seed-config.js';
import { formatTimeFrame } from '../core/time-frame.js';
import { addDays } from '../core/ny-time.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { TimeSeriesDataset, type DatasetConfig } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer, type TftHyperparameters } from '../model/tft.js';
import { naiveLastValueLoss, train, type TrainOptions, type TrainResult } from '../model/trainer.js';
import { loadArtifact, saveArtifact, type ArtifactMeta } from '../model/artifact.js';
import { STOCKCAST_VERSION } from '../core/version.js';
import { GradientPool } from '../model/worker-pool.js';
import type { BackendName } from '../model/backend.js';
import { NativeTft } from '../model/native/native-tft.js';
import { nativeEvaluateLoss, nativeGradients } from '../model/native/native-training.js';

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
  maxMinutes?: number;
  maxEpochs?: number;
  chunkSize?: number;
  /** Cores to train on (worker threads, one wasm instance each); default 1. */
  threads?: number;
  onBatch?: TrainOptions['onBatch'];
  onEpoch?: TrainOptions['onEpoch'];
  shouldStop?: () => boolean;
  log?: (line: string) => void;
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
export async function trainModel(o: TrainModelOptions): Promise<{ result: TrainResult; meta: ArtifactMeta; artifact?: string }> {
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
  let dataset: TimeSeriesDataset;
  let hp = hyperparameters(cfg);
  let parentWeights: Float32Array | undefined;
  if (cfg.fineTuningModelId) {
    const parent = await loadArtifact(o.models, cfg.fineTuningModelId);
    dataset = TimeSeriesDataset.fromState({ ...parent.meta.dataset, ...splitOf(cfg) });
    // fine-tuning keeps the parent's architecture and encoders; only dropout (and training settings) change
    hp = { ...parent.meta.hyperparameters, dropout: cfg.dropout };
    parentWeights = parent.weights;
    log(`fine-tuning from ${cfg.fineTuningModelId} (best val loss ${parent.meta.training.bestValLoss.toFixed(4)}) with dropout ${cfg.dropout}`);
  } else {
    dataset = TimeSeriesDataset.fit(frame, datasetConfig(cfg));
  }
  const data = dataset.prepare(frame);
  const windows = { train: dataset.windows(data, 'train'), val: dataset.windows(data, 'val') };
  const model = new TemporalFusionTransformer(dataset.spec(), hp, cfg.seed);
  if (parentWeights) model.params.load(parentWeights);
  const naive = naiveLastValueLoss(dataset, data, windows.val);
  log(`${frame.symbols.length} symbols, ${data.times.length} time steps; ${windows.train.length} training and ${windows.val.length} validation windows; ${model.params.count()} parameters; naive last-value validation loss ${naive.toFixed(4)}`);
  const native = o.backend === 'native' ? new NativeTft(dataset.spec(), hp, model.params.manifest(), { threads: o.threads }) : undefined;
  const pool = !native && (o.threads ?? 1) > 1 ? await GradientPool.start(model, hp, o.backend as BackendName, o.threads, o.chunkSize) : undefined;
  const result = await train(model, dataset, data, windows, {
    maxEpochs: o.maxEpochs ?? cfg.maxEpochs,
    batchSize: cfg.batchSize,
    learningRate: cfg.learningRate,
    gradientClipVal: cfg.gradientClipVal,
    reduceOnPlateauPatience: cfg.reduceOnPlateauPatience,
    earlyStoppingPatience: cfg.earlyStoppingPatience,
    seed: cfg.seed,
    chunkSize: o.chunkSize,
    maxMinutes: o.maxMinutes,
    checkpointDir: join(o.home, 'models', o.modelId, 'checkpoints'),
    resume: o.resume,
    gradients: native ? nativeGradients(model, native) : pool ? (batch, rng) => pool.gradients(batch, rng) : undefined,
    validationLoss: native ? () => nativeEvaluateLoss(native, model.params.flatten(), dataset, data, windows.val) : undefined,
    onBatch: o.onBatch,
    onEpoch: o.onEpoch,
    shouldStop: o.shouldStop,
  }).finally(() => pool?.close());
  const meta: ArtifactMeta = {
    format: 'stockcast-tft/1',
    modelId: o.modelId,
    hyperparameters: hp,
    dataset: dataset.state,
    manifest: model.params.manifest(),
    training: {
      config: { id: cfg.id, ...Object.fromEntries(Object.entries(cfg).filter(([k]) => k !== 'metadata')) },
      dataRange: { first: data.dates[0] ?? '', last: data.dates[data.dates.length - 1] ?? '', symbols: frame.symbols.length },
      epochs: result.state.epoch,
      bestEpoch: result.state.bestEpoch,
      bestValLoss: result.state.bestValLoss,
      naiveValLoss: naive,
      stoppedBy: result.stoppedBy,
      history: result.state.history,
      backend: `${o.backend} × ${native?.threads ?? pool?.threads ?? 1} thread(s)`,
      stockcastVersion: STOCKCAST_VERSION,
      createdAt: new Date().toISOString(),
      seed: cfg.seed,
    },
  };
  model.params.dispose();
  // a stop before the first validation leaves nothing worth publishing; the checkpoint resumes it
  if (result.state.bestEpoch < 0) return { result, meta };
  return { result, meta, artifact: await saveArtifact(o.models, meta, result.bestWeights) };
}

function splitOf(cfg: ModelConfig): Pick<DatasetConfig, 'trainStart' | 'trainEnd' | 'valEnd' | 'testEnd'> {
  return { trainStart: cfg.trainStart, trainEnd: cfg.trainEnd, valEnd: cfg.valEnd, testEnd: cfg.testEnd };
}
