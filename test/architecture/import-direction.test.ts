import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Imports run one way: cli → bench → pipeline → the steps → adapters and ports → config → core.
 * A folder may import its own files and folders of a lower layer; folders of one layer may import each other
 * only where the folder graph stays acyclic (checked below).
 */
const LAYERS: Record<string, number> = {
  core: 0,
  config: 1,
  store: 2,
  sources: 2,
  broker: 2,
  adapters: 2,
  dataset: 3,
  model: 3,
  backtest: 3,
  strategies: 3,
  features: 3,
  trade: 3,
  report: 3,
  pipeline: 4,
  serve: 5,
  bench: 5,
  cli: 6,
};

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Folder-level edges `from → to` with one example import each. */
function folderEdges(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  const spec = /(?:from\s+|import\s*\(\s*|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of tsFiles(SRC)) {
    const from = relative(SRC, file).split('/')[0]!;
    for (const m of readFileSync(file, 'utf8').matchAll(spec)) {
      const target = relative(SRC, resolve(dirname(file), m[1]!));
      const to = target.split('/')[0]!;
      if (to === from || target.startsWith('..')) continue;
      let out = edges.get(from);
      if (!out) edges.set(from, (out = new Map()));
      if (!out.has(to)) out.set(to, `${relative(SRC, file)} imports ${m[1]}`);
    }
  }
  return edges;
}

test('every source folder has a layer', () => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  assert.deepEqual(folders.filter((f) => LAYERS[f] === undefined), []);
});

test('no folder imports a folder of a higher layer', () => {
  const wrong: string[] = [];
  for (const [from, tos] of folderEdges()) {
    for (const [to, example] of tos) if (LAYERS[to]! > LAYERS[from]!) wrong.push(`${from} (layer ${LAYERS[from]}) → ${to} (layer ${LAYERS[to]}): ${example}`);
  }
  assert.deepEqual(wrong, []);
});

test('the folder graph has no cycle', () => {
  const edges = folderEdges();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of edges.get(node)?.keys() ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) cycles.push([...path.slice(at), next].join(' → '));
      else visit(next, [...path, next]);
    }
  };
  for (const start of edges.keys()) visit(start, [start]);
  assert.deepEqual(cycles, []);
});

/**
 * The pipeline never touches tensors: it reaches the model only through its public modules (the trained model,
 * the training run, the artifact, backend selection and the training loop's options) and never imports
 * TensorFlow.js or the model's internals (tft, params, model-inputs, layers, ops, engines, …).
 */
const MODEL_API = new Set(['model/trained-model.ts', 'model/tft-training.ts', 'model/artifact.ts', 'model/backend.ts', 'model/trainer.ts']);

test('pipeline imports no tensors: no @tensorflow package, no model internals', () => {
  const spec = /(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g;
  const wrong: string[] = [];
  for (const file of tsFiles(join(SRC, 'pipeline'))) {
    const name = relative(SRC, file);
    for (const m of readFileSync(file, 'utf8').matchAll(spec)) {
      const target = m[1]!;
      if (target.startsWith('@tensorflow/')) wrong.push(`${name} imports ${target}`);
      if (!target.startsWith('.')) continue;
      const resolved = relative(SRC, resolve(dirname(file), target)).replace(/\.js$/, '.ts');
      if (resolved.startsWith('model/') && !MODEL_API.has(resolved)) wrong.push(`${name} imports ${target} (a model internal)`);
    }
  }
  assert.deepEqual(wrong, []);
});
