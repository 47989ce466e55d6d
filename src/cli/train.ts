import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { ModelConfig } from '../config/seed-config.js';
import { runtimeChoice } from '../config/runtime-hints.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { RESULT_VARIABLE } from './train-parallel.js';
import { trainModel } from '../pipeline/train-model.js';
import { createProgress } from './progress.js';
import { openRuntime } from './runtime.js';
import { readSymbolsFile } from './backfill.js';
import { chooseConfig, configOption, requiredConfig } from './common-options.js';
import { choiceFlag, flag, intFlag, modelIdListFlag, numberFlag } from './flags.js';
import { infoStream, jsonOption, logLine, printResult } from './output.js';

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
  /** Print the result as JSON (epoch lines then go to stderr). */
  json?: boolean;
  /** Feature problems are errors (default: loud warnings). */
  strict?: boolean;
}

/** `stockcast train --json`: how training ended, the loss per epoch and where the artifact went (see the README). */
export interface TrainJson {
  modelId: string;
  backend: string;
  stoppedBy: 'max_epochs' | 'early_stopping' | 'time_budget' | 'interrupted';
  /** Epochs completed, this run and resumed ones. */
  epochs: number;
  /** 0-based epoch of the kept weights (as `history[].epoch`); null before the first validation. */
  bestEpoch: number | null;
  bestValLoss: number | null;
  /** Quantile loss of the naive last-value forecast on the same validation windows. */
  naiveValLoss: number | null;
  beatsNaive: boolean;
  /** The model store key and location of the artifact; null when no epoch finished yet (resume to continue). */
  artifact: { key: string; location: string } | null;
  history: Array<{ epoch: number; trainLoss: number; valLoss: number; learningRate: number; seconds: number }>;
  /** The validation range chose the epoch: these losses are not out-of-sample (the verdict comes from `evaluate`). */
  validationChoseEpoch: { trainEnd: string; valEnd: string };
  /** Features that cannot generalise (see --strict), each with what is wrong. */
  featureProblems: Array<{ feature: string; message: string }>;
}

/** Runs training with a progress bar per epoch and a log line per epoch; Ctrl-C stops cleanly and resumably. */
export async function runTraining(o: TrainCommandOptions): Promise<TrainJson> {
  const out = infoStream(o);
  const runtime = await openRuntime();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    logLine('\nstopping after this batch; the checkpoint lets `--resume` continue');
  };
  process.on('SIGINT', onSigint);
  try {
    const backend = await runtime.tensorBackend(o.backend ?? 'auto', { native: true });
    logLine(`backend: ${backend}`);
    let progress = createProgress(`epoch 1`);
    const models = await runtime.modelStore();
    const { result, meta, artifact, featureProblems } = await trainModel({
      config: o.config,
      modelId: o.modelId,
      features: await runtime.featureStore(),
      models,
      home: runtime.home,
      backend,
      symbols: o.symbols,
      resume: o.resume,
      maxMinutes: o.maxMinutes,
      maxEpochs: o.maxEpochs,
      chunkSize: o.chunkSize,
      threads: o.threads ?? Math.min(2, availableParallelism()),
      strict: o.strict,
      log: logLine,
      onBatch: (done, total, loss) => progress.update(done, total, `loss ${loss.toFixed(4)}`),
      onEpoch: (r, state) => {
        progress.stop();
        const best = state.bestEpoch === r.epoch ? '  (best)' : '';
        out.write(`epoch ${r.epoch + 1}  train ${r.trainLoss.toFixed(4)}  val ${r.valLoss.toFixed(4)}  lr ${r.learningRate.toExponential(1)}  ${r.seconds.toFixed(0)} s${best}\n`);
        progress = createProgress(`epoch ${r.epoch + 2}`);
      },
      shouldStop: () => interrupted,
    });
    progress.stop();
    const t = meta.training;
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const json: TrainJson = {
      modelId: o.modelId,
      backend,
      stoppedBy: result.stoppedBy,
      epochs: t.epochs,
      bestEpoch: t.bestEpoch >= 0 ? t.bestEpoch : null,
      bestValLoss: finite(t.bestValLoss),
      naiveValLoss: finite(t.naiveValLoss),
      beatsNaive: t.bestValLoss < t.naiveValLoss,
      artifact: artifact ? { key: artifact, location: `${models.location}/${artifact}` } : null,
      history: t.history,
      validationChoseEpoch: { trainEnd: o.config.trainEnd, valEnd: o.config.valEnd },
      featureProblems: featureProblems.map((p) => ({ feature: p.feature, message: p.message })),
    };
    printResult(o, json, trainText);
    return json;
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.close();
  }
}

