import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { getConfig, loadConfigFile, type ModelConfig } from '../config/seed-config.js';
import { runtimeChoice } from '../config/runtime-hints.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { RESULT_VARIABLE } from './train-parallel.js';
import { trainModel } from '../pipeline/train-model.js';
import { createProgress } from './progress.js';
import { openRuntime } from './runtime.js';
import { readSymbolsFile } from './backfill.js';

/** Options shared by `train` and the demo's training step. */
export interface TrainCommandOptions {
  config: ModelConfig;
  modelId: string;
  backend?: string;
  resume?: boolean;
  maxMinutes?: number;
  maxEpochs?: number;
  symbols?: string[];
  chunkSize?: number;
  threads?: number;
}

/** Runs training with a progress bar per epoch and a log line per epoch; Ctrl-C stops cleanly and resumably. */
export async function runTraining(o: TrainCommandOptions): Promise<{ bestValLoss: number; naiveValLoss: number; artifact?: string; stoppedBy: string }> {
  const err = process.stderr;
  const runtime = await openRuntime();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    err.write('\nstopping after this batch; the checkpoint lets `--resume` continue\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const backend = await runtime.tensorBackend(o.backend ?? 'auto', { native: true });
    err.write(`backend: ${backend}\n`);
    let progress = createProgress(`epoch 1`);
    const { result, meta, artifact } = await trainModel({
      config: o.config,
      modelId: o.modelId,
      features: await runtime.featureStore(),
      models: await runtime.modelStore(),
      home: runtime.home,
      backend,
      symbols: o.symbols,
      resume: o.resume,
      maxMinutes: o.maxMinutes,
      maxEpochs: o.maxEpochs,
      chunkSize: o.chunkSize,
      threads: o.threads ?? Math.min(2, availableParallelism()),
      log: (line) => err.write(`${line}\n`),
      onBatch: (done, total, loss) => progress.update(done, total, `loss ${loss.toFixed(4)}`),
      onEpoch: (r, state) => {
        progress.stop();
        const best = state.bestEpoch === r.epoch ? '  (best)' : '';
        process.stdout.write(
          `epoch ${r.epoch + 1}  train ${r.trainLoss.toFixed(4)}  val ${r.valLoss.toFixed(4)}  lr ${r.learningRate.toExponential(1)}  ${r.seconds.toFixed(0)} s${best}\n`,
        );
        progress = createProgress(`epoch ${r.epoch + 2}`);
      },
      shouldStop: () => interrupted,
    });
    progress.stop();
    const t = meta.training;
    process.stdout.write(
      `stopped by ${result.stoppedBy} after ${t.epochs} epoch(s); best val loss ${Number.isFinite(t.bestValLoss) ? t.bestValLoss.toFixed(4) : 'n/a'} (epoch ${t.bestEpoch + 1}) vs naive last-value ${t.naiveValLoss.toFixed(4)}\n`,
    );
    process.stdout.write(artifact ? `model artifact: ${artifact}\n` : 'no completed epoch yet: run again with --resume to continue\n');
    return { bestValLoss: t.bestValLoss, naiveValLoss: t.naiveValLoss, artifact, stoppedBy: result.stoppedBy };
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.close();
  }
}

/** Registers `stockcast train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train a Temporal Fusion Transformer for a config of configs.yaml (the seed\'s run_training): here, in parallel processes, or as a SageMaker training job.')
    .option('--model-id <id>', 'the config id in configs.yaml; also the model id of the artifact (a comma list trains several, see --parallel)')
    .option('--config <path>', 'configs.yaml to read', 'configs.yaml')
    .option('--backend <name>', 'native (default when built: compiled engine, every core), wasm, cpu, tensorflow (needs @tensorflow/tfjs-node) or tensorflow-gpu (needs @tensorflow/tfjs-node-gpu and CUDA)', 'auto')
    .option('--resume', 'continue from the last checkpoint (after a crash, Ctrl-C or --max-minutes)')
    .option('--max-minutes <n>', 'stop cleanly after this many minutes (resumable)', Number)
    .option('--max-epochs <n>', 'override max_epochs', Number)
    .option('--symbols-file <path>', 'restrict to these tickers (default: every symbol in the store)')
    .option('--chunk-size <n>', 'samples per forward/backward pass (memory); batches are accumulated', Number)
    .option('--threads <n>', 'cores to train on (native: threads of the engine; wasm: one wasm instance each) (default: num_workers of the config, else up to 2)', Number)
    .option('--parallel <k>', 'with several --model-id: train k configs at a time, each in its own process', numberIn('--parallel', 1, 64))
    .option('--sagemaker', 'run as a SageMaker training job (features from S3_BUCKET_NAME, model to S3_MODEL_OUTPUT_BUCKET_NAME), wait, register the model')
    .option('--instance-type <type>', 'with --sagemaker: e.g. ml.g4dn.xlarge (GPU) or ml.c5.4xlarge')
    .option('--role <arn>', 'with --sagemaker: the IAM role the job runs as')
    .option('--image <uri>', 'with --sagemaker: the training image (default: <account>.dkr.ecr.<region>.amazonaws.com/stockcast:<version>[-gpu])')
    .option('--spot', 'with --sagemaker: managed spot training (cheaper; an interrupted job resumes from its checkpoints)')
    .option('--volume-gb <n>', 'with --sagemaker: the instance\'s storage', numberIn('--volume-gb', 1, 16_384))
    .option('--poll-seconds <n>', 'with --sagemaker: how often to ask for the job\'s status (default 30)', numberIn('--poll-seconds', 0.01, 3600, false))
    .option('--attach <job-name>', 'with --sagemaker: wait for a job already started (after Ctrl-C) and register its model')
    .addHelpText('after', `
Examples:
  stockcast train --config configs.yaml --model-id m1-medium-high-with-less-features-and-earnings-calendar-features --max-minutes 30
  stockcast train --model-id a,b,c --parallel 2 --max-minutes 60
  stockcast train --model-id sagemaker-daily-1 --sagemaker --instance-type ml.g4dn.xlarge --role arn:aws:iam::123456789012:role/SageMakerExecution --spot

Inside a SageMaker training job (the image's entry point runs \`train\`), the hyperparameters, channels,
/opt/ml/checkpoints and SM_MODEL_DIR replace the flags: see "Scaling out" in the README.
`)
    .action(trainAction);
}

/** The options `train` parses. */
interface TrainFlags {
  modelId?: string; config: string; backend: string; resume?: boolean; maxMinutes?: number; maxEpochs?: number; symbolsFile?: string; chunkSize?: number; threads?: number;
  parallel?: number; sagemaker?: boolean; instanceType?: string; role?: string; image?: string; spot?: boolean; volumeGb?: number; pollSeconds?: number; attach?: string;
}

