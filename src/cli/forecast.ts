import type { Command } from 'commander';
import { forecastPicks } from '../pipeline/forecast-picks.js';
import { isRealDate } from '../core/ny-time.js';
import { quantileColumn, quantileIndices } from '../core/prediction-table.js';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { openRuntime } from './runtime.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';

/** `stockcast forecast`: today's forecasts and the strategy's buy list as a table. */
export async function runForecast(o: { modelId: string; config?: ModelConfig; asOf?: string; earningsSource?: string } & InferenceFlags): Promise<void> {
  const runtime = await openRuntime();
  try {
    const { engine } = await openInference(runtime, o);
    const { table, asOf, params, picks } = await forecastPicks({ modelId: o.modelId, features: await runtime.featureStore(), models: await runtime.modelStore(), config: o.config, until: o.asOf, earnings: o.earningsSource ? () => runtime.earningsSource(o.earningsSource!) : undefined, engine });
    const { low, mid, high } = quantileIndices(table.quantiles);
    const k = params.intervalDays;
    const nQ = table.quantiles.length;
    const H = table.horizon;
    const out = process.stdout;
    out.write(`forecasts of ${o.modelId} from data up to ${asOf} (${table.currentY.length} symbols); horizon ${H} trading day(s)\n`);
    out.write(`buy list (SimpleXDaysAheadBuying: interval ${k}, ${params.numStocksPurchased} stocks, uncertainty × ${params.uncertaintyMultiplier}${params.dontBuyNegativeStocks ? ', positive forecasts only' : ''}):\n`);
    out.write(`  symbol     current  ${[low, mid, high].map((q) => quantileColumn(table.quantiles[q]!).padStart(11)).join('')}  change%    score\n`);
    for (const p of picks) {
      const at = (q: number) => table.pred[(p.row * H + k - 1) * nQ + q]!;
      out.write(`  ${p.symbol.padEnd(8)} ${table.currentY[p.row]!.toFixed(2).padStart(9)}  ${[low, mid, high].map((q) => at(q).toFixed(2).padStart(11)).join('')}  ${p.predictedChangePct.toFixed(2).padStart(7)}  ${p.score.toFixed(3).padStart(7)}\n`);
    }
    if (picks.length === 0) out.write('  (nothing to buy: no symbol has a positive forecast)\n');
  } finally {
    await runtime.close();
  }
}

/** Registers `stockcast forecast`. */
export function registerForecast(program: Command): void {
  inferenceOptions(
    program
      .command('forecast')
      .description("Today's forecasts from the freshest data in the store and the strategy's buy list (the seed's run_inference).")
      .requiredOption('--model-id <id>', 'a trained model')
      .option('--config <path>', 'configs.yaml (for the preferred strategy)', 'configs.yaml')
      .option('--as-of <date>', 'forecast from data up to this date (default: the newest in the store)')
      .option('--earnings-source <name>', 'earnings calendar for the forecast days the store lacks (models using is_earnings_day): nasdaq or synthetic'),
  ).action(async (opts: { modelId: string; config: string; asOf?: string; earningsSource?: string } & InferenceFlags) => {
      if (opts.asOf !== undefined && !isRealDate(opts.asOf)) throw new Error(`--as-of: expected a date YYYY-MM-DD, got "${opts.asOf}"`);
      if (opts.earningsSource !== undefined && opts.earningsSource !== 'nasdaq' && opts.earningsSource !== 'synthetic') throw new Error(`--earnings-source: expected nasdaq or synthetic, got "${opts.earningsSource}"`);
      const config = optionalConfig(opts.config, opts.modelId);
      await runForecast({ modelId: opts.modelId, config, backend: opts.backend, threads: opts.threads, asOf: opts.asOf, earningsSource: opts.earningsSource });
    });
}
