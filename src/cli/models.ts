import type { Command } from 'commander';
import { describeModel, listModelCatalog, type ArtifactSummary, type ModelSummary } from '../pipeline/model-catalog.js';
import { openRuntime } from './runtime.js';
import { modelIdOption } from './flags.js';
import { jsonOption } from './output.js';

const loss = (v: number | null) => (v === null ? '—' : v.toFixed(4));
const pair = (v: number | null, naive: number | null) => (v === null ? '—' : `${loss(v)} (${loss(naive)})`);
const range = (a: ArtifactSummary | null) => (a?.dataRange ? `${a.dataRange.first}..${a.dataRange.last}` : '—');

/** One line per model: config, target, data range, validation and test-range loss beside naive, versions. */
export function modelsTable(location: string, models: ModelSummary[]): string {
  if (models.length === 0) return `no models in ${location} (run \`stockcast train\`)`;
  const rows = models.map((m) => {
    const a = m.artifact;
    const cells = [m.modelId, a?.configId ?? '—', a?.target ?? '—', range(a), pair(a?.bestValLoss ?? null, a?.naiveValLoss ?? null), m.evaluation ? pair(m.evaluation.quantileLoss, m.evaluation.naiveQuantileLoss) : '—', String(m.versions.length)];
    const note = !a ? 'only earlier versions (no current artifact)' : a.problem;
    return { cells, note };
  });
  const head = ['model', 'config', 'target', 'data', 'val loss (naive)', 'test QL (naive)', 'versions'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`models in ${location}`, line(head), ...rows.map((r) => `${line(r.cells)}${r.note ? `\n  ! ${r.note}` : ''}`)].join('\n');
}

/** One model in detail, with every kept version. */
export function modelDetailText(location: string, m: ModelSummary): string {
  const out = [`model ${m.modelId} (${location})`];
  const a = m.artifact;
  if (!a) out.push('  current artifact: none (only earlier versions)');
  else out.push(...artifactLines(a, '  '));
  if (m.evaluation) out.push(`  test range    ${m.evaluation.testRange.first.slice(0, 10)}..${m.evaluation.testRange.last.slice(0, 10)}: quantile loss ${pair(m.evaluation.quantileLoss, m.evaluation.naiveQuantileLoss)} beside the naive forecast's`);
  else out.push(m.evaluationError ? `  evaluation    ${m.evaluationError}` : `  evaluation    none yet (stockcast predict, then evaluate --model-id ${m.modelId})`);
  out.push(m.versions.length ? `versions (oldest first; each kept when training replaced it):` : 'versions: none (no artifact was ever replaced)');
  for (const v of m.versions) {
    out.push(`  ${v.version}${v.archivedAt ? `  replaced ${v.archivedAt}` : ''}`);
    out.push(...artifactLines(v, '    '));
  }
  return out.join('\n');
}

function artifactLines(a: ArtifactSummary, indent: string): string[] {
  const lines = [`${indent}artifact      ${a.key}: ${a.format}, ${a.bytes} bytes, sha256 ${a.sha256.slice(0, 12)}`];
  if (a.problem) return [...lines, `${indent}problem       ${a.problem}`];
  lines.push(`${indent}config        ${a.configId ?? '—'}, target ${a.target ?? '—'}`);
  lines.push(`${indent}trained       ${a.createdAt ?? '—'}, ${a.epochs ?? '—'} epoch(s) on ${range(a)}${a.dataRange ? ` (${a.dataRange.symbols} symbols)` : ''}`);
  lines.push(`${indent}val loss      ${pair(a.bestValLoss, a.naiveValLoss)} beside the naive forecast's`);
  return lines;
}

/** Registers `stockcast models`. */
export function registerModels(program: Command): void {
  program
    .command('models')
    .description('List the models in the model store: config, target, data range, validation and test-range loss beside naive, kept versions.')
    .addOption(modelIdOption('show one model with every kept version', { optional: true }))
    .addOption(jsonOption('print JSON: { location, models: [...] }, or { location, model } with --model-id (shapes in the README)'))
    .addHelpText('after', '\nExamples:\n  stockcast models\n  stockcast models --model-id demo-synthetic\n  stockcast models --json\n')
    .action(async (opts: { modelId?: string; json?: boolean }) => {
      const runtime = await openRuntime();
      try {
        const models = await runtime.modelStore();
        if (opts.modelId !== undefined) {
          const model = await describeModel(models, opts.modelId);
          process.stdout.write(opts.json ? `${JSON.stringify({ location: models.location, model }, null, 2)}\n` : `${modelDetailText(models.location, model)}\n`);
        } else {
          const catalog = await listModelCatalog(models);
          process.stdout.write(opts.json ? `${JSON.stringify(catalog, null, 2)}\n` : `${modelsTable(catalog.location, catalog.models)}\n`);
        }
      } finally {
        await runtime.close();
      }
    });
}
