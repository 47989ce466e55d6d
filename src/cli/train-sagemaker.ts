/** `stockcast train --sagemaker`: start (or re-attach to) a SageMaker training job and register its model. */
import { resolveRegion } from './aws-setup.js';
import { readFile } from 'node:fs/promises';
import type { ModelConfig } from '../config/seed-config.js';
import { STOCKCAST_VERSION } from '../core/version.js';
import type { ObjectStore } from '../store/object-store.js';
import { openRuntime, type Runtime } from './runtime.js';

/** The flags of a SageMaker run. */
export interface SageMakerFlags {
  modelId: string;
  config: ModelConfig;
  configPath: string;
  symbolsFile?: string;
  instanceType?: string;
  role?: string;
  image?: string;
  spot?: boolean;
  volumeGb?: number;
  maxMinutes?: number;
  maxEpochs?: number;
  backend?: string;
  threads?: number;
  pollSeconds?: number;
  attach?: string;
}

const ROLE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
const INSTANCE = /^ml\.[a-z0-9-]+\.[a-z0-9]+$/;

/** The image of this stockcast version in the role's account ECR (`-gpu` for GPU instance families). */
export function defaultImage(roleArn: string, region: string, instanceType: string): string {
  const account = ROLE.exec(roleArn)![1];
  const gpu = /^ml\.(g|p)\d/.test(instanceType);
  return `${account}.dkr.ecr.${region}.amazonaws.com/stockcast:${STOCKCAST_VERSION}${gpu ? '-gpu' : ''}`;
}

/** Checks the flags; the messages say what each one expects. */
function checkFlags(f: SageMakerFlags): { role: string; instanceType: string } {
  if (!f.role || !ROLE.test(f.role)) throw new Error(`--role: expected the ARN of an IAM role SageMaker can assume, e.g. arn:aws:iam::123456789012:role/SageMakerExecution, got ${f.role ? `"${f.role}"` : 'nothing'}`);
  if (!f.instanceType || !INSTANCE.test(f.instanceType)) throw new Error(`--instance-type: expected a SageMaker instance type such as ml.g4dn.xlarge or ml.c5.2xlarge, got ${f.instanceType ? `"${f.instanceType}"` : 'nothing'}`);
  return { role: f.role, instanceType: f.instanceType };
}

/** The S3 stores SageMaker reads from and writes to; a clear error when either bucket is not configured. */
async function buckets(runtime: Runtime): Promise<{ bucket: string; modelBucket: string; models: ObjectStore }> {
  const s = runtime.settings;
  if (!s.bucket || !s.modelBucket) {
    throw new Error('--sagemaker needs the features in S3 (S3_BUCKET_NAME: the job reads them there) and a model bucket (S3_MODEL_OUTPUT_BUCKET_NAME: the job writes the model there); set both in the environment or .env');
  }
  return { bucket: s.bucket, modelBucket: s.modelBucket, models: await runtime.modelStore() };
}

/** Runs the job (or attaches to one), printing each change; Ctrl-C detaches and says how to come back. */
export async function runSageMakerTraining(f: SageMakerFlags): Promise<void> {
  const runtime = await openRuntime();
  let detach = false;
  const onSigint = () => (detach = true);
  process.on('SIGINT', onSigint);
  try {
    const { bucket, modelBucket, models } = await buckets(runtime);
    const s = runtime.settings;
    const { TrainingJobs } = await import('../adapters/sagemaker/training-job.js');
    const { S3ObjectStore } = await import('../store/s3-object-store.js');
    const { attachTrainingJob, trainOnSageMaker } = await import('../pipeline/sagemaker-train.js');
    const endpoint = s.get('AWS_ENDPOINT_URL_SAGEMAKER') ?? s.get('AWS_ENDPOINT_URL');
    // no hard-coded region: the settings', else the SDK's chain (the profile), else a clear error
    const region = await resolveRegion(s, endpoint, async () => new (await import('@aws-sdk/client-s3')).S3Client({}));
    const jobs = new TrainingJobs({ region, endpoint, credentials: s.awsCredentials() });
    const started = Date.now();
    const common = {
      modelId: f.modelId, jobs, pollMs: (f.pollSeconds ?? 30) * 1000, shouldStop: () => detach,
      models: { objects: models, bucket: modelBucket },
      bucketStore: (b: string) => new S3ObjectStore({ ...s.s3Options(b), region }) as ObjectStore,
      onEvent: (e: Parameters<Parameters<typeof trainOnSageMaker>[0]['onEvent']>[0]) => process.stdout.write(`${eventLine(e, started, region)}\n`),
    };
    let result;
    if (f.attach) {
      result = await attachTrainingJob(common, f.attach);
    } else {
      const { role, instanceType } = checkFlags(f);
      const image = f.image ?? defaultImage(role, region, instanceType);
      process.stderr.write(`image: ${image}\n`);
      result = await trainOnSageMaker({
        ...common, config: f.config, configText: await readFile(f.configPath, 'utf8'), symbolsText: f.symbolsFile ? await readFile(f.symbolsFile, 'utf8') : undefined,
        features: { objects: await runtime.objectStore(), bucket, prefix: s.featurePrefix },
        image, roleArn: role, instanceType, spot: f.spot ?? false, volumeGb: f.volumeGb ?? 30, maxMinutes: f.maxMinutes,
        hyperparameters: hyperparameters(f), environment: { ATHENA_TABLE_S3_PREFIX: s.featurePrefix, REGION_NAME: region },
      });
    }
    report(result, models.location, f.modelId);
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.close();
  }
}

/** The flags the container takes as hyperparameters (strings, as SageMaker passes them). */
function hyperparameters(f: SageMakerFlags): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.maxEpochs !== undefined) out.max_epochs = String(f.maxEpochs);
  if (f.maxMinutes !== undefined) out.max_minutes = String(f.maxMinutes);
  if (f.backend && f.backend !== 'auto') out.backend = f.backend;
  if (f.threads !== undefined) out.threads = String(f.threads);
  return out;
}

function eventLine(e: { kind: string; [k: string]: unknown }, started: number, region: string): string {
  const t = `[${new Date(Date.now() - started).toISOString().slice(11, 19)}]`;
  if (e.kind === 'created') return `${t} started training job ${String(e.jobName)} (${String(e.arn)})\n${t} console: https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/jobs/${String(e.jobName)}  logs: CloudWatch /aws/sagemaker/TrainingJobs`;
  if (e.kind === 'status') return `${t} ${String(e.status)} / ${String(e.secondary)}`;
  return `${t}   ${String(e.status)}${e.message ? `: ${String(e.message)}` : ''}`;
}

function report(r: import('../pipeline/sagemaker-train.js').SageMakerResult, location: string, modelId: string): void {
  if (r.detached) {
    process.stdout.write(`detached: job ${r.jobName} keeps running on SageMaker; come back with \`stockcast train --model-id ${modelId} --sagemaker --attach ${r.jobName}\`\n`);
    process.exitCode = 130;
    return;
  }
  const billable = r.description.BillableTimeInSeconds;
  process.stdout.write(`job ${r.jobName} ${String(r.description.TrainingJobStatus).toLowerCase()}${billable !== undefined ? ` (${billable} billable seconds)` : ''}\n`);
  if (r.saved?.unchanged) process.stdout.write(`${location}/${r.saved.key} already holds this model: nothing written\n`);
  else if (r.saved) process.stdout.write(`model artifact: ${location}/${r.saved.key}${r.saved.previousVersion ? ` (the one it replaces is kept at ${r.saved.previousVersion})` : ''}\n`);
}
