/**
 * SageMaker training jobs through the AWS SDK (`@aws-sdk/client-sagemaker`, the awsJson1_1 protocol): the request
 * that starts one, and a wait that reports every status and secondary-status change.
 */
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  type CreateTrainingJobCommandInput,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { redactSecrets, registerSecret } from '../../core/redact.js';

/** What one training job needs. S3 URIs end with `/` where they are prefixes. */
export interface TrainingJobSpec {
  jobName: string;
  image: string;
  roleArn: string;
  instanceType: string;
  volumeGb: number;
  maxRuntimeSeconds: number;
  /** Managed spot training: cheaper, may be interrupted (training then resumes from the checkpoints). */
  spot: boolean;
  /** Channel name → S3 URI; `manifest` channels point at a SageMaker manifest file. */
  channels: Array<{ name: string; s3Uri: string; manifest?: boolean }>;
  outputS3Uri: string;
  checkpointS3Uri: string;
  hyperparameters: Record<string, string>;
  environment: Record<string, string>;
}

/** The CreateTrainingJob request of a spec (File input mode; checkpoints synced with /opt/ml/checkpoints). */
export function createTrainingJobInput(s: TrainingJobSpec): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: s.jobName,
    AlgorithmSpecification: { TrainingImage: s.image, TrainingInputMode: 'File' },
    RoleArn: s.roleArn,
    InputDataConfig: s.channels.map((c) => ({
      ChannelName: c.name,
      DataSource: { S3DataSource: { S3DataType: c.manifest ? 'ManifestFile' : 'S3Prefix', S3Uri: c.s3Uri, S3DataDistributionType: 'FullyReplicated' } },
    })),
    OutputDataConfig: { S3OutputPath: s.outputS3Uri },
    ResourceConfig: { InstanceType: s.instanceType as never, InstanceCount: 1, VolumeSizeInGB: s.volumeGb },
    StoppingCondition: s.spot ? { MaxRuntimeInSeconds: s.maxRuntimeSeconds, MaxWaitTimeInSeconds: 2 * s.maxRuntimeSeconds } : { MaxRuntimeInSeconds: s.maxRuntimeSeconds },
    HyperParameters: s.hyperparameters,
    Environment: s.environment,
    CheckpointConfig: { S3Uri: s.checkpointS3Uri, LocalPath: '/opt/ml/checkpoints' },
    EnableManagedSpotTraining: s.spot,
  };
}

/** A training job name from the model id and the time: letters, digits and hyphens, at most 63 characters. */
export function trainingJobName(modelId: string, now: Date): string {
  const base = modelId.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 44) || 'stockcast';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${base}-${stamp}`.replace(/^-/, '');
}

/** Where SageMaker is: region, an endpoint for tests or private links, credentials (the SDK's chain when absent). */
export interface SageMakerConnection {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The two calls the launcher makes, behind the SDK client. */
export class TrainingJobs {
  private readonly client: SageMakerClient;

  constructor(c: SageMakerConnection) {
    registerSecret(c.credentials?.secretAccessKey);
    registerSecret(c.credentials?.sessionToken);
    this.client = new SageMakerClient({ region: c.region, endpoint: c.endpoint, credentials: c.credentials, maxAttempts: 5 });
  }

  /** Starts a job; returns its ARN. */
  async create(spec: TrainingJobSpec): Promise<string> {
    const out = await this.call(`CreateTrainingJob ${spec.jobName}`, () => this.client.send(new CreateTrainingJobCommand(createTrainingJobInput(spec))));
    return out.TrainingJobArn ?? '';
  }

  /** The job's description. */
  describe(jobName: string): Promise<DescribeTrainingJobCommandOutput> {
    return this.call(`DescribeTrainingJob ${jobName}`, () => this.client.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName })));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
      throw new Error(redactSecrets(`SageMaker ${what} failed: ${e.name ?? 'Error'}${status}: ${e.message ?? String(err)}`), { cause: err });
    }
  }
}

/** A change seen while waiting: the job's status, or a new secondary-status transition with its message. */
export type JobEvent = { kind: 'status'; status: string; secondary: string } | { kind: 'transition'; status: string; message: string; at?: Date };

/** Final states of a training job. */
export const FINAL_STATES = new Set(['Completed', 'Failed', 'Stopped']);

/**
 * Polls DescribeTrainingJob until the job ends, reporting each change once; `shouldStop` ends the wait early
 * (the job keeps running). Returns the last description.
 */
export async function waitForTrainingJob(
  jobs: Pick<TrainingJobs, 'describe'>,
  jobName: string,
  o: { pollMs: number; onEvent: (e: JobEvent) => void; shouldStop?: () => boolean },
): Promise<DescribeTrainingJobCommandOutput> {
  let lastStatus = '';
  let seenTransitions = 0;
  for (;;) {
    const d = await jobs.describe(jobName);
    const status = `${d.TrainingJobStatus}/${d.SecondaryStatus}`;
    if (status !== lastStatus) o.onEvent({ kind: 'status', status: String(d.TrainingJobStatus), secondary: String(d.SecondaryStatus) });
    lastStatus = status;
    const transitions = d.SecondaryStatusTransitions ?? [];
    for (const t of transitions.slice(seenTransitions)) o.onEvent({ kind: 'transition', status: String(t.Status), message: t.StatusMessage ?? '', at: t.StartTime });
    seenTransitions = Math.max(seenTransitions, transitions.length);
    if (FINAL_STATES.has(String(d.TrainingJobStatus)) || o.shouldStop?.()) return d;
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
