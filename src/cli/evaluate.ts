import { InvalidArgumentError, type Command } from 'commander';
import { predictPart } from '../pipeline/sharded-predict.js';
import { parseShard, type Shard } from '../core/shard.js';
import { evaluateModel, type ModelEvaluation } from '../pipeline/evaluate-model.js';
import { compareModels } from '../pipeline/compare-models.js';
import { baselineName, predictBaseline } from '../pipeline/baseline-predictions.js';
import type { GridSpec } from '../backtest/grid.js';
import { BASELINE_NAMES } from '../backtest/baselines.js';
import { STRATEGY_DEFAULTS } from '../config/strategy-defaults.js';
import { strategyName, type StrategyOverrides } from '../strategies/registry.js';
import { evaluationText } from '../report/evaluation-text.js';
import type { ModelConfig } from '../config/seed-config.js';
import { createProgress } from './progress.js';
import { openRuntime, type Runtime } from './runtime.js';
import { chooseConfig, commandConfig, configOption } from './common-options.js';
import { choiceFlag, flag, intFlag, modelIdOption, numberFlag, numberListFlag, type FlagParser } from './flags.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';
import { predictionsKey } from '../store/predictions-parquet.js';
import { listParts } from '../store/prediction-parts.js';
import { jsonOption, logLine, printResult, type OutputMode } from './output.js';
import { comparisonText, evaluationJson, parseDateRange, parseWeekdays } from './evaluate-output.js';

/** `stockcast predict --json`: where the predictions went and what they cover (see the README). */
export interface PredictJson {
  modelId: string;
  /** The baseline whose forecasts these are, or null for the model's own. */
  baseline: string | null;
  /** The model store key of the predictions Parquet, and its full location. */
  key: string;
  location: string;
  /** One window per (symbol, decision day). */
  windows: number;
  symbols: number;
  days: number;
  /** First and last decision time (ISO UTC; daily decisions are New-York midnight), null without windows. */
  firstDecision: string | null;
  lastDecision: string | null;
  /** The tensor backend, or null for a baseline (no model runs). */
  backend: string | null;
}

/** Batch inference over the test range on every core (or a baseline's forecasts over it); prints where the predictions went. */
export async function runPredict(modelId: string, o: InferenceFlags & OutputMode & { baseline?: string; shard?: Shard } = {}): Promise<PredictJson> {
  const runtime = await openRuntime();
  try {
    return await predictOn(runtime, modelId, o);
  } finally {
    await runtime.close();
  }
}

/** `predict` on an open runtime; `quietStdout` sends the summary line to stderr (evaluate --json keeps stdout one document). */
async function predictOn(runtime: Runtime, modelId: string, o: InferenceFlags & OutputMode & { baseline?: string; shard?: Shard; quietStdout?: boolean }): Promise<PredictJson> {
  const models = await runtime.modelStore();
  const features = await runtime.featureStore();
  let result;
  let used: string | null = null;
  if (o.baseline !== undefined) {
    result = await predictBaseline({ modelId, baseline: baselineName(o.baseline), features, models });
  } else {
    const inference = await openInference(runtime, o);
    used = inference.label;
    const progress = createProgress('predict');
    const part = await predictPart({ modelId, features, models, shard: o.shard, engine: inference.engine, onProgress: (d, t) => progress.update(d, t) });
    progress.stop();
    // a whole run is also merged into the seed's predictions.parquet; a shard is only its part
    result = { key: part.merged ?? part.key, table: part.table };
  }
  const { key, table } = result;
  let first = Infinity;
  let last = -Infinity;
  for (const t of table.timestamps) [first, last] = [Math.min(first, t), Math.max(last, t)];
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
  const json: PredictJson = {
    modelId,
    baseline: o.baseline ?? null,
    key,
    location: `${models.location}/${key}`,
    windows: table.currentY.length,
    symbols: new Set(table.symbols).size,
    days: new Set(table.timestamps).size,
    firstDecision: iso(first),
    lastDecision: iso(last),
    backend: used,
  };
  const part = o.shard && o.shard.count > 1 ? ` shard ${o.shard.index}/${o.shard.count}:` : '';
  const line = `predicted${part} ${json.windows} windows (${json.symbols} symbols × ${json.days} days)${json.baseline ? ` with the ${json.baseline} baseline` : ''} → ${json.location}`;
  if (o.quietStdout) logLine(line);
  else printResult(o, json, () => line);
  return json;
}

