import type { Command } from 'commander';
import { forecastFromFreshData } from '../pipeline/forecast-fresh.js';
import { isRealDate } from '../core/ny-time.js';
import { quantileColumn, quantileIndices } from '../core/prediction-table.js';
import { optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { openRuntime, SOURCE_NAMES } from './runtime.js';
import { refreshSources, sourceName } from './trade.js';
import { parseNow } from './trade-flags.js';

/** `stockcast forecast`: today's forecasts and the strategy's buy list as a table. */
export async function runForecast(o: { modelId: string; config?: ModelConfig; backend?: string; asOf?: string; source?: string; csv?: string; now?: Date }): Promise<void> {
  const runtime = await openRuntime();
  try {
    process.stderr.write(`backend: ${await runtime.tensorBackend(o.backend ?? 'auto')}\n`);
    const { table, asOf, params, picks } = await forecastFromFreshData({
      modelId: o.modelId, config: o.config, features: await runtime.featureStore(), models: await runtime.modelStore(), asOf: o.asOf,
      sources: refreshSources(runtime, o.csv), source: o.source, now: o.now ?? new Date(), locksDir: runtime.locksDir, log: (line) => process.stderr.write(`${line}\n`),
    });
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
  program
    .command('forecast')
    .description("Today's forecasts from the freshest data in the store and the strategy's buy list (the seed's run_inference).")
    .requiredOption('--model-id <id>', 'a trained model')
    .option('--config <path>', 'configs.yaml (for the preferred strategy)', 'configs.yaml')
    .option('--as-of <date>', 'forecast from data up to this date (default: the latest session; missing days are refreshed first)')
    .option('--source <name>', `refresh source (${SOURCE_NAMES.join(', ')}); default: the source recorded as having written the data`)
    .option('--csv <path>', 'the CSV file to refresh a csv-sourced store from')
    .option('--now <iso>', 'the time the latest session is judged at (default: now)')
    .option('--backend <name>', 'wasm (default), cpu, tensorflow', 'auto')
    .action(async (opts: { modelId: string; config: string; backend: string; asOf?: string; source?: string; csv?: string; now?: string }) => {
      if (opts.asOf !== undefined && !isRealDate(opts.asOf)) throw new Error(`--as-of: expected a date YYYY-MM-DD, got "${opts.asOf}"`);
      const source = opts.source === undefined ? undefined : sourceName(opts.source, '--source');
      const config = optionalConfig(opts.config, opts.modelId);
      await runForecast({ modelId: opts.modelId, config, backend: opts.backend, asOf: opts.asOf, source, csv: opts.csv, now: parseNow(opts.now) });
    });
}
