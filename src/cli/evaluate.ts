import { join } from 'node:path';
import type { Command } from 'commander';
import { predictModel } from '../pipeline/predict-model.js';
import { configGrid, evaluateModel } from '../pipeline/evaluate-model.js';
import type { Evaluation } from '../backtest/evaluation.js';
import type { GridSpec } from '../backtest/grid.js';
import { evaluationText } from '../report/evaluation-text.js';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { createProgress } from './progress.js';
import { openRuntime, type Runtime } from './runtime.js';
import { predictionsKey } from '../store/predictions-parquet.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';

/** Batch inference over the test range on every core; prints where the predictions went. */
export async function runPredict(modelId: string, flags: InferenceFlags = {}): Promise<string> {
  const runtime = await openRuntime();
  try {
    return await predictOn(runtime, modelId, flags);
  } finally {
    await runtime.close();
  }
}

async function predictOn(runtime: Runtime, modelId: string, flags: InferenceFlags, out: NodeJS.WritableStream = process.stdout): Promise<string> {
  const { engine } = await openInference(runtime, flags);
  const models = await runtime.modelStore();
  const progress = createProgress('predict');
  const { key, table } = await predictModel({ modelId, features: await runtime.featureStore(), models, engine, onProgress: (d, t) => progress.update(d, t) });
  progress.stop();
  const days = new Set(table.timestamps).size;
  out.write(`predicted ${table.currentY.length} windows (${new Set(table.symbols).size} symbols × ${days} days) → ${models.location}/${key}\n`);
  return key;
}

/** Options of one `evaluate` run; `predict` (or no stored predictions) runs batch inference first, on `backend`/`threads`. */
export interface EvaluateCommandOptions extends InferenceFlags {
  modelId: string;
  config?: ModelConfig;
  grid?: GridSpec;
  json?: boolean;
  costBps?: number;
  slippageBps?: number;
  buyWeekday?: number;
  predict?: boolean;
}

/** Evaluates the model's predictions (predicting first when asked or when none are stored); writes the HTML report and returns the evaluation. */
export async function runEvaluate(o: EvaluateCommandOptions): Promise<{ evaluation: Evaluation; report: string }> {
  const runtime = await openRuntime();
  try {
    const models = await runtime.modelStore();
    if (o.predict || !(await models.exists(predictionsKey(o.modelId)))) {
      if (!o.predict) process.stderr.write(`no stored predictions for ${o.modelId}: predicting the test range first\n`);
      // stdout stays one document under --json: the predict line goes to stderr then
      await predictOn(runtime, o.modelId, o, o.json ? process.stderr : process.stdout);
    }
    const report = join(runtime.home, 'reports', `${o.modelId}.html`);
    const evaluation = await evaluateModel({ ...o, models, reportPath: report });
    process.stdout.write(o.json ? `${JSON.stringify(toJson(evaluation), null, 2)}\n` : `${evaluationText(evaluation)}\n\nreport: ${report}\n`);
    return { evaluation, report };
  } finally {
    await runtime.close();
  }
}

function toJson(e: Evaluation): unknown {
  return {
    modelId: e.modelId,
    runs: e.grid.runs.map((r) => ({ params: r.params, finalMoney: r.result.finalMoney, totalReturn: r.result.totalReturn, sharpe: r.result.sharpe, maxDrawdown: r.result.maxDrawdown, trades: r.result.trades, turnover: r.result.turnover })),
    best: e.grid.best,
    preferred: e.preferred,
    deflatedSharpe: e.grid.deflated,
    benchmarks: e.benchmarks.map(({ equity: _e, ...b }) => b),
    forecastQuality: { ...e.quality, icByDay: undefined },
  };
}

/** Parses a comma list of numbers for a grid flag, naming the flag on bad input. */
function numbers(flag: string) {
  return (v: string) => {
    const xs = v.split(',').map((s) => Number(s.trim()));
    if (xs.some((x) => !Number.isFinite(x))) throw new Error(`${flag}: expected a comma list of numbers, got "${v}"`);
    return xs;
  };
}

/** Registers `stockcast predict` and `stockcast evaluate`. */
export function registerEvaluate(program: Command): void {
  inferenceOptions(
    program
      .command('predict')
      .description("Batch inference over the config's test range (the seed's run_batch_inference); writes a predictions Parquet.")
      .requiredOption('--model-id <id>', 'a trained model'),
  )
    .addHelpText('after', '\nExample:\n  stockcast predict --model-id m1 --threads 2\n')
    .action(async (opts: { modelId: string } & InferenceFlags) => {
      await runPredict(opts.modelId, opts);
    });
  inferenceOptions(
    program
      .command('evaluate')
      .description("Simulate strategies on the model's predictions (the seed's run_evaluation), with honest statistics and an HTML report; predicts the test range first when no predictions are stored (or with --predict), on --backend/--threads.")
      .requiredOption('--model-id <id>', 'a trained model')
      .option('--predict', 'run batch inference over the test range first even when predictions are stored (e.g. after retraining)'),
  )
    .option('--config <path>', 'configs.yaml (for the preferred strategy and grid)', 'configs.yaml')
    .option('--json', 'print JSON instead of a table')
    .option('--interval-days <list>', 'grid: interval_days values', numbers('--interval-days'))
    .option('--num-stocks <list>', 'grid: num_stocks_purchased values', numbers('--num-stocks'))
    .option('--uncertainty <list>', 'grid: uncertainty_multiplier values', numbers('--uncertainty'))
    .option('--cost-bps <n>', 'transaction cost per side, basis points', Number, 0)
    .option('--slippage-bps <n>', 'slippage per side, basis points', Number, 0)
    .option('--buy-weekday <n>', 'only buy on this weekday (0 = Monday … 4 = Friday)', Number)
    .option('--strategy <name>', 'SimpleXDaysAheadBuying (default) or VolatilityRanking (then --uncertainty lists volatility_importance values in [0, 1])')
    .action(async (opts: { modelId: string; config: string; json?: boolean; predict?: boolean; intervalDays?: number[]; numStocks?: number[]; uncertainty?: number[]; costBps: number; slippageBps: number; buyWeekday?: number; strategy?: string } & InferenceFlags) => {
      const config = optionalConfig(opts.config, opts.modelId);
      const base = configGrid(config);
      const strategy = (opts.strategy ?? config?.performanceTests[config.preferredTradingStrategy ?? '']?.strategy ?? 'SimpleXDaysAheadBuying') as GridSpec['strategy'];
      if (strategy !== 'SimpleXDaysAheadBuying' && strategy !== 'VolatilityRanking') throw new Error(`--strategy: expected SimpleXDaysAheadBuying or VolatilityRanking, got "${String(strategy)}"`);
      await runEvaluate({
        modelId: opts.modelId,
        config,
        json: opts.json,
        predict: opts.predict,
        backend: opts.backend,
        threads: opts.threads,
        costBps: opts.costBps,
        slippageBps: opts.slippageBps,
        buyWeekday: opts.buyWeekday,
        grid: {
          intervalDays: opts.intervalDays ?? base.intervalDays,
          numStocksPurchased: opts.numStocks ?? base.numStocksPurchased,
          uncertaintyMultiplier: opts.uncertainty ?? (strategy === 'VolatilityRanking' ? [0, 0.25, 0.5, 0.75, 1] : base.uncertaintyMultiplier),
          strategy,
        },
      });
    });
}
