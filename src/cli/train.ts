import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { ModelConfig } from '../config/seed-config.js';
import { trainModel } from '../pipeline/train-model.js';
import { createProgress } from './progress.js';
import { openRuntime } from './runtime.js';
import { readSymbolsFile } from './backfill.js';
import { configOption, requiredConfig } from './common-options.js';
import { backendOption, flag, intFlag, modelIdOption, numberFlag } from './flags.js';
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

/** Options of `stockcast train` after parsing. */
interface TrainFlags {
  modelId: string;
  config?: string;
  backend: string;
  resume?: boolean;
  maxMinutes?: number;
  maxEpochs?: number;
  symbolsFile?: string;
  chunkSize?: number;
  threads?: number;
  json?: boolean;
  strict?: boolean;
}

/** Registers `stockcast train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train a Temporal Fusion Transformer for a config of configs.yaml (the seed\'s run_training).')
    .addOption(modelIdOption('the config id in configs.yaml; also the model id of the artifact'))
    .addOption(configOption('to read the model config from'))
    .addOption(backendOption('native (default when built: compiled engine, every core), wasm, cpu, or tensorflow (needs @tensorflow/tfjs-node)'))
    .option('--resume', 'continue from the last checkpoint (after a crash, Ctrl-C or --max-minutes)')
    .addOption(flag('--max-minutes <n>', 'stop cleanly after this many minutes (resumable); > 0', numberFlag({ above: 0, max: 525_600 })))
    .addOption(flag('--max-epochs <n>', 'override max_epochs; 1–100000', intFlag({ min: 1, max: 100_000 })))
    .option('--symbols-file <path>', 'restrict to these tickers (default: every symbol in the store)')
    .addOption(flag('--chunk-size <n>', 'samples per forward/backward pass (memory); batches are accumulated; 1–1000000', intFlag({ min: 1, max: 1_000_000 })))
    .addOption(flag('--threads <n>', 'cores to train on (native: threads of the engine; wasm: one wasm instance each) (default: up to 2); 1–256', intFlag({ min: 1, max: 256 })))
    .option('--strict', 'a feature that cannot generalise (a categorical whose validation/test values training never saw, a real constant in training) is an error, not a warning')
    .addOption(jsonOption())
    .addHelpText('after', '\nExample:\n  stockcast train --config configs.yaml --model-id m1-medium-high-with-less-features-and-earnings-calendar-features --max-minutes 30\n')
    .action(async (opts: TrainFlags) => {
      const config = requiredConfig(opts.config, opts.modelId);
      const res = await runTraining({
        config,
        modelId: opts.modelId,
        backend: opts.backend,
        resume: opts.resume,
        maxMinutes: opts.maxMinutes,
        maxEpochs: opts.maxEpochs,
        chunkSize: opts.chunkSize,
        threads: opts.threads,
        json: opts.json,
        strict: opts.strict,
        symbols: opts.symbolsFile ? await readSymbolsFile(opts.symbolsFile) : undefined,
      });
      if (res.stoppedBy === 'interrupted') process.exitCode = 130;
    });
}
