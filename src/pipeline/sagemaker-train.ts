/**
 * `train --sagemaker`: the seed's path to GPU training, through stockcast's own image. Uploads the config (and
 * symbols) and a manifest of exactly the feature files the config reads, starts a training job, waits with every
 * status change reported, and registers the job's model.tar.gz like a local run: validated, then saved at
 * `<model_id>/output/model.tar.gz` with the artifact it replaces kept as a version.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import type { ModelConfig } from '../config/seed-config.js';
import { formatTimeFrame } from '../core/time-frame.js';
import type { ObjectStore } from '../store/object-store.js';
import { LocalObjectStore } from '../store/local-object-store.js';
import { isOwnPartitionFile, unmigratedSeedFiles } from '../store/seed-layout.js';
import { artifactKey, loadArtifact, saveArtifact, type SavedArtifact } from '../model/artifact.js';
import { trainingJobName, waitForTrainingJob, type JobEvent, type TrainingJobs, type TrainingJobSpec } from '../adapters/sagemaker/training-job.js';

/** Where the data is and how the job should run. */
export interface SageMakerTrainOptions {
  modelId: string;
  config: ModelConfig;
  /** configs.yaml and an optional symbols file, as local text. */
  configText: string;
  symbolsText?: string;
  /** The feature store's bucket (keys under `featurePrefix`). */
  features: { objects: ObjectStore; bucket: string; prefix: string };
  /** The model bucket's store (S3_MODEL_OUTPUT_BUCKET_NAME, keys from the bucket root). */
  models: { objects: ObjectStore; bucket: string };
  /** A store for a bucket other than the model bucket, should SageMaker report the artifact there. */
  bucketStore: (bucket: string) => ObjectStore;
  jobs: Pick<TrainingJobs, 'create' | 'describe'>;
  image: string;
  roleArn: string;
  instanceType: string;
  spot: boolean;
  volumeGb: number;
  maxMinutes?: number;
  hyperparameters: Record<string, string>;
  environment: Record<string, string>;
  pollMs: number;
  now?: Date;
  onEvent: (e: JobEvent | { kind: 'created'; jobName: string; arn: string }) => void;
  shouldStop?: () => boolean;
}

/** How the job ended; `saved` when its model was registered. */
export interface SageMakerResult {
  jobName: string;
  description: DescribeTrainingJobCommandOutput;
  saved?: SavedArtifact;
  /** The wait ended before the job did (Ctrl-C): it keeps running. */
  detached: boolean;
}

/** Uploads the inputs, starts the job, waits, registers the model. */
export async function trainOnSageMaker(o: SageMakerTrainOptions): Promise<SageMakerResult> {
  const jobName = trainingJobName(o.modelId, o.now ?? new Date());
  const base = `${o.modelId}/sagemaker/${jobName}`;
  const s3 = (key: string) => `s3://${o.models.bucket}/${key}`;
  await o.models.objects.put(`${base}/input/config/configs.yaml`, o.configText);
  if (o.symbolsText !== undefined) await o.models.objects.put(`${base}/input/config/symbols.txt`, o.symbolsText);
  await o.models.objects.put(`${base}/input/features.manifest`, JSON.stringify(await featureManifest(o)));
  const channels: TrainingJobSpec['channels'] = [
    { name: 'features', s3Uri: s3(`${base}/input/features.manifest`), manifest: true },
    { name: 'config', s3Uri: s3(`${base}/input/config/`) },
  ];
  if (o.config.fineTuningModelId) channels.push({ name: 'parent', s3Uri: s3(artifactKey(o.config.fineTuningModelId)) });
  const hyperparameters = { model_id: o.modelId, config_path: 'configs.yaml', ...(o.symbolsText !== undefined ? { symbols_path: 'symbols.txt' } : {}), ...o.hyperparameters };
  const arn = await o.jobs.create({
    jobName, image: o.image, roleArn: o.roleArn, instanceType: o.instanceType, volumeGb: o.volumeGb, spot: o.spot,
    // the container stops itself at max_minutes; the margin covers start-up, data download and the upload
    maxRuntimeSeconds: o.maxMinutes ? Math.ceil(o.maxMinutes * 60) + 1800 : 86_400,
    channels, outputS3Uri: s3(`${o.modelId}/sagemaker/`), checkpointS3Uri: s3(`${base}/checkpoints/`), hyperparameters, environment: o.environment,
  });
  o.onEvent({ kind: 'created', jobName, arn });
  return attachTrainingJob(o, jobName);
}

