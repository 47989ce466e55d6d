// Builds the native TFT engine (native/src → native/build/stockcast_native.node) with the machine's g++.
// Runs at `npm ci`/`npm install` (the root package's own build). A failed build never fails the install:
// it prints a warning and stockcast falls back to the tfjs-wasm engine. Set STOCKCAST_NATIVE=0 to skip it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'native', 'src');
const outDir = join(root, 'native', 'build');
const out = join(outDir, 'stockcast_native.node');
const stamp = join(outDir, 'build.sha256');
const cxx = process.env.CXX || 'g++';

function warn(msg) {
  process.stderr.write(`stockcast: native engine not built (${msg}); the tfjs-wasm engine will be used\n`);
}

/** The directory holding node_api.h: next to this Node, npm's nodedir, or the usual system place. */
function nodeHeaders() {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, 'node_api.h')));
}

function main() {
  if (process.env.STOCKCAST_NATIVE === '0') return warn('STOCKCAST_NATIVE=0');
  const include = nodeHeaders();
  if (!include) return warn('node_api.h not found: install the Node.js headers');
  // -march=native: the addon is built on the machine that runs it. An image built on one machine and run on
  // others (the SageMaker training image) sets STOCKCAST_NATIVE_MARCH to a level they all have (x86-64-v3).
  // Reassociation lets the compiler vectorise sums (row means, dot products); NaN and infinity keep their meaning
  // (no -ffinite-math-only).
  const march = process.env.STOCKCAST_NATIVE_MARCH || 'native';
  const flags = ['-std=c++17', '-O3', `-march=${march}`, '-ffp-contract=fast', '-fno-math-errno', '-fno-trapping-math', '-fassociative-math', '-fno-signed-zeros', '-fPIC', '-shared', '-pthread', '-fvisibility=hidden', '-DNODE_GYP_MODULE_NAME=stockcast_native', `-I${include}`];
  const sources = readdirSync(srcDir).filter((f) => /\.(h|cpp)$/.test(f)).sort();
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ flags, cxx }));
  for (const f of sources) hash.update(f).update(readFileSync(join(srcDir, f)));
  const digest = hash.digest('hex');
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  mkdirSync(outDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  process.stderr.write(`stockcast: building the native engine with ${cxx} (about half a minute)\n`);
  const res = spawnSync(cxx, [...flags, '-o', tmp, join(srcDir, 'addon.cpp')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.error) return warn(`${cxx} did not run: ${res.error.message}`);
  if (res.status !== 0) {
    rmSync(tmp, { force: true });
    return warn(`${cxx} exited with ${res.status}`);
  }
  renameSync(tmp, out);
  writeFileSync(stamp, digest);
  process.stderr.write(`stockcast: native engine built: ${out}\n`);
}

try {
  main();
} catch (err) {
  warn(err instanceof Error ? err.message : String(err));
}
