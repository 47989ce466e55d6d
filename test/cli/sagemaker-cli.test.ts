import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { once, runCli, TINY_CONFIGS } from '../helpers/cli.js';
import { HttpFake, type SeenRequest } from '../fakes/http-fake.js';
import { startS3Server, type S3Server } from '../../src/bench/s3rver-process.js';
import { S3ObjectStore } from '../../src/store/s3-object-store.js';
import { artifactKey, loadArtifact } from '../../src/model/artifact.js';

// The SageMaker path end to end on this machine: `train` inside the training-container contract (paths moved to temp
// directories), then `train --sagemaker` against s3rver and a local server speaking SageMaker's JSON protocol,
// whose "job" publishes the model the container run produced.
const SYMBOLS = 'SYN00,SYN01,SYN02';
const BACKFILL = ['backfill', '--source', 'synthetic', '--symbols', SYMBOLS, '--features', 'open,day_of_week', '--start', '2020-01-01', '--end', '2020-12-31'];
const SESSION_TOKEN = 'session-token-that-must-never-print-7f3a';

describe('stockcast train in a SageMaker training container', () => {
  let dir = '';
  const root = () => join(dir, 'opt-ml');
  const modelDir = () => join(dir, 'sm-model');
  const containerEnv = () => ({
    STOCKCAST_SM_ROOT: root(),
    SM_MODEL_DIR: modelDir(),
    SM_CHANNEL_CONFIG: join(dir, 'channel-config'),
    SM_CHANNEL_FEATURES: join(dir, 'home', 'store'),
    TRAINING_JOB_NAME: 'tiny-2026-test',
  });
  const hyperparameters = (hp: Record<string, unknown>) => writeFile(join(root(), 'input', 'config', 'hyperparameters.json'), JSON.stringify(hp));
  const firstRun = once(async () => {
    const backfill = await runCli(BACKFILL, dir);
    assert.equal(backfill.code, 0, backfill.stderr);
    // the SageMaker Python SDK JSON-encodes string hyperparameters; numbers arrive as strings
    await hyperparameters({ model_id: '"tiny"', config_path: 'configs.yaml', max_epochs: '1', threads: 1, sagemaker_program: 'train' });
    return runCli(['train'], dir, containerEnv());
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-sagemaker-container-'));
    await mkdir(join(root(), 'input', 'config'), { recursive: true });
    await mkdir(join(dir, 'channel-config'));
    await writeFile(join(dir, 'channel-config', 'configs.yaml'), TINY_CONFIGS);
    // what the launcher sends as the config channel
    await writeFile(join(dir, 'configs.yaml'), TINY_CONFIGS);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('the model lands in SM_MODEL_DIR and the checkpoint in <root>/checkpoints', async () => {
    const run = await firstRun();
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^SageMaker job tiny-2026-test: channels config, features; model → .*sm-model; checkpoints → .*opt-ml\/checkpoints$/m);
    assert.match(run.stdout, /^no checkpoint in .*: training from the start$/m);
    assert.match(run.stdout, /^epoch 1 {2}train /m);
    assert.deepEqual((await readdir(modelDir())).sort(), ['model.json', 'weights.bin']);
    const meta = JSON.parse(await readFile(join(modelDir(), 'model.json'), 'utf8')) as { modelId: string; training: { epochs: number } };
    assert.equal(meta.modelId, 'tiny');
    assert.equal(meta.training.epochs, 1);
    await access(join(root(), 'checkpoints', 'last.ckpt'));
  });

  test('a second run (a reclaimed spot instance) resumes from the checkpoint instead of starting over', async () => {
    assert.equal((await firstRun()).code, 0);
    await hyperparameters({ model_id: 'tiny', max_epochs: '2', threads: '1' });
    const again = await runCli(['train'], dir, containerEnv());
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^resuming from the checkpoint in .*opt-ml\/checkpoints$/m);
    assert.doesNotMatch(again.stdout, /^epoch 1 /m, 'epoch 1 was done by the first run');
    assert.match(again.stdout, /^epoch 2 {2}train /m);
    const meta = JSON.parse(await readFile(join(modelDir(), 'model.json'), 'utf8')) as { training: { epochs: number } };
    assert.equal(meta.training.epochs, 2);
  });

  test('bad hyperparameters fail the job with the reason in <root>/output/failure', async () => {
    await hyperparameters({ model_id: 'tiny', max_epochs: 'many' });
    const bad = await runCli(['train'], dir, containerEnv());
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /hyperparameter max_epochs: expected an integer from 1 to 100000, got "many"/);
    assert.match(await readFile(join(root(), 'output', 'failure'), 'utf8'), /hyperparameter max_epochs: expected an integer/);
  });

  describe('train --sagemaker launches a job, waits and registers its model', () => {
    let s3: S3Server;
    let sageMaker: HttpFake;
    let outcome: 'complete' | 'fail' = 'complete';
    let published: Promise<void> = Promise.resolve();
    let describes = 0;
    const created: Array<Record<string, any>> = [];
    const bucket = 'sm-bucket';
    const store = () => new S3ObjectStore({ bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const env = () => ({
      S3_BUCKET_NAME: bucket, S3_MODEL_OUTPUT_BUCKET_NAME: bucket, REGION_NAME: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_SAGEMAKER: sageMaker.url,
      ACCESS_KEY: s3.credentials.accessKeyId, SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, AWS_SESSION_TOKEN: SESSION_TOKEN,
    });
    const launch = ['train', '--model-id', 'tiny', '--sagemaker', '--instance-type', 'ml.g4dn.xlarge', '--role', 'arn:aws:iam::123456789012:role/SageMakerExecution',
      '--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/stockcast:test', '--spot', '--max-epochs', '1', '--poll-seconds', '0.05'];

    // What SageMaker does with a job: Starting, Training, then (once the model is uploaded) Completed — or Failed.
    const describe = (job: Record<string, any>): Record<string, unknown> => {
      describes++;
      const base = { TrainingJobName: job.TrainingJobName, TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${job.TrainingJobName}` };
      const starting = { Status: 'Starting', StartTime: 1_790_000_000, StatusMessage: 'Preparing the instances for training' };
      const training = { Status: 'Training', StartTime: 1_790_000_100, StatusMessage: 'Training image download completed. Training in progress.' };
      if (describes < 3) return { ...base, TrainingJobStatus: 'InProgress', SecondaryStatus: 'Starting', SecondaryStatusTransitions: [starting] };
      if (outcome === 'fail') {
        return { ...base, TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', FailureReason: 'AlgorithmError: hyperparameter max_epochs: expected an integer', SecondaryStatusTransitions: [starting, training] };
      }
      return {
        ...base, TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', BillableTimeInSeconds: 42, SecondaryStatusTransitions: [starting, training],
        ModelArtifacts: { S3ModelArtifacts: `${job.OutputDataConfig.S3OutputPath}${job.TrainingJobName}/output/model.tar.gz` },
      };
    };
    const handle = (req: SeenRequest) => {
      if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return { status: 400, body: { __type: 'SerializationException', message: 'bad content type' } };
      const body = JSON.parse(req.body) as Record<string, any>;
      if (req.headers['x-amz-target'] === 'SageMaker.CreateTrainingJob') {
        created.push(body);
        describes = 0;
        published = outcome === 'complete' ? publishModel(body) : Promise.resolve();
        return { status: 200, body: { TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${body.TrainingJobName}` } };
      }
      if (req.headers['x-amz-target'] === 'SageMaker.DescribeTrainingJob') {
        const job = created.find((j) => j.TrainingJobName === body.TrainingJobName);
        if (!job) return { status: 400, body: { __type: 'com.amazonaws.sagemaker#ResourceNotFound', message: 'Requested resource not found.' } };
        return { status: 200, body: describe(job) };
      }
      return { status: 400, body: { __type: 'UnknownOperationException', message: String(req.headers['x-amz-target']) } };
    };
    // the "job" packs what the container run left in SM_MODEL_DIR, as SageMaker does, under the job's output path
    const publishModel = async (job: Record<string, any>) => {
      const packed = join(dir, `${job.TrainingJobName}.tar.gz`);
      await tar.c({ gzip: true, file: packed, cwd: modelDir() }, ['model.json', 'weights.bin']);
      const key = `${String(job.OutputDataConfig.S3OutputPath).replace(`s3://${bucket}/`, '')}${job.TrainingJobName}/output/model.tar.gz`;
      await store().putFile(key, packed);
    };

    before(async () => {
      s3 = await startS3Server(bucket);
      sageMaker = await new HttpFake(handle).start();
    });
    after(async () => {
      await sageMaker.close();
      await s3.close();
    });

    test('the request carries image, role, hyperparameters, output and checkpoint paths; the model is registered', async () => {
      const trained = await firstRun();
      assert.equal(trained.code, 0, trained.stderr);
      const backfill = await runCli(BACKFILL, dir, env());
      assert.equal(backfill.code, 0, backfill.stderr);
      const run = await runCli(launch, dir, env());
      assert.equal(run.code, 0, run.stderr);
      await published;
      const job = created.at(-1)!;
      const name = String(job.TrainingJobName);
      assert.match(name, /^tiny-\d{8}-\d{6}$/);
      assert.deepEqual(job.AlgorithmSpecification, { TrainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/stockcast:test', TrainingInputMode: 'File' });
      assert.equal(job.RoleArn, 'arn:aws:iam::123456789012:role/SageMakerExecution');
      assert.deepEqual(job.HyperParameters, { model_id: 'tiny', config_path: 'configs.yaml', max_epochs: '1' });
      assert.deepEqual(job.OutputDataConfig, { S3OutputPath: `s3://${bucket}/tiny/sagemaker/` });
      assert.deepEqual(job.CheckpointConfig, { S3Uri: `s3://${bucket}/tiny/sagemaker/${name}/checkpoints/`, LocalPath: '/opt/ml/checkpoints' });
      assert.deepEqual(job.ResourceConfig, { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
      assert.equal(job.EnableManagedSpotTraining, true);
      assert.ok(job.StoppingCondition.MaxWaitTimeInSeconds >= job.StoppingCondition.MaxRuntimeInSeconds, 'spot jobs wait at least as long as they run');
      const channels = Object.fromEntries((job.InputDataConfig as Array<{ ChannelName: string; DataSource: { S3DataSource: { S3DataType: string; S3Uri: string } } }>).map((c) => [c.ChannelName, c.DataSource.S3DataSource]));
      assert.deepEqual(Object.keys(channels).sort(), ['config', 'features']);
      assert.equal(channels.features!.S3DataType, 'ManifestFile');
      assert.equal(channels.config!.S3Uri, `s3://${bucket}/tiny/sagemaker/${name}/input/config/`);
      // the channels' objects are where the job reads them: configs.yaml, and a manifest of the features' files
      assert.equal(new TextDecoder().decode((await store().get(`tiny/sagemaker/${name}/input/config/configs.yaml`))!), TINY_CONFIGS);
      const manifest = JSON.parse(new TextDecoder().decode((await store().get(`tiny/sagemaker/${name}/input/features.manifest`))!)) as [{ prefix: string }, ...string[]];
      assert.equal(manifest[0].prefix, `s3://${bucket}/historical_data_v2/`);
      assert.ok(manifest.slice(1).some((k) => String(k).startsWith('feature=open/time_frame=1Day/')), JSON.stringify(manifest));
      assert.ok(manifest.slice(1).some((k) => String(k).startsWith('feature=day_of_week/time_frame=1Day/')), JSON.stringify(manifest));
      // progress: every status change once, then the registered model
      assert.match(run.stdout, /started training job tiny-\d{8}-\d{6} \(arn:aws:sagemaker:us-east-1:123456789012:training-job\/tiny-/);
      assert.match(run.stdout, /InProgress \/ Starting\n.*Starting: Preparing the instances for training\n/);
      assert.equal(run.stdout.match(/Preparing the instances for training/g)?.length, 1);
      assert.match(run.stdout, /Training: Training image download completed/);
      assert.match(run.stdout, new RegExp(`job ${name} completed \\(42 billable seconds\\)`));
      assert.match(run.stdout, /^model artifact: s3:\/\/sm-bucket\/tiny\/output\/model\.tar\.gz$/m);
      const registered = await loadArtifact(store(), 'tiny');
      const local = await readFile(join(modelDir(), 'weights.bin'));
      assert.deepEqual(Buffer.from(registered.weights.buffer, registered.weights.byteOffset, registered.weights.byteLength), local);
      assert.ok(await store().exists(artifactKey('tiny')));
      for (const r of sageMaker.requests) assert.match(String(r.headers.authorization), /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/sagemaker\/aws4_request/);
      assert.ok(!`${run.stdout}${run.stderr}`.includes(SESSION_TOKEN));
    });

    test('a failed job is a clear error with its FailureReason, and prints no secret', async () => {
      outcome = 'fail';
      const run = await runCli(launch, dir, env());
      assert.equal(run.code, 1);
      assert.match(run.stderr, /SageMaker training job tiny-\d{8}-\d{6} failed: AlgorithmError: hyperparameter max_epochs: expected an integer/);
      const output = `${run.stdout}${run.stderr}`;
      for (const secret of [SESSION_TOKEN, s3.credentials.secretAccessKey]) assert.ok(!output.includes(secret), `${secret} printed`);
    });

    test('flag mistakes are named before anything starts', async () => {
      const before = created.length;
      const noRole = await runCli(['train', '--model-id', 'tiny', '--sagemaker', '--instance-type', 'ml.g4dn.xlarge'], dir, env());
      assert.equal(noRole.code, 1);
      assert.match(noRole.stderr, /--role: expected the ARN of an IAM role SageMaker can assume/);
      const badType = await runCli(['train', '--model-id', 'tiny', '--sagemaker', '--role', 'arn:aws:iam::123456789012:role/R', '--instance-type', 'g4dn'], dir, env());
      assert.match(badType.stderr, /--instance-type: expected a SageMaker instance type such as ml\.g4dn\.xlarge/);
      const noBucket = await runCli(launch, dir);
      assert.match(noBucket.stderr, /--sagemaker needs the features in S3 \(S3_BUCKET_NAME/);
      assert.equal(created.length, before);
    });
  });
});
