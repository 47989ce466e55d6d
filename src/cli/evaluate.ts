import { join } from 'node:path';
import type { Command } from 'commander';
import { predictPart } from '../pipeline/sharded-predict.js';
import type { Shard } from '../core/shard.js';
import { configGrid, evaluateModel } from '../pipeline/evaluate-model.js';
import type { Evaluation } from '../backtest/evaluation.js';
import type { GridSpec } from '../backtest/grid.js';
import { evaluationText } from '../report/evaluation-text.js';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { createProgress } from './progress.js';
import { openRuntime } from './runtime.js';

/** Batch inference over the test range (all of it, or one shard); prints where the predictions went. */
export async function runPredict(modelId: string, backend = 'auto', shard?: Shard): Promise<string> {
  const runtime = await openRuntime();
  try {
    process.stderr.write(`backend: ${await runtime.tensorBackend(backend)}\n`);
    const models = await runtime.modelStore();
    const progress = createProgress('predict');
    const { key, table, merged } = await predictPart({ modelId, features: await runtime.featureStore(), models, shard, onProgress: (d, t) => progress.update(d, t) });
    progress.stop();
    const days = new Set(table.timestamps).size;
    const part = shard ? ` shard ${shard.index}/${shard.count}:` : '';
    process.stdout.write(`predicted${part} ${table.currentY.length} windows (${new Set(table.symbols).size} symbols × ${days} days) → ${models.location}/${merged ?? key}\n`);
    return key;
  } finally {
    await runtime.close();
  }
}

/** Evaluates stored predictions; writes the HTML report and returns the evaluation. */
export async function runEvaluate(o: { modelId: string; config?: ModelConfig; grid?: GridSpec; json?: boolean; costBps?: number; slippageBps?: number; buyWeekday?: number }): Promise<{ evaluation: Evaluation; report: string }> {
  const runtime = await openRuntime();
  try {
    const report = join(runtime.home, 'reports', `${o.modelId}.html`);
    const evaluation = await evaluateModel({ ...o, models: await runtime.modelStore(), reportPath: report });
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
  program
    .command('predict')
    .description("Batch inference over the config's test range (the seed's run_batch_inference); writes a predictions Parquet.")
    .requiredOption('--model-id <id>', 'a trained model')
    .option('--backend <name>', 'wasm (default), cpu, tensorflow', 'auto')
    .option('--shard <i/n>', 'forecast only shard i of n (symbols split by a stable hash); writes <id>/output/predictions/part-i-of-n.parquet')
    .option('--merge', 'merge a complete set of parts into <id>/output/predictions.parquet (no inference)')
    .option('--shards <n>', 'with --merge: the split to merge when parts of several are stored (the others are removed)')
    .addHelpText('after', '\nSharded (one command per machine, then one merge):\n  stockcast predict --model-id m1 --shard 1/4   # … --shard 4/4 on the other machines\n  stockcast predict --model-id m1 --merge\n')
    .action(async (opts: { modelId: string; backend: string; shard?: string; merge?: boolean; shards?: string }) => {
      const { predictCommand } = await import('./predict-parts.js');
      await predictCommand(opts);
    });
  program
    .command('evaluate')
    .description("Simulate strategies on stored predictions (the seed's run_evaluation), with honest statistics and an HTML report.")
    .requiredOption('--model-id <id>', 'a model with predictions')
    .option('--config <path>', 'configs.yaml (for the preferred strategy and grid)', 'configs.yaml')
    .option('--json', 'print JSON instead of a table')
    .option('--interval-days <list>', 'grid: interval_days values', numbers('--interval-days'))
    .option('--num-stocks <list>', 'grid: num_stocks_purchased values', numbers('--num-stocks'))
    .option('--uncertainty <list>', 'grid: uncertainty_multiplier values', numbers('--uncertainty'))
    .option('--cost-bps <n>', 'transaction cost per side, basis points', Number, 0)
    .option('--slippage-bps <n>', 'slippage per side, basis points', Number, 0)
    .option('--buy-weekday <n>', 'only buy on this weekday (0 = Monday … 4 = Friday)', Number)
    .option('--strategy <name>', 'SimpleXDaysAheadBuying (default) or VolatilityRanking (then --uncertainty lists volatility_importance values in [0, 1])')
    .action(async (opts: { modelId: string; config: string; json?: boolean; intervalDays?: number[]; numStocks?: number[]; uncertainty?: number[]; costBps: number; slippageBps: number; buyWeekday?: number; strategy?: string }) => {
      const config = optionalConfig(opts.config, opts.modelId);
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
