import type { Command } from 'commander';
import { predictModel } from '../pipeline/predict-model.js';
import { configGrid, evaluateModel } from '../pipeline/evaluate-model.js';
import { readEvaluation, type StoredEvaluation } from '../pipeline/results-store.js';
import type { Evaluation } from '../backtest/evaluation.js';
import type { GridSpec } from '../backtest/grid.js';
import { evaluationText } from '../report/evaluation-text.js';
import type { ModelConfig } from '../config/seed-config.js';
import { createProgress } from './progress.js';
import { openRuntime } from './runtime.js';
import { commandConfig, configOption } from './common-options.js';
import { backendOption, choiceFlag, flag, intFlag, modelIdOption, numberFlag, numberListFlag } from './flags.js';
import { jsonOption, logLine, printResult, type OutputMode } from './output.js';

/** `stockcast predict --json`: where the predictions went and what they cover (see the README). */
export interface PredictJson {
  modelId: string;
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
  backend: string;
}

/** Batch inference over the test range; prints where the predictions went. */
export async function runPredict(modelId: string, backend = 'auto', mode: OutputMode = {}): Promise<PredictJson> {
  const runtime = await openRuntime();
  try {
    const used = await runtime.tensorBackend(backend);
    logLine(`backend: ${used}`);
    const models = await runtime.modelStore();
    const progress = createProgress('predict');
    const { key, table } = await predictModel({ modelId, features: await runtime.featureStore(), models, onProgress: (d, t) => progress.update(d, t) });
    progress.stop();
    let first = Infinity;
    let last = -Infinity;
    for (const t of table.timestamps) [first, last] = [Math.min(first, t), Math.max(last, t)];
    const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
    const json: PredictJson = {
      modelId,
      key,
      location: `${models.location}/${key}`,
      windows: table.currentY.length,
      symbols: new Set(table.symbols).size,
      days: new Set(table.timestamps).size,
      firstDecision: iso(first),
      lastDecision: iso(last),
      backend: used,
    };
    printResult(mode, json, (p) => `predicted ${p.windows} windows (${p.symbols} symbols × ${p.days} days) → ${p.location}`);
    return json;
  } finally {
    await runtime.close();
  }
}

/** Evaluates stored predictions; writes the HTML report and the stored evaluation, and prints one of them. */
export async function runEvaluate(o: { modelId: string; config?: ModelConfig; grid?: GridSpec; json?: boolean; costBps?: number; slippageBps?: number; buyWeekday?: number }): Promise<{ evaluation: Evaluation; report: string }> {
  const runtime = await openRuntime();
  try {
    const report = runtime.homePath('reports', `${o.modelId}.html`);
    const models = await runtime.modelStore();
    const evaluation = await evaluateModel({ ...o, models, reportPath: report });
    if (o.json) {
      // the document the dashboard reads, so a script and the dashboard see the same figures
      const stored = await readEvaluation(models, o.modelId);
      printResult<StoredEvaluation | null>(o, stored, () => '');
      logLine(`report: ${report}`);
    } else {
      printResult(o, evaluation, (e) => `${evaluationText(e)}\n\nreport: ${report}`);
    }
    return { evaluation, report };
  } finally {
    await runtime.close();
  }
}

/** Options of `stockcast evaluate` after parsing. */
interface EvaluateFlags {
  modelId: string;
  config?: string;
  json?: boolean;
  intervalDays?: number[];
  numStocks?: number[];
  uncertainty?: number[];
  costBps: number;
  slippageBps: number;
  buyWeekday?: number;
  strategy?: GridSpec['strategy'];
}

const STRATEGIES = ['SimpleXDaysAheadBuying', 'VolatilityRanking'] as const;

/** Registers `stockcast predict` and `stockcast evaluate`. */
export function registerEvaluate(program: Command): void {
  program
    .command('predict')
    .description("Batch inference over the config's test range (the seed's run_batch_inference); writes a predictions Parquet.")
    .addOption(modelIdOption('a trained model'))
    .addOption(backendOption())
    .addOption(jsonOption())
    .action(async (opts: { modelId: string; backend: string; json?: boolean }) => {
      await runPredict(opts.modelId, opts.backend, opts);
    });
  program
    .command('evaluate')
    .description("Simulate strategies on stored predictions (the seed's run_evaluation), with honest statistics and an HTML report.")
    .addOption(modelIdOption('a model with predictions'))
    .addOption(configOption('for the preferred strategy and grid'))
    .addOption(jsonOption('print the stored evaluation (the dashboard\'s evaluation.json) instead of a table'))
    .addOption(flag('--interval-days <list>', 'grid: interval_days values (integers 1–260)', numberListFlag({ min: 1, max: 260 }, true)))
    .addOption(flag('--num-stocks <list>', 'grid: num_stocks_purchased values (integers 1–10000)', numberListFlag({ min: 1, max: 10_000 }, true)))
    .addOption(flag('--uncertainty <list>', 'grid: uncertainty_multiplier values (>= 0; VolatilityRanking: volatility_importance in [0, 1])', numberListFlag({ min: 0, max: 1000 })))
    .addOption(flag('--cost-bps <n>', 'transaction cost per side, basis points (0–10000)', numberFlag({ min: 0, max: 10_000 }), 0))
    .addOption(flag('--slippage-bps <n>', 'slippage per side, basis points (0–10000)', numberFlag({ min: 0, max: 10_000 }), 0))
    .addOption(flag('--buy-weekday <n>', 'only buy on this weekday (0 = Monday … 4 = Friday)', intFlag({ min: 0, max: 4 })))
    .addOption(flag('--strategy <name>', 'SimpleXDaysAheadBuying (default) or VolatilityRanking (then --uncertainty lists volatility_importance values in [0, 1])', choiceFlag(STRATEGIES)))
    .action(async (opts: EvaluateFlags) => {
      const config = commandConfig(opts.config, opts.modelId);
      const base = configGrid(config);
      const strategy = (opts.strategy ?? config?.performanceTests[config.preferredTradingStrategy ?? '']?.strategy ?? 'SimpleXDaysAheadBuying') as GridSpec['strategy'];
      if (strategy !== 'SimpleXDaysAheadBuying' && strategy !== 'VolatilityRanking') throw new Error(`--strategy: expected SimpleXDaysAheadBuying or VolatilityRanking, got "${String(strategy)}"`);
      await runEvaluate({
        modelId: opts.modelId,
        config,
        json: opts.json,
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
