import { join } from 'node:path';
import type { Command } from 'commander';
import { initBackend, type BackendName } from '../model/backend.js';
import { explainModel } from '../pipeline/explain-model.js';
import type { Split } from '../dataset/time-series-dataset.js';
import { barChart } from '../report/svg.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { openRuntime } from './runtime.js';
import { saveExplanation } from '../pipeline/results-store.js';

/** `stockcast explain`: variable importances and attention as a table, JSON and an HTML report. */
export async function runExplain(o: { modelId: string; split?: Split; json?: boolean; backend?: string }): Promise<string> {
  process.stderr.write(`backend: ${await initBackend((o.backend ?? 'auto') as BackendName | 'auto')}\n`);
  const runtime = await openRuntime();
  try {
    const split = o.split ?? 'val';
    const r = await explainModel({ modelId: o.modelId, features: await runtime.featureStore(), models: await runtime.modelStore(), split });
    await saveExplanation(await runtime.modelStore(), o.modelId, split, r);
    const sorted = (rec: Record<string, number>) => Object.entries(rec).sort((a, b) => b[1] - a[1]);
    const report = join(runtime.home, 'reports', `${o.modelId}-explain.html`);
    const charts = [
      barChart({ title: `encoder variable importance (${split} split, ${r.windows} windows)`, labels: sorted(r.encoderImportance).map((e) => e[0]), values: sorted(r.encoderImportance).map((e) => e[1]), percent: true }),
      barChart({ title: 'decoder variable importance', labels: sorted(r.decoderImportance).map((e) => e[0]), values: sorted(r.decoderImportance).map((e) => e[1]), percent: true }),
      barChart({ title: 'attention by position (negative = days before the forecast)', labels: r.attention.map((a) => String(a.position)), values: r.attention.map((a) => a.weight), percent: true }),
    ];
    await writeFileAtomic(report, `<!doctype html><html><head><meta charset="utf-8"><title>stockcast explain — ${o.modelId}</title></head><body style="font-family:system-ui,sans-serif;max-width:960px;margin:2em auto"><h1>What ${o.modelId} looks at</h1>${charts.join('\n')}<p>static variables: none (the seed's configs use none)</p></body></html>`);
    if (o.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    } else {
      const fmt = (rec: Record<string, number>) => sorted(rec).map(([k, v]) => `  ${k.padEnd(18)} ${(v * 100).toFixed(1).padStart(5)}%`).join('\n');
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
  program
    .command('explain')
    .description("Variable importances and attention of a trained model (the seed's explain_model).")
    .requiredOption('--model-id <id>', 'a trained model')
    .option('--split <name>', 'windows to aggregate over: train, val or test', 'val')
    .option('--json', 'print JSON')
    .option('--backend <name>', 'wasm (default), cpu, tensorflow', 'auto')
    .action(async (opts: { modelId: string; split: string; json?: boolean; backend: string }) => {
      if (!['train', 'val', 'test'].includes(opts.split)) throw new Error(`--split: expected train, val or test, got "${opts.split}"`);
      await runExplain({ modelId: opts.modelId, split: opts.split as Split, json: opts.json, backend: opts.backend });
    });
}
