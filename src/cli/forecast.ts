import type { Command } from 'commander';
import { forecastPicks } from '../pipeline/forecast-picks.js';
import { isRealDate } from '../core/ny-time.js';
import { quantileColumn, quantileIndices } from '../core/prediction-table.js';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { openRuntime } from './runtime.js';
import { buysOn, describeStrategy } from '../strategies/registry.js';

/** `stockcast forecast`: today's forecasts and the strategy's buy list as a table. */
export async function runForecast(o: { modelId: string; config?: ModelConfig; backend?: string; asOf?: string }): Promise<void> {
  const runtime = await openRuntime();
  try {
    process.stderr.write(`backend: ${await runtime.tensorBackend(o.backend ?? 'auto')}\n`);
    const { table, asOf, params, picks } = await forecastPicks({ modelId: o.modelId, features: await runtime.featureStore(), models: await runtime.modelStore(), config: o.config, until: o.asOf });
    const { low, mid, high } = quantileIndices(table.quantiles);
    const k = params.intervalDays;
    const nQ = table.quantiles.length;
    const H = table.horizon;
    const out = process.stdout;
    out.write(`forecasts of ${o.modelId} from data up to ${asOf} (${table.currentY.length} symbols); horizon ${H} trading day(s)\n`);
    out.write(`buy list (${describeStrategy(params)}):\n`);
    out.write(`  symbol     current  ${[low, mid, high].map((q) => quantileColumn(table.quantiles[q]!).padStart(11)).join('')}  change%    score\n`);
    for (const p of picks) {
      const at = (q: number) => table.pred[(p.row * H + k - 1) * nQ + q]!;
      out.write(`  ${p.symbol.padEnd(8)} ${table.currentY[p.row]!.toFixed(2).padStart(9)}  ${[low, mid, high].map((q) => at(q).toFixed(2).padStart(11)).join('')}  ${p.predictedChangePct.toFixed(2).padStart(7)}  ${p.score.toFixed(3).padStart(7)}\n`);
    }
    if (picks.length === 0) out.write(buysOn(params, asOf) ? '  (nothing to buy: no symbol passes the strategy)\n' : `  (nothing to buy: the strategy buys only on weekdays ${params.buyWeekdays!.join(',')} (0 = Monday))\n`);
  } finally {
    await runtime.close();
  }
}

/** Registers `stockcast forecast`. */
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description("Today's forecasts from the freshest data in the store and the strategy's buy list (the seed's run_inference).")
    .requiredOption('--model-id <id>', 'a trained model')
    .option('--config <path>', 'configs.yaml (for the preferred strategy)', 'configs.yaml')
    .option('--as-of <date>', 'forecast from data up to this date (default: the newest in the store)')
    .option('--backend <name>', 'wasm (default), cpu, tensorflow', 'auto')
    .action(async (opts: { modelId: string; config: string; backend: string; asOf?: string }) => {
      if (opts.asOf !== undefined && !isRealDate(opts.asOf)) throw new Error(`--as-of: expected a date YYYY-MM-DD, got "${opts.asOf}"`);
      const config = optionalConfig(opts.config, opts.modelId);
      await runForecast({ modelId: opts.modelId, config, backend: opts.backend, asOf: opts.asOf });
    });
}
