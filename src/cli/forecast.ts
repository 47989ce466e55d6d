import type { Command } from 'commander';
import type { ForecastPicks } from '../pipeline/forecast-picks.js';
import { forecastFromFreshData } from '../pipeline/forecast-fresh.js';
import { readForecast } from '../pipeline/results-store.js';
import { quantileColumn, quantileIndices } from '../core/prediction-table.js';
import type { ModelConfig } from '../config/seed-config.js';
import { openRuntime, SOURCE_NAMES, type SourceName } from './runtime.js';
import { refreshSources } from './trade.js';
import { commandConfig, configOption } from './common-options.js';
import { choiceFlag, dateFlag, flag, isoTimeFlag, modelIdOption } from './flags.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';
import { jsonOption, logLine, printResult } from './output.js';
import { buysOn, describeStrategy } from '../strategies/registry.js';

/** `stockcast forecast`: today's forecasts and the strategy's buy list, as a table or as the stored forecast JSON. */
export async function runForecast(o: { modelId: string; config?: ModelConfig; asOf?: string; earningsSource?: string; source?: SourceName; csv?: string; now?: Date; json?: boolean } & InferenceFlags): Promise<void> {
  const runtime = await openRuntime();
  try {
    const { engine } = await openInference(runtime, o);
    const models = await runtime.modelStore();
    const f = await forecastFromFreshData({
      modelId: o.modelId, config: o.config, features: await runtime.featureStore(), models, asOf: o.asOf,
      sources: refreshSources(runtime, o.csv), source: o.source, now: o.now ?? new Date(), locksDir: runtime.locksDir, log: logLine,
      earnings: o.earningsSource ? () => runtime.earningsSource(o.earningsSource!) : undefined, engine,
    });
    // the document the dashboard reads (`<model_id>/output/forecasts/<as-of>.json`)
    if (o.json) printResult(o, await readForecast(models, o.modelId, f.asOf), () => '');
    else printResult(o, f, (x) => forecastText(o.modelId, x));
  } finally {
    await runtime.close();
  }
}

function forecastText(modelId: string, { table, asOf, params, picks }: ForecastPicks): string {
  const { low, mid, high } = quantileIndices(table.quantiles);
  const k = params.intervalDays;
  const nQ = table.quantiles.length;
  const H = table.horizon;
  const lines = [
    `forecasts of ${modelId} from data up to ${asOf} (${table.currentY.length} symbols); horizon ${H} trading day(s)`,
    `buy list (${describeStrategy(params)}):`,
    `  symbol     current  ${[low, mid, high].map((q) => quantileColumn(table.quantiles[q]!).padStart(11)).join('')}  change%    score`,
  ];
  for (const p of picks) {
    const at = (q: number) => table.pred[(p.row * H + k - 1) * nQ + q]!;
    lines.push(`  ${p.symbol.padEnd(8)} ${table.currentY[p.row]!.toFixed(2).padStart(9)}  ${[low, mid, high].map((q) => at(q).toFixed(2).padStart(11)).join('')}  ${p.predictedChangePct.toFixed(2).padStart(7)}  ${p.score.toFixed(3).padStart(7)}`);
  }
  if (picks.length === 0) lines.push(buysOn(params, asOf) ? '  (nothing to buy: no symbol passes the strategy)' : `  (nothing to buy: the strategy buys only on weekdays ${params.buyWeekdays!.join(',')} (0 = Monday))`);
  return lines.join('\n');
}

/** Registers `stockcast forecast`. */
export function registerForecast(program: Command): void {
  inferenceOptions(program
    .command('forecast')
    .description("Today's forecasts from the freshest data in the store and the strategy's buy list (the seed's run_inference).")
    .addOption(modelIdOption('a trained model'))
    .addOption(configOption('for the preferred strategy'))
    .addOption(flag('--as-of <date>', 'forecast from data up to this date (default: the latest session; missing days are refreshed first)', dateFlag()))
    .addOption(flag('--earnings-source <name>', 'earnings calendar for the forecast days the store lacks (models using is_earnings_day)', choiceFlag(['nasdaq', 'synthetic'] as const)))
    .addOption(flag('--source <name>', `refresh source (${SOURCE_NAMES.join(', ')}); default: the source recorded as having written the data`, choiceFlag(SOURCE_NAMES)))
    .option('--csv <path>', 'the CSV file to refresh a csv-sourced store from')
    .addOption(flag('--now <iso>', 'the time the latest session is judged at (default: now)', isoTimeFlag()))
    .addOption(jsonOption('print the stored forecast (every symbol\'s quantiles and the buy list) as JSON')))
    .action(async (opts: { modelId: string; config?: string; asOf?: string; earningsSource?: string; source?: SourceName; csv?: string; now?: Date; json?: boolean } & InferenceFlags) => {
      const config = commandConfig(opts.config, opts.modelId);
      await runForecast({ modelId: opts.modelId, config, backend: opts.backend, threads: opts.threads, asOf: opts.asOf, earningsSource: opts.earningsSource, source: opts.source, csv: opts.csv, now: opts.now, json: opts.json });
    });
}
