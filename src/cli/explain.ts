import type { Command } from 'commander';
import { explainToReport } from '../pipeline/explain-report.js';
import { readExplanation } from '../pipeline/results-store.js';
import type { Split } from '../dataset/time-series-dataset.js';
import type { Interpretation } from '../model/trained-model.js';
import { byWeight } from '../report/explanation-html.js';
import { openRuntime } from './runtime.js';
import { choiceFlag, flag, modelIdOption } from './flags.js';
import { inferenceOptions, openInference, type InferenceFlags } from './inference-options.js';
import { jsonOption, logLine, printResult } from './output.js';

/** `stockcast explain`: variable importances and attention as a table or JSON (the stored explanation), and an HTML report. */
export async function runExplain(o: { modelId: string; split?: Split; json?: boolean } & InferenceFlags): Promise<string> {
  const runtime = await openRuntime();
  try {
    const { engine } = await openInference(runtime, o);
    const split = o.split ?? 'val';
    const report = runtime.homePath('reports', `${o.modelId}-explain.html`);
    const models = await runtime.modelStore();
    const r = await explainToReport({ modelId: o.modelId, features: await runtime.featureStore(), models, split, reportPath: report, engine });
    if (o.json) {
      // the document the dashboard reads (`<model_id>/output/explanation-<split>.json`)
      printResult(o, await readExplanation(models, o.modelId, split), () => '');
      logLine(`report: ${report}`);
    } else {
      printResult(o, r, (x) => `${explanationText(x)}\nreport: ${report}`);
    }
    return report;
  } finally {
    await runtime.close();
  }
}

function explanationText(r: Interpretation): string {
  const fmt = (rec: Record<string, number>) => byWeight(rec).map(([k, v]) => `  ${k.padEnd(18)} ${(v * 100).toFixed(1).padStart(5)}%`).join('\n');
  const top = [...r.attention].sort((a, b) => b.weight - a.weight).slice(0, 5);
  return `encoder variable importance:\n${fmt(r.encoderImportance)}\ndecoder variable importance:\n${fmt(r.decoderImportance)}\nmost attended positions: ${top.map((a) => `${a.position} (${(a.weight * 100).toFixed(1)}%)`).join(', ')}`;
}

/** Registers `stockcast explain`. */
export function registerExplain(program: Command): void {
  inferenceOptions(
    program
      .command('explain')
      .description("Variable importances and attention of a trained model (the seed's explain_model).")
      .addOption(modelIdOption('a trained model'))
      .addOption(flag('--split <name>', 'windows to aggregate over: train, val or test', choiceFlag(['train', 'val', 'test'] as const), 'val'))
      .addOption(jsonOption("print the stored explanation (the dashboard's explanation-<split>.json)")),
  ).action(async (opts: { modelId: string; split: Split; json?: boolean } & InferenceFlags) => {
      await runExplain({ modelId: opts.modelId, split: opts.split, json: opts.json, backend: opts.backend, threads: opts.threads });
    });
}
