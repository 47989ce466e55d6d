/**
 * `stockcast train` inside a SageMaker training job (the image's entry point gets `train` and nothing else): the
 * model id and settings come from the hyperparameters, features from the `features` channel (or S3 through the
 * job's environment), configs.yaml from the `config` channel, the parent of a fine-tuned model from `parent`.
 * Training always resumes from /opt/ml/checkpoints (a reclaimed spot instance continues where it stopped), stops
 * cleanly on SIGTERM, and leaves the artifact's files in SM_MODEL_DIR for SageMaker to pack as model.tar.gz.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as tar from 'tar';
import { featureRootInChannel, trainingHyperparameters, type SageMakerContainer } from '../adapters/sagemaker/container-contract.js';
import { getConfig, loadConfigFile, type ModelConfig } from '../config/seed-config.js';
import { runtimeChoice } from '../config/runtime-hints.js';
import { redactSecrets } from '../core/redact.js';
import { trainModel } from '../pipeline/train-model.js';
import { LocalObjectStore } from '../store/local-object-store.js';
import type { FeatureStore } from '../store/feature-store.js';
import { readSymbolsFile } from './backfill.js';
import { openRuntime, type Runtime } from './runtime.js';

/** The flags `train` was given (hyperparameters fill what they leave out). */
export interface ContainerFlags {
  modelId?: string;
  config?: string;
  backend?: string;
  threads?: number;
  maxEpochs?: number;
  maxMinutes?: number;
  chunkSize?: number;
  symbolsFile?: string;
}