async function trainAction(opts: TrainFlags): Promise<void> {
  const { detectSageMaker } = await import('../adapters/sagemaker/container-contract.js');
  const container = opts.sagemaker ? null : detectSageMaker(process.env);
  if (container) {
    const { runInSageMaker } = await import('./train-container.js');
    await runInSageMaker(container, { ...opts, backend: opts.backend === 'auto' ? undefined : opts.backend });
    return;
  }
  if (!opts.modelId) throw new Error("required option '--model-id <id>' not specified");
  const ids = [...new Set(opts.modelId.split(',').map((s) => s.trim()).filter(Boolean))];
  if (opts.sagemaker) {
    if (ids.length !== 1) throw new Error('--sagemaker trains one model per command: start one job per --model-id');
    const { runSageMakerTraining } = await import('./train-sagemaker.js');
    await runSageMakerTraining({ ...opts, modelId: ids[0]!, config: getConfig(loadConfigFile(opts.config), ids[0]!), configPath: opts.config });
    return;
  }
  if (ids.length > 1 || opts.parallel !== undefined) {
    const { runParallelTraining } = await import('./train-parallel.js');
    await runParallelTraining({ modelIds: ids, parallel: opts.parallel ?? 1, threads: opts.threads, childArgs: childArgs(opts) });
    return;
  }
  await trainOne(ids[0]!, opts);
}

/** The flags every child of a parallel run gets. */
function childArgs(o: TrainFlags): string[] {
  const out = ['--config', o.config];
  if (o.backend !== 'auto') out.push('--backend', o.backend);
  if (o.resume) out.push('--resume');
  if (o.maxMinutes !== undefined) out.push('--max-minutes', String(o.maxMinutes));
  if (o.maxEpochs !== undefined) out.push('--max-epochs', String(o.maxEpochs));
  if (o.symbolsFile) out.push('--symbols-file', o.symbolsFile);
  if (o.chunkSize !== undefined) out.push('--chunk-size', String(o.chunkSize));
  return out;
}

/** One model here, its backend and threads chosen from the flags and the config's accelerator/num_workers. */
async function trainOne(modelId: string, opts: TrainFlags): Promise<void> {
  const config = getConfig(loadConfigFile(opts.config), modelId);
  const { isPackageInstalled } = await import('../model/backend.js');
  const choice = runtimeChoice(config, { inSageMaker: false, backendFlag: opts.backend, threadsFlag: opts.threads, cores: availableParallelism(), gpuBackendInstalled: isPackageInstalled('@tensorflow/tfjs-node-gpu') });
  for (const note of choice.notes) process.stderr.write(`${note}\n`);
  const res = await runTraining({
    config,
    modelId,
    backend: choice.backend,
    resume: opts.resume,
    maxMinutes: opts.maxMinutes,
    maxEpochs: opts.maxEpochs,
    chunkSize: opts.chunkSize,
    threads: choice.threads,
    symbols: opts.symbolsFile ? await readSymbolsFile(opts.symbolsFile) : undefined,
  });
  const resultFile = process.env[RESULT_VARIABLE];
  if (resultFile) await writeFileAtomic(resultFile, JSON.stringify({ modelId, ...res }));
  if (res.stoppedBy === 'interrupted') process.exitCode = 130;
}

/** A commander parser for a number flag in [min, max] (integers unless `integer` is false), naming the flag on bad input. */
function numberIn(flag: string, min: number, max: number, integer = true) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new Error(`${flag}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${v}"`);
    }
    return n;
  };
}
