import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { getConfig, loadConfigFile, type ModelConfig } from '../config/seed-config.js';
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
  /** Feature problems are errors (default: loud warnings). */
  strict?: boolean;
}

/** Runs training with a progress bar per epoch and a log line per epoch; Ctrl-C stops cleanly and resumably. */
export async function runTraining(o: TrainCommandOptions): Promise<{ bestValLoss: number; naiveValLoss: number; artifact?: string; stoppedBy: string; featureProblems: number }> {
  const err = process.stderr;
  const runtime = await openRuntime();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    err.write('\nstopping after this batch; the checkpoint lets `--resume` continue\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const backend = await runtime.tensorBackend(o.backend ?? 'auto');
    err.write(`backend: ${backend}\n`);
    let progress = createProgress(`epoch 1`);
    const { result, meta, artifact, featureProblems } = await trainModel({
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
      strict: o.strict,
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
    process.stdout.write(
      `note: the validation range (${o.config.trainEnd} … ${o.config.valEnd}) chose this epoch, so these losses are not out-of-sample figures; the verdict is on the test range: stockcast predict + evaluate --model-id ${o.modelId} (or walk-forward)\n`,
    );
    if (featureProblems.length > 0) process.stdout.write(`WARNING: ${featureProblems.length} feature problem(s), printed above: ${featureProblems.map((p) => p.feature).join(', ')} (--strict makes them errors)\n`);
    process.stdout.write(artifact ? `model artifact: ${artifact}\n` : 'no completed epoch yet: run again with --resume to continue\n');
    return { bestValLoss: t.bestValLoss, naiveValLoss: t.naiveValLoss, artifact, stoppedBy: result.stoppedBy, featureProblems: featureProblems.length };
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.close();
  }
}

/** Registers `stockcast train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train a Temporal Fusion Transformer for a config of configs.yaml (the seed\'s run_training).')
    .requiredOption('--model-id <id>', 'the config id in configs.yaml; also the model id of the artifact')
    .option('--config <path>', 'configs.yaml to read', 'configs.yaml')
    .option('--backend <name>', 'wasm (default), cpu, or tensorflow (needs @tensorflow/tfjs-node)', 'auto')
    .option('--resume', 'continue from the last checkpoint (after a crash, Ctrl-C or --max-minutes)')
    .option('--max-minutes <n>', 'stop cleanly after this many minutes (resumable)', Number)
    .option('--max-epochs <n>', 'override max_epochs', Number)
    .option('--symbols-file <path>', 'restrict to these tickers (default: every symbol in the store)')
    .option('--chunk-size <n>', 'samples per forward/backward pass (memory); batches are accumulated', Number)
    .option('--threads <n>', 'cores to train on, one wasm instance each (default: up to 2)', Number)
    .option('--strict', 'a feature that cannot generalise (a categorical whose validation/test values training never saw, a real constant in training) is an error, not a warning')
    .addHelpText('after', '\nExample:\n  stockcast train --config configs.yaml --model-id m1-medium-high-with-less-features-and-earnings-calendar-features --max-minutes 30\n')
    .action(async (opts: { modelId: string; config: string; backend: string; resume?: boolean; maxMinutes?: number; maxEpochs?: number; symbolsFile?: string; chunkSize?: number; threads?: number; strict?: boolean }) => {
      const config = getConfig(loadConfigFile(opts.config), opts.modelId);
      const res = await runTraining({
        config,
        modelId: opts.modelId,
        backend: opts.backend,
        resume: opts.resume,
        maxMinutes: opts.maxMinutes,
        maxEpochs: opts.maxEpochs,
        chunkSize: opts.chunkSize,
        threads: opts.threads,
        strict: opts.strict,
        symbols: opts.symbolsFile ? await readSymbolsFile(opts.symbolsFile) : undefined,
      });
      if (res.stoppedBy === 'interrupted') process.exitCode = 130;
    });
}
