import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { STRATEGY_DEFAULTS } from '../config/strategy-defaults.js';
import { walkForward, WalkForwardIncomplete, type FoldResult } from '../pipeline/walk-forward.js';
import { evaluationText } from '../report/evaluation-text.js';
import { createProgress } from './progress.js';
import { openRuntime } from './runtime.js';
import { readSymbolsFile } from './backfill.js';
import { evaluationJson } from './evaluate-output.js';
import { requiredConfig, configOption } from './common-options.js';
import { backendOption, flag, intFlag, modelIdOption, numberFlag, numberListFlag } from './flags.js';
import { jsonOption } from './output.js';

const num = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** The per-fold table. */
function foldsText(folds: FoldResult[]): string {
  const lines = ['fold  train                      validate to  test to      epochs  best val  naive val  test q-loss  naive test  Rank IC  minutes  stopped by'];
  for (const f of folds) {
    lines.push(
      `${String(f.index + 1).padStart(4)}  ${`${f.trainStart} … ${f.trainEnd}`.padEnd(25)}  ${f.valEnd.padEnd(11)}  ${f.testEnd.padEnd(11)}  ${`${f.epochs} (${f.bestEpoch + 1})`.padStart(6)}  ${num(f.bestValLoss).padStart(8)}  ${num(f.naiveValLoss).padStart(9)}  ${num(f.test.quantileLoss).padStart(11)}  ${num(f.test.naiveQuantileLoss).padStart(10)}  ${num(f.test.rankIc).padStart(7)}  ${num(f.trainingMinutes, 1).padStart(7)}  ${f.stoppedBy}`,
    );
  }
  return lines.join('\n');
}

/** Options of `stockcast walk-forward` as commander parses them. */
interface WalkForwardFlags {
  modelId: string;
  config?: string;
  folds?: number;
  testYears?: number[];
  maxMinutes?: number;
  maxEpochs?: number;
  restart?: boolean;
  json?: boolean;
  backend: string;
  threads?: number;
  chunkSize?: number;
  symbolsFile?: string;
  costBps: number;
  slippageBps: number;
}

async function runWalkForward(opts: WalkForwardFlags): Promise<void> {
  if ((opts.folds === undefined) === (opts.testYears === undefined)) throw new Error('walk-forward: give either --folds <n> or --test-years <years>');
  const config = requiredConfig(opts.config, opts.modelId);
  const runtime = await openRuntime();
  const err = process.stderr;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    err.write('\nstopping after this batch; run the same command again to continue\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const backend = await runtime.tensorBackend(opts.backend, { native: true });
    err.write(`backend: ${backend}\n`);
    let progress = createProgress('epoch');
    const report = join(runtime.home, 'reports', `${opts.modelId}-walk-forward.html`);
    const r = await walkForward({
      config,
      modelId: opts.modelId,
      spec: opts.folds !== undefined ? { folds: opts.folds } : { testYears: opts.testYears! },
      features: await runtime.featureStore(),
      models: await runtime.modelStore(),
      home: runtime.home,
      backend,
      threads: opts.threads ?? Math.min(2, availableParallelism()),
      chunkSize: opts.chunkSize,
      maxMinutesPerFold: opts.maxMinutes,
      maxEpochs: opts.maxEpochs,
      symbols: opts.symbolsFile ? await readSymbolsFile(opts.symbolsFile) : undefined,
      restart: opts.restart,
      strategy: { transactionCostBps: opts.costBps, slippageBps: opts.slippageBps },
      reportPath: report,
      log: (line) => {
        progress.stop();
        err.write(`${line}\n`);
      },
      onBatch: (done, total, loss) => progress.update(done, total, `loss ${loss.toFixed(4)}`),
      onEpoch: (rec, st) => {
        progress.stop();
        err.write(`  epoch ${rec.epoch + 1}  train ${rec.trainLoss.toFixed(4)}  val ${rec.valLoss.toFixed(4)}  ${rec.seconds.toFixed(0)} s${st.bestEpoch === rec.epoch ? '  (best)' : ''}\n`);
        progress = createProgress('epoch');
      },
      shouldStop: () => interrupted,
    });
    progress.stop();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...(evaluationJson(r.document) as object), folds: r.folds }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
      return;
    }
    process.stdout.write(`walk-forward of ${opts.modelId}: ${r.folds.length} fold(s), expanding window from ${config.trainStart}; each fold's epoch chosen on its own validation period, its test period never seen\n\n`);
    process.stdout.write(`${foldsText(r.folds)}\n\nALL FOLDS' OUT-OF-SAMPLE PREDICTIONS, EVALUATED AS ONE:\n${evaluationText(r.evaluation)}\n\npredictions: ${r.predictionsKey}\nreport: ${report}\n`);
  } catch (e) {
    if (e instanceof WalkForwardIncomplete && e.interrupted) process.exitCode = 130;
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.close();
  }
}

/** Registers `stockcast walk-forward`. */
export function registerWalkForward(program: Command): void {
  program
    .command('walk-forward')
    .description('Retrain on an expanding window for each fold, predict each next period, and evaluate all out-of-sample predictions as one beside the baselines (resumable).')
    .addOption(modelIdOption('the config id in configs.yaml'))
    .addOption(configOption('to read the model config from'))
    .addOption(flag('--folds <n>', "split the config's test range (val_end … test_end) into n consecutive folds (1–100)", intFlag({ min: 1, max: 100 })))
    .addOption(flag('--test-years <years>', 'one fold per calendar year, e.g. 2017,2018', numberListFlag({ min: 1900, max: 3000 }, true)))
    .addOption(flag('--max-minutes <n>', 'training budget of each fold, minutes (a resumed fold gets what is left of it); > 0', numberFlag({ above: 0, max: 100_000 })))
    .addOption(flag('--max-epochs <n>', 'override max_epochs for every fold; 1–100000', intFlag({ min: 1, max: 100_000 })))
    .option('--restart', 'train every fold from scratch, ignoring earlier runs and their checkpoints')
    .addOption(jsonOption('print JSON (folds, the evaluation, the baselines) instead of tables'))
    .addOption(flag('--cost-bps <n>', 'commission per side, basis points (0–1000)', numberFlag({ min: 0, max: 1000 }), STRATEGY_DEFAULTS.transactionCostBps))
    .addOption(flag('--slippage-bps <n>', 'slippage per side, basis points (0–1000)', numberFlag({ min: 0, max: 1000 }), STRATEGY_DEFAULTS.slippageBps))
    .option('--symbols-file <path>', 'restrict to these tickers (default: every symbol in the store)')
    .addOption(backendOption('native (default when built), wasm, cpu, or tensorflow'))
    .addOption(flag('--threads <n>', 'cores to train on (default: up to 2); 1–256', intFlag({ min: 1, max: 256 })))
    .addOption(flag('--chunk-size <n>', 'samples per forward/backward pass (memory); 1–1000000', intFlag({ min: 1, max: 1_000_000 })))
    .addHelpText(
      'after',
      `
Examples:
  stockcast walk-forward --config configs.yaml --model-id my-model --folds 4 --max-minutes 20
  stockcast walk-forward --config configs.yaml --model-id my-model --test-years 2017,2018

Each fold trains from train_start up to a validation period as long as the config's (train_end … val_end), which
chooses its epoch, and is tested on the period after it. Fold models are stored as <model-id>--wf-<start>-<end>.
Killed or out of time: run the same command again; finished folds are skipped, the current one resumes.`,
    )
    .action(runWalkForward);
}
