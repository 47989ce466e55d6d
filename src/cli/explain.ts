import { join } from 'node:path';
import type { Command } from 'commander';
import { explainToReport } from '../pipeline/explain-report.js';
import type { Split } from '../dataset/time-series-dataset.js';
import { byWeight } from '../report/explanation-html.js';
import { openRuntime } from './runtime.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';

/** `stockcast explain`: variable importances and attention as a table or JSON, and an HTML report. */
export async function runExplain(o: { modelId: string; split?: Split; json?: boolean } & InferenceFlags): Promise<string> {
  const runtime = await openRuntime();
  try {
    const { engine } = await openInference(runtime, o);
    const report = join(runtime.home, 'reports', `${o.modelId}-explain.html`);
    const r = await explainToReport({ modelId: o.modelId, features: await runtime.featureStore(), models: await runtime.modelStore(), split: o.split ?? 'val', reportPath: report, engine });
    if (o.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    } else {
      const fmt = (rec: Record<string, number>) => byWeight(rec).map(([k, v]) => `  ${k.padEnd(18)} ${(v * 100).toFixed(1).padStart(5)}%`).join('\n');
      const top = [...r.attention].sort((a, b) => b.weight - a.weight).slice(0, 5);
      process.stdout.write(`encoder variable importance:\n${fmt(r.encoderImportance)}\ndecoder variable importance:\n${fmt(r.decoderImportance)}\nmost attended positions: ${top.map((a) => `${a.position} (${(a.weight * 100).toFixed(1)}%)`).join(', ')}\nreport: ${report}\n`);
    }
    return report;
  } finally {
    await runtime.close();
  }
}

/** Registers `stockcast explain`. */
export function registerExplain(program: Command): void {
  inferenceOptions(
    program
      .command('explain')
      .description("Variable importances and attention of a trained model (the seed's explain_model).")
      .requiredOption('--model-id <id>', 'a trained model')
      .option('--split <name>', 'windows to aggregate over: train, val or test', 'val')
      .option('--json', 'print JSON'),
  ).action(async (opts: { modelId: string; split: string; json?: boolean } & InferenceFlags) => {
      if (!['train', 'val', 'test'].includes(opts.split)) throw new Error(`--split: expected train, val or test, got "${opts.split}"`);
      await runExplain({ modelId: opts.modelId, split: opts.split as Split, json: opts.json, backend: opts.backend, threads: opts.threads });
    });
}