function trainText(t: TrainJson): string {
  const best = t.bestValLoss === null ? 'n/a' : t.bestValLoss.toFixed(4);
  const naive = t.naiveValLoss === null ? 'n/a' : t.naiveValLoss.toFixed(4);
  const lines = [
    `stopped by ${t.stoppedBy} after ${t.epochs} epoch(s); best val loss ${best} (epoch ${(t.bestEpoch ?? -1) + 1}) vs naive last-value ${naive}`,
    `note: the validation range (${t.validationChoseEpoch.trainEnd} … ${t.validationChoseEpoch.valEnd}) chose this epoch, so these losses are not out-of-sample figures; the verdict is on the test range: stockcast predict + evaluate --model-id ${t.modelId} (or walk-forward)`,
  ];
  if (t.featureProblems.length > 0) lines.push(`WARNING: ${t.featureProblems.length} feature problem(s), printed above: ${t.featureProblems.map((p) => p.feature).join(', ')} (--strict makes them errors)`);
  lines.push(t.artifact ? `model artifact: ${t.artifact.key}` : 'no completed epoch yet: run again with --resume to continue');
  return lines.join('\n');
}

/** Registers `stockcast train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("Train a Temporal Fusion Transformer for a config of configs.yaml (the seed's run_training): here, in parallel processes, or as a SageMaker training job.")
    .addOption(flag('--model-id <id>', 'the config id in configs.yaml; also the model id of the artifact (a comma list trains several, see --parallel)', modelIdListFlag()))
    .addOption(configOption('to read the model config from'))
    .addOption(flag('--backend <name>', 'native (default when built: compiled engine, every core), wasm, cpu, tensorflow (needs @tensorflow/tfjs-node) or tensorflow-gpu (needs @tensorflow/tfjs-node-gpu and CUDA)', choiceFlag(['auto', 'native', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const), 'auto'))
    .option('--resume', 'continue from the last checkpoint (after a crash, Ctrl-C or --max-minutes)')
    .addOption(flag('--max-minutes <n>', 'stop cleanly after this many minutes (resumable); > 0', numberFlag({ above: 0, max: 525_600 })))
    .addOption(flag('--max-epochs <n>', 'override max_epochs; 1–100000', intFlag({ min: 1, max: 100_000 })))
    .option('--symbols-file <path>', 'restrict to these tickers (default: every symbol in the store)')
    .addOption(flag('--chunk-size <n>', 'samples per forward/backward pass (memory); batches are accumulated; 1–1000000', intFlag({ min: 1, max: 1_000_000 })))
    .addOption(flag('--threads <n>', "cores to train on (native: threads of the engine; wasm: one wasm instance each) (default: num_workers of the config, else up to 2); 1–256", intFlag({ min: 1, max: 256 })))
    .option('--strict', 'a feature that cannot generalise (a categorical whose validation/test values training never saw, a real constant in training) is an error, not a warning')
    .addOption(jsonOption())
    .addOption(flag('--parallel <k>', 'with several --model-id: train k configs at a time, each in its own process; 1–64', intFlag({ min: 1, max: 64 })))
    .option('--sagemaker', 'run as a SageMaker training job (features from S3_BUCKET_NAME, model to S3_MODEL_OUTPUT_BUCKET_NAME), wait, register the model')
    .option('--instance-type <type>', 'with --sagemaker: e.g. ml.g4dn.xlarge (GPU) or ml.c5.4xlarge')
    .option('--role <arn>', 'with --sagemaker: the IAM role the job runs as')
    .option('--image <uri>', 'with --sagemaker: the training image (default: <account>.dkr.ecr.<region>.amazonaws.com/stockcast:<version>[-gpu])')
    .option('--spot', 'with --sagemaker: managed spot training (cheaper; an interrupted job resumes from its checkpoints)')
    .addOption(flag('--volume-gb <n>', "with --sagemaker: the instance's storage; 1–16384", intFlag({ min: 1, max: 16_384 })))
    .addOption(flag('--poll-seconds <n>', "with --sagemaker: how often to ask for the job's status (default 30); > 0 and <= 3600", numberFlag({ above: 0, max: 3600 })))
    .option('--attach <job-name>', 'with --sagemaker: wait for a job already started (after Ctrl-C) and register its model')
    .addHelpText('after', `
Examples:
  stockcast train --config configs.yaml --model-id m1-medium-high-with-less-features-and-earnings-calendar-features --max-minutes 30
  stockcast train --model-id a,b,c --parallel 2 --max-minutes 60
  stockcast train --model-id sagemaker-daily-1 --sagemaker --instance-type ml.g4dn.xlarge --role arn:aws:iam::123456789012:role/SageMakerExecution --spot

Inside a SageMaker training job (the image's entry point runs \`train\`), the hyperparameters, channels,
/opt/ml/checkpoints and SM_MODEL_DIR replace the flags: see "Scale-out" in the README.
`)
    .action(trainAction);
}

/** The options `train` parses. */
interface TrainFlags {
  modelId?: string[]; config?: string; backend: string; resume?: boolean; maxMinutes?: number; maxEpochs?: number; symbolsFile?: string; chunkSize?: number; threads?: number;
  strict?: boolean; json?: boolean;
  parallel?: number; sagemaker?: boolean; instanceType?: string; role?: string; image?: string; spot?: boolean; volumeGb?: number; pollSeconds?: number; attach?: string;
}

