import { join } from 'node:path';
import type { Command } from 'commander';
import { predictModel } from '../pipeline/predict-model.js';
import { evaluateModel, type ModelEvaluation } from '../pipeline/evaluate-model.js';
import { compareModels } from '../pipeline/compare-models.js';
import { baselineName, predictBaseline } from '../pipeline/baseline-predictions.js';
import type { GridSpec } from '../backtest/grid.js';
import { BASELINE_NAMES } from '../backtest/baselines.js';
import { STRATEGY_DEFAULTS } from '../config/strategy-defaults.js';
import { strategyName, type StrategyOverrides } from '../strategies/registry.js';
import { evaluationText } from '../report/evaluation-text.js';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { createProgress } from './progress.js';
import { openRuntime } from './runtime.js';
import { comparisonText, evaluationJson, parseDateRange, parseNumber, parseNumberList, parseWeekdays } from './evaluate-output.js';

/** Batch inference over the test range (or a baseline's forecasts over it); prints where the predictions went. */
export async function runPredict(modelId: string, backend = 'auto', baseline?: string): Promise<string> {
  const runtime = await openRuntime();
  try {
    const models = await runtime.modelStore();
    const features = await runtime.featureStore();
    let result;
    if (baseline !== undefined) {
      result = await predictBaseline({ modelId, baseline: baselineName(baseline), features, models });
    } else {
      process.stderr.write(`backend: ${await runtime.tensorBackend(backend)}\n`);
      const progress = createProgress('predict');
      result = await predictModel({ modelId, features, models, onProgress: (d, t) => progress.update(d, t) });
      progress.stop();
    }
    const { key, table } = result;
    const days = new Set(table.timestamps).size;
    process.stdout.write(`predicted ${table.currentY.length} windows (${new Set(table.symbols).size} symbols × ${days} days)${baseline ? ` with the ${baseline} baseline` : ''} → ${models.location}/${key}\n`);
    return key;
  } finally {
    await runtime.close();
  }
}

/** What `runEvaluate` takes. */
export interface EvaluateCommandOptions {
  modelId: string;
  config?: ModelConfig;
  grid?: GridSpec;
  json?: boolean;
  strategy?: StrategyOverrides;
  testRange?: { start: string; end: string };
}

/** Evaluates stored predictions beside the baselines; prints the verdict and tables (or JSON), writes the HTML report. */
export async function runEvaluate(o: EvaluateCommandOptions): Promise<{ evaluation: ModelEvaluation; report: string }> {
  const runtime = await openRuntime();
  try {
    const report = join(runtime.home, 'reports', `${o.modelId}.html`);
    const { evaluation, document } = await evaluateModel({ ...o, models: await runtime.modelStore(), features: await runtime.featureStore(), reportPath: report });
    process.stdout.write(o.json ? `${JSON.stringify(evaluationJson(document), null, 2)}\n` : `${evaluationText(evaluation)}\n\nreport: ${report}\n`);
    return { evaluation, report };
  } finally {
    await runtime.close();
  }
}

/** `evaluate --compare`: several models beside the baselines in one table. */
async function runCompare(o: { modelIds: string[]; configPath: string; json?: boolean; strategy: StrategyOverrides; grid?: GridSpec; testRange?: { start: string; end: string } }): Promise<void> {
  const runtime = await openRuntime();
  try {
    const c = await compareModels({ ...o, models: await runtime.modelStore(), features: await runtime.featureStore(), configOf: (id) => optionalConfig(o.configPath, id) });
    process.stdout.write(o.json ? `${JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n` : `${comparisonText(c)}\n`);
  } finally {
    await runtime.close();
  }
}

/** Options of `stockcast evaluate` as commander parses them. */
interface EvaluateFlags {
  modelId?: string;
  compare?: string[];
  config: string;
  json?: boolean;
  intervalDays?: number[];
  numStocks?: number[];
  uncertainty?: number[];
  volatilityImportance?: number[];
  costBps: number;
  slippageBps: number;
  buyWeekday?: number[];
  strategy?: string;
  testRange?: { start: string; end: string };
}

/** The strategy overrides and grid the flags ask for, over the config's. */
function strategyFlags(opts: EvaluateFlags): { strategy: StrategyOverrides; grid?: (config?: ModelConfig) => GridSpec | undefined } {
  const strategy: StrategyOverrides = {
    transactionCostBps: opts.costBps,
    slippageBps: opts.slippageBps,
    ...(opts.buyWeekday ? { buyWeekdays: opts.buyWeekday } : {}),
    ...(opts.strategy ? { name: strategyName(opts.strategy, '--strategy') } : {}),
  };
  const any = opts.intervalDays ?? opts.numStocks ?? opts.uncertainty ?? opts.volatilityImportance;
  return { strategy, grid: any ? (config) => gridOf(opts, config) : undefined };
}