/** Trains as a SageMaker job; on failure writes /opt/ml/output/failure (SageMaker's FailureReason) and rethrows. */
export async function runInSageMaker(c: SageMakerContainer, flags: ContainerFlags): Promise<void> {
  try {
    await trainInContainer(c, flags);
  } catch (err) {
    await mkdir(c.outputDir, { recursive: true }).catch(() => {});
    await writeFile(join(c.outputDir, 'failure'), redactSecrets((err as Error).message).slice(0, 1000)).catch(() => {});
    throw err;
  }
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function trainInContainer(c: SageMakerContainer, flags: ContainerFlags): Promise<void> {
  const hp = trainingHyperparameters(c.hyperparameters);
  log(`SageMaker job ${c.jobName ?? '(no TRAINING_JOB_NAME)'}: channels ${[...c.channels.keys()].sort().join(', ') || 'none'}; model → ${c.modelDir}; checkpoints → ${c.checkpointDir}`);
  if (hp.ignored.length) log(`hyperparameters stockcast does not use: ${hp.ignored.join(', ')}`);
  const modelId = flags.modelId ?? hp.modelId;
  if (!modelId) throw new Error('hyperparameter model_id is required (the config id of configs.yaml)');
  const config = getConfig(loadConfigFile(inputPath(hp.configPath ?? 'configs.yaml', c.channels.get('config')) ?? flags.config ?? 'configs.yaml'), modelId);
  const symbolsPath = hp.symbolsPath ? inputPath(hp.symbolsPath, c.channels.get('config')) : flags.symbolsFile;
  if (hp.symbolsPath && !symbolsPath) throw new Error(`hyperparameter symbols_path: ${hp.symbolsPath} is neither in the config channel nor a readable path`);
  const scratch = await mkdtemp(join(tmpdir(), 'stockcast-sm-'));
  const runtime = await openRuntime({ env: { ...process.env, STOCKCAST_HOME: join(scratch, 'home') } });
  let stop = false;
  const onSignal = (signal: string) => () => {
    stop = true;
    log(`${signal}: stopping after this batch (the checkpoint in ${c.checkpointDir} resumes it)`);
  };
  const handlers = { SIGTERM: onSignal('SIGTERM'), SIGINT: onSignal('SIGINT') };
  for (const [s, h] of Object.entries(handlers)) process.on(s, h);
  try {
    const models = new LocalObjectStore(join(scratch, 'models'));
    await stageParent(c, config, models);
    const choice = runtimeChoice(config, { inSageMaker: true, backendFlag: flags.backend ?? hp.backend, threadsFlag: flags.threads ?? hp.threads, cores: availableParallelism(), gpuBackendInstalled: (await import('../model/backend.js')).isPackageInstalled('@tensorflow/tfjs-node-gpu') });
    for (const note of choice.notes) log(note);
    log(existsSync(join(c.checkpointDir, 'last.ckpt')) ? `resuming from the checkpoint in ${c.checkpointDir}` : `no checkpoint in ${c.checkpointDir}: training from the start`);
    const backend = await runtime.tensorBackend(choice.backend, { native: true });
    log(`backend: ${backend} × ${choice.threads} thread(s)`);
    const { result, meta, artifact } = await trainModel({
      config, modelId, models, backend, home: runtime.home, features: await containerFeatures(c, runtime),
      symbols: symbolsPath ? await readSymbolsFile(symbolsPath) : undefined,
      resume: true, checkpointDir: c.checkpointDir, threads: choice.threads,
      maxEpochs: flags.maxEpochs ?? hp.maxEpochs, maxMinutes: flags.maxMinutes ?? hp.maxMinutes, chunkSize: flags.chunkSize ?? hp.chunkSize,
      log, shouldStop: () => stop,
      onEpoch: (r) => log(`epoch ${r.epoch + 1}  train ${r.trainLoss.toFixed(4)}  val ${r.valLoss.toFixed(4)}  lr ${r.learningRate.toExponential(1)}  ${r.seconds.toFixed(0)} s`),
    });
    log(`stopped by ${result.stoppedBy} after ${meta.training.epochs} epoch(s); best val loss ${meta.training.bestValLoss.toFixed(4)} vs naive ${meta.training.naiveValLoss.toFixed(4)}`);
    if (!artifact) throw new Error(`no epoch completed before ${result.stoppedBy}: nothing to write to ${c.modelDir} (the checkpoint resumes it)`);
    await mkdir(c.modelDir, { recursive: true });
    await tar.x({ file: models.localPath(artifact), cwd: c.modelDir });
    log(`model files → ${c.modelDir} (SageMaker packs them as model.tar.gz)`);
  } finally {
    for (const [s, h] of Object.entries(handlers)) process.off(s, h);
    await runtime.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A path given by a hyperparameter: in the channel when it is there, else as given; null when neither exists. */
function inputPath(path: string, channel: string | undefined): string | null {
  if (!isAbsolute(path) && channel && existsSync(join(channel, path))) return join(channel, path);
  return existsSync(path) ? path : null;
}

/** The feature store of the `features` (or `training`) channel, else the runtime's (S3 through the job's environment). */
async function containerFeatures(c: SageMakerContainer, runtime: Runtime): Promise<FeatureStore> {
  const channel = c.channels.get('features') ?? c.channels.get('training') ?? c.channels.get('train');
  if (!channel) return runtime.featureStore();
  const found = featureRootInChannel(channel);
  if (!found) throw new Error(`the features channel (${channel}) holds no feature=<name>/ directories: point it at the feature store's prefix`);
  const { ParquetFeatureStore } = await import('../store/parquet-feature-store.js');
  return ParquetFeatureStore.open({ objects: new LocalObjectStore(found.root), prefix: found.prefix });
}

/** A fine-tuned config needs its parent's artifact: from the `parent` channel (a model.tar.gz) into the scratch store. */
async function stageParent(c: SageMakerContainer, config: ModelConfig, models: LocalObjectStore): Promise<void> {
  const parentId = config.fineTuningModelId;
  if (!parentId) return;
  const channel = c.channels.get('parent');
  const file = channel && readdirSync(channel).find((n) => n.endsWith('.tar.gz'));
  if (!channel || !file) throw new Error(`config ${config.id} fine-tunes ${parentId}: its model.tar.gz must come as the "parent" channel (train --sagemaker adds it)`);
  const target = models.localPath(`${parentId}/output/model.tar.gz`);
  await mkdir(join(target, '..'), { recursive: true });
  await copyFile(join(channel, file), target);
}