/** What `runEvaluate` takes. */
export interface EvaluateCommandOptions extends InferenceFlags {
  modelId: string;
  /** Run batch inference first even when predictions are stored (without any stored, it always does). */
  predict?: boolean;
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
    const models = await runtime.modelStore();
    // predictions are stored whole (predictions.parquet) or as the parts of a sharded run
    if (o.predict || (!(await models.exists(predictionsKey(o.modelId))) && (await listParts(models, o.modelId)).length === 0)) {
      if (!o.predict) logLine(`no stored predictions for ${o.modelId}: predicting the test range first`);
      await predictOn(runtime, o.modelId, { backend: o.backend, threads: o.threads, quietStdout: o.json });
    }
    const report = runtime.homePath('reports', `${o.modelId}.html`);
    const { evaluation, document } = await evaluateModel({ ...o, models, features: await runtime.featureStore(), reportPath: report });
    if (o.json) {
      printResult(o, evaluationJson(document), () => '');
      logLine(`report: ${report}`);
    } else {
      process.stdout.write(`${evaluationText(evaluation)}\n\nreport: ${report}\n`);
    }
    return { evaluation, report };
  } finally {
    await runtime.close();
  }
}

/** `evaluate --compare`: several models beside the baselines in one table. */
async function runCompare(o: { modelIds: string[]; configFlag?: string; json?: boolean; strategy: StrategyOverrides; grid?: GridSpec; testRange?: { start: string; end: string } }): Promise<void> {
  const runtime = await openRuntime();
  try {
    const c = await compareModels({ ...o, models: await runtime.modelStore(), features: await runtime.featureStore(), configOf: (id) => commandConfig(o.configFlag, id) });
    process.stdout.write(o.json ? `${JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n` : `${comparisonText(c)}\n`);
  } finally {
    await runtime.close();
  }
}

/** Options of `stockcast predict` as commander parses them. */
export interface PredictFlags extends InferenceFlags, OutputMode {
  modelId: string;
  baseline?: string;
  shard?: Shard;
  merge?: boolean;
  shards?: number;
}