/** Waits for a running (or finished) job and registers its model. */
export async function attachTrainingJob(o: Pick<SageMakerTrainOptions, 'modelId' | 'models' | 'bucketStore' | 'jobs' | 'pollMs' | 'onEvent' | 'shouldStop'>, jobName: string): Promise<SageMakerResult> {
  const description = await waitForTrainingJob(o.jobs, jobName, { pollMs: o.pollMs, onEvent: o.onEvent, shouldStop: o.shouldStop });
  const status = description.TrainingJobStatus;
  if (status !== 'Completed' && status !== 'Failed' && status !== 'Stopped') return { jobName, description, detached: true };
  if (status === 'Failed') throw new Error(`SageMaker training job ${jobName} failed: ${description.FailureReason ?? 'no reason given'}`);
  const uri = description.ModelArtifacts?.S3ModelArtifacts;
  if (!uri) throw new Error(`SageMaker training job ${jobName} ended ${status} without a model artifact`);
  return { jobName, description, saved: await registerArtifact(o, uri), detached: false };
}

/** Downloads the job's model.tar.gz, checks it is a stockcast model of this id, and saves it like a local run. */
async function registerArtifact(o: Pick<SageMakerTrainOptions, 'modelId' | 'models' | 'bucketStore'>, uri: string): Promise<SavedArtifact> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`SageMaker reported the model at "${uri}", which is not an s3:// URI`);
  const source = m[1] === o.models.bucket ? o.models.objects : o.bucketStore(m[1]!);
  const dir = await mkdtemp(join(tmpdir(), 'stockcast-sm-artifact-'));
  try {
    const staging = new LocalObjectStore(dir);
    if (!(await source.getFile(m[2]!, staging.localPath(artifactKey(o.modelId))))) throw new Error(`the job's model ${uri} does not exist`);
    const { meta, weights } = await loadArtifact(staging, o.modelId);
    if (meta.modelId !== o.modelId) throw new Error(`the job's model ${uri} is model "${meta.modelId}", not "${o.modelId}"`);
    return await saveArtifact(o.models.objects, meta, weights);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A SageMaker manifest of the files the config reads: its features (and target) at its time frame, stockcast's
 * partitions and the seed's files not yet migrated, relative to the feature prefix (their paths are kept in the channel).
 */
async function featureManifest(o: SageMakerTrainOptions): Promise<unknown[]> {
  const tf = formatTimeFrame(o.config.timeFrame);
  const columns = [...new Set([...o.config.features, o.config.target.replace('log_return_', '')])];
  const keys: string[] = [];
  for (const f of columns) {
    const dir = `${o.features.prefix}/feature=${f}/time_frame=${tf}/`;
    const own = (await o.features.objects.list(dir)).filter((k) => isOwnPartitionFile(k.slice(dir.length)));
    const seed = (await unmigratedSeedFiles(o.features.objects, o.features.prefix, [f], tf)).get(f) ?? [];
    if (own.length + seed.length === 0) throw new Error(`s3://${o.features.bucket}/${dir} holds no data for feature ${f}: backfill it before training on SageMaker`);
    keys.push(...own, ...seed);
  }
  return [{ prefix: `s3://${o.features.bucket}/${o.features.prefix}/` }, ...keys.map((k) => k.slice(o.features.prefix.length + 1))];
}