function gridOf(opts: EvaluateFlags, config?: ModelConfig): GridSpec {
  const g = config?.strategyGrid;
  return {
    intervalDays: opts.intervalDays ?? g?.intervalDays ?? [1, 2],
    numStocksPurchased: opts.numStocks ?? g?.numStocksPurchased ?? [10, 25, 50],
    uncertaintyMultiplier: opts.uncertainty ?? g?.uncertaintyMultiplier,
    volatilityImportance: opts.volatilityImportance ?? g?.volatilityImportance,
  };
}

/** Registers `stockcast predict` and `stockcast evaluate`. */
export function registerEvaluate(program: Command): void {
  program
    .command('predict')
    .description("Batch inference over the config's test range (the seed's run_batch_inference); writes a predictions Parquet.")
    .requiredOption('--model-id <id>', 'a trained model')
    .option('--baseline <name>', `write a baseline's forecasts of the same windows instead (${BASELINE_NAMES.join(', ')})`)
    .option('--backend <name>', 'wasm (default), cpu, tensorflow', 'auto')
    .addHelpText('after', '\nExamples:\n  stockcast predict --model-id m1\n  stockcast predict --model-id m1 --baseline drift   # → m1/output/baselines/drift.parquet, the same columns\n')
    .action(async (opts: { modelId: string; backend: string; baseline?: string }) => {
      await runPredict(opts.modelId, opts.backend, opts.baseline);
    });
  program
    .command('evaluate')
    .description("Judge a model on its test range beside the naive, drift, seasonal-naive and moving-average baselines, and simulate strategies after costs (the seed's run_evaluation).")
    .option('--model-id <id>', 'a model with predictions (`stockcast predict`)')
    .option('--compare <ids...>', 'put several models (and the baselines) in one table, on the rows all of them forecast')
    .option('--config <path>', 'configs.yaml (for the preferred strategy and grid)', 'configs.yaml')
    .option('--json', 'print JSON instead of tables')
    .option('--strategy <name>', 'SimpleXDaysAheadBuying or VolatilityRanking (default: the config\'s preferred block)')
    .option('--interval-days <list>', 'grid: interval_days values', parseNumberList('--interval-days', 1, 100, true))
    .option('--num-stocks <list>', 'grid: num_stocks_purchased values', parseNumberList('--num-stocks', 0, 10_000, true))
    .option('--uncertainty <list>', 'grid: uncertainty_multiplier values (SimpleXDaysAheadBuying)', parseNumberList('--uncertainty', 0, 1000, false))
    .option('--volatility-importance <list>', 'grid: volatility_importance values in [0, 1] (VolatilityRanking)', parseNumberList('--volatility-importance', 0, 1, false))
    .option('--cost-bps <n>', 'commission per side, basis points', parseNumber('--cost-bps', 0, 1000), STRATEGY_DEFAULTS.transactionCostBps)
    .option('--slippage-bps <n>', 'slippage per side, basis points (the zero-cost result is shown beside)', parseNumber('--slippage-bps', 0, 1000), STRATEGY_DEFAULTS.slippageBps)
    .option('--buy-weekday <days>', 'only buy on these weekdays: 0 (Monday) … 4 (Friday) or names, comma-separated (config: _buy_weekdays)', parseWeekdays)
    .option('--test-range <range>', 'restrict the test dates: START..END (end exclusive; config: _test_range)', parseDateRange)
    .addHelpText(
      'after',
      `
Examples:
  stockcast evaluate --model-id m1                        # verdict vs baselines, the grid, report
  stockcast evaluate --model-id m1 --json --slippage-bps 10
  stockcast evaluate --model-id m1 --strategy VolatilityRanking --buy-weekday Monday
  stockcast evaluate --compare m1 m2 m3                   # several models and the baselines in one table

Every figure is on the test range (decisions after val_end): the validation range chose the epoch.`,
    )
    .action(async (opts: EvaluateFlags) => {
      const { strategy, grid } = strategyFlags(opts);
      if (opts.compare) {
        const ids = [...(opts.modelId ? [opts.modelId] : []), ...opts.compare];
        await runCompare({ modelIds: ids, configPath: opts.config, json: opts.json, strategy, grid: grid?.(optionalConfig(opts.config, ids[0]!)), testRange: opts.testRange });
        return;
      }
      if (!opts.modelId) throw new Error('evaluate: --model-id is required (or --compare <ids…>)');
      const config = optionalConfig(opts.config, opts.modelId);
      await runEvaluate({ modelId: opts.modelId, config, json: opts.json, strategy, grid: grid?.(config), testRange: opts.testRange });
    });
}