/** Options of `stockcast evaluate` as commander parses them. */
interface EvaluateFlags extends InferenceFlags {
  modelId?: string;
  predict?: boolean;
  compare?: string[];
  config?: string;
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
  inferenceOptions(
    program
      .command('predict')
      .description("Batch inference over the config's test range (the seed's run_batch_inference) on every core; writes a predictions Parquet.")
      .addOption(modelIdOption('a trained model'))
      .addOption(flag('--baseline <name>', "write a baseline's forecasts of the same windows instead", choiceFlag(BASELINE_NAMES)))
      .addOption(flag('--shard <i/n>', 'forecast only shard i of n (symbols split by a stable hash); writes <id>/output/predictions/part-i-of-n.parquet', asFlag(parseShard)))
      .option('--merge', 'merge a complete set of parts into <id>/output/predictions.parquet (no inference)')
      .addOption(flag('--shards <n>', 'with --merge: the split to merge when parts of several are stored (the others are removed); 1–10000', intFlag({ min: 1, max: 10_000 })))
      .addOption(jsonOption())
      .addHelpText('after', '\nExamples:\n  stockcast predict --model-id m1 --threads 2\n  stockcast predict --model-id m1 --baseline drift   # → m1/output/baselines/drift.parquet, the same columns\n\nSharded (one command per machine, then one merge):\n  stockcast predict --model-id m1 --shard 1/4   # … --shard 4/4 on the other machines\n  stockcast predict --model-id m1 --merge\n'),
  ).action(async (opts: PredictFlags) => {
    const { predictCommand } = await import('./predict-parts.js');
    await predictCommand(opts);
  });
  inferenceOptions(program
    .command('evaluate')
    .description("Judge a model on its test range beside the naive, drift, seasonal-naive and moving-average baselines, and simulate strategies after costs (the seed's run_evaluation); predicts the test range first when no predictions are stored (or with --predict), on --backend/--threads.")
    .option('--predict', 'run batch inference over the test range first even when predictions are stored (e.g. after retraining)')
    .addOption(modelIdOption('a model with predictions (`stockcast predict`)', { optional: true }))
    .option('--compare <ids...>', 'put several models (and the baselines) in one table, on the rows all of them forecast')
    .addOption(configOption('for the preferred strategy and grid'))
    .addOption(jsonOption('print JSON instead of tables (the stored evaluation without its long series)'))
    .addOption(flag('--strategy <name>', "SimpleXDaysAheadBuying or VolatilityRanking (default: the config's preferred block)", choiceFlag(['SimpleXDaysAheadBuying', 'VolatilityRanking'] as const)))
    .addOption(flag('--interval-days <list>', 'grid: interval_days values (integers 1–260)', numberListFlag({ min: 1, max: 260 }, true)))
    .addOption(flag('--num-stocks <list>', 'grid: num_stocks_purchased values (integers 1–10000)', numberListFlag({ min: 1, max: 10_000 }, true)))
    .addOption(flag('--uncertainty <list>', 'grid: uncertainty_multiplier values, 0–1000 (SimpleXDaysAheadBuying)', numberListFlag({ min: 0, max: 1000 })))
    .addOption(flag('--volatility-importance <list>', 'grid: volatility_importance values in [0, 1] (VolatilityRanking)', numberListFlag({ min: 0, max: 1 })))
    .addOption(flag('--cost-bps <n>', 'commission per side, basis points (0–1000)', numberFlag({ min: 0, max: 1000 }), STRATEGY_DEFAULTS.transactionCostBps))
    .addOption(flag('--slippage-bps <n>', 'slippage per side, basis points, 0–1000 (the zero-cost result is shown beside)', numberFlag({ min: 0, max: 1000 }), STRATEGY_DEFAULTS.slippageBps))
    .addOption(flag('--buy-weekday <days>', 'only buy on these weekdays: 0 (Monday) … 4 (Friday) or names, comma-separated (config: _buy_weekdays)', asFlag(parseWeekdays)))
    .addOption(flag('--test-range <range>', 'restrict the test dates: START..END (end exclusive; config: _test_range)', asFlag(parseDateRange)))
    .addHelpText(
      'after',
      `
Examples:
  stockcast evaluate --model-id m1                        # verdict vs baselines, the grid, report
  stockcast evaluate --model-id m1 --json --slippage-bps 10
  stockcast evaluate --model-id m1 --strategy VolatilityRanking --buy-weekday Monday
  stockcast evaluate --compare m1 m2 m3                   # several models and the baselines in one table

Every figure is on the test range (decisions after val_end): the validation range chose the epoch.`,
    ))
    .action(async (opts: EvaluateFlags) => {
      const { strategy, grid } = strategyFlags(opts);
      if (opts.compare) {
        const ids = [...(opts.modelId ? [opts.modelId] : []), ...opts.compare];
        await runCompare({ modelIds: ids, configFlag: opts.config, json: opts.json, strategy, grid: grid?.(commandConfig(opts.config, ids[0]!)), testRange: opts.testRange });
        return;
      }
      if (!opts.modelId) throw new Error('evaluate: --model-id is required (or --compare <ids…>)');
      const config = commandConfig(opts.config, opts.modelId);
      await runEvaluate({ modelId: opts.modelId, config, json: opts.json, strategy, grid: grid?.(config), testRange: opts.testRange, predict: opts.predict, backend: opts.backend, threads: opts.threads });
    });
}

/** A parser that throws a plain error, as a commander flag parser (its message becomes commander's usage error). */
function asFlag<T>(parse: (v: string) => T): FlagParser<T> {
  return (v) => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}