async function trainAction(opts: TrainFlags): Promise<void> {
  const { detectSageMaker } = await import('../adapters/sagemaker/container-contract.js');
  const container = opts.sagemaker ? null : detectSageMaker(process.env);
  if (container) {
    const { runInSageMaker } = await import('./train-container.js');
    await runInSageMaker(container, { ...opts, modelId: opts.modelId?.[0], backend: opts.backend === 'auto' ? undefined : opts.backend });
    return;
  }
  if (!opts.modelId) throw new Error("required option '--model-id <id>' not specified");
  // every id was checked as the command line was read, before anything (a checkpoint folder, a job name) is built from it
  const ids = opts.modelId;
  if (opts.sagemaker) {
    if (ids.length !== 1) throw new Error('--sagemaker trains one model per command: start one job per --model-id');
    const { runSageMakerTraining } = await import('./train-sagemaker.js');
    await runSageMakerTraining({ ...opts, modelId: ids[0]!, config: requiredConfig(opts.config, ids[0]!), configPath: chooseConfig(opts.config).path });
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
  const out = ['--config', chooseConfig(o.config).path];
  if (o.backend !== 'auto') out.push('--backend', o.backend);
  if (o.resume) out.push('--resume');
  if (o.maxMinutes !== undefined) out.push('--max-minutes', String(o.maxMinutes));
  if (o.maxEpochs !== undefined) out.push('--max-epochs', String(o.maxEpochs));
  if (o.symbolsFile) out.push('--symbols-file', o.symbolsFile);
  if (o.chunkSize !== undefined) out.push('--chunk-size', String(o.chunkSize));
  if (o.strict) out.push('--strict');
  return out;
}

/** One model here, its backend and threads chosen from the flags and the config's accelerator/num_workers. */
async function trainOne(modelId: string, opts: TrainFlags): Promise<void> {
  const config = requiredConfig(opts.config, modelId);
  const { isPackageInstalled } = await import('../model/backend.js');
  const choice = runtimeChoice(config, { inSageMaker: false, backendFlag: opts.backend, threadsFlag: opts.threads, cores: availableParallelism(), gpuBackendInstalled: isPackageInstalled('@tensorflow/tfjs-node-gpu') });
  for (const note of choice.notes) logLine(note);
  const res = await runTraining({
    config,
    modelId,
    backend: choice.backend,
    resume: opts.resume,
    maxMinutes: opts.maxMinutes,
    maxEpochs: opts.maxEpochs,
    chunkSize: opts.chunkSize,
    threads: choice.threads,
    json: opts.json,
    strict: opts.strict,
    symbols: opts.symbolsFile ? await readSymbolsFile(opts.symbolsFile) : undefined,
  });
  const resultFile = process.env[RESULT_VARIABLE];
  if (resultFile) {
    await writeFileAtomic(resultFile, JSON.stringify({ modelId, bestValLoss: res.bestValLoss, naiveValLoss: res.naiveValLoss, stoppedBy: res.stoppedBy, artifact: res.artifact?.key ?? null }));
  }
  if (res.stoppedBy === 'interrupted') process.exitCode = 130;
}
