// Profiles one favourite-config training step (forward + backward of 256 windows, the trainer's chunk) and one
// forward pass on the tfjs-wasm backend: time per kernel kind (tf.profile), and forward time per stage.
// Run after `npm run build`: node scripts/profile-tft-wasm.mjs [small|favourite]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/model/backend.js';
import { TemporalFusionTransformer } from '../dist/model/tft.js';
import { VariableSelectionNetwork } from '../dist/model/variable-selection.js';
import { LstmLayer } from '../dist/model/lstm.js';
import { InterpretableMultiHeadAttention } from '../dist/model/attention.js';
import { GatedResidualNetwork, GateAddNorm, AddNorm, GatedLinearUnit } from '../dist/model/layers.js';
import { computeGradients } from '../dist/model/train-step.js';
import { toModelInputs } from '../dist/model/model-inputs.js';
import { Random } from '../dist/core/random.js';

const CONFIGS = {
  small: { hiddenSize: 8, attentionHeadSize: 1, dropout: 0.1, hiddenContinuousSize: 4, lstmLayers: 1 },
  favourite: { hiddenSize: 32, attentionHeadSize: 4, dropout: 0.1, hiddenContinuousSize: 16, lstmLayers: 1 },
};
const name = process.argv[2] ?? 'favourite';
const hp = CONFIGS[name];
const B = 256;
const emb = (n) => Math.min(Math.round(1.6 * n ** 0.56), 100);
const cards = [6, 32, 13, 5];
const spec = {
  encoderLength: 60, decoderLength: 2, quantiles: [0.3, 0.5, 0.7], staticCategoricals: [], staticReals: [], targetTransform: 'log',
  categoricals: ['day_of_week', 'day_of_month', 'month', 'year'].map((n, i) => ({ name: n, cardinality: cards[i], embeddingSize: emb(cards[i]), known: true })),
  reals: ['open', 'close', 'high', 'low', 'volume'].map((n) => ({ name: n, known: false })),
};
const r = new Random(1);
const T = 62;
const batch = {
  size: B, categorical: Int32Array.from({ length: B * T * 4 }, (_, i) => r.int(cards[i % 4])), reals: Float32Array.from({ length: B * T * 5 }, () => r.normal()),
  staticCategorical: new Int32Array(0), staticReals: new Float32Array(0), encoderLengths: new Int32Array(B).fill(60), target: new Float32Array(B * 2),
  targetScale: Float32Array.from({ length: B * 2 }, (_, i) => (i % 2 === 0 ? 4 : 0.05)), targetRaw: Float32Array.from({ length: B * 2 }, () => 55 + r.normal()),
  seriesIndex: new Int32Array(B), decoderStartIdx: new Int32Array(B),
};

await initBackend('wasm');
const model = new TemporalFusionTransformer(spec, hp, 42);
for (let i = 0; i < 2; i++) computeGradients(model, batch, new Random(i)); // warm-up (kernel compilation, caches)

// forward time per stage: wasm kernels run synchronously, so wall time around a block is its cost (exclusive of nested blocks)
const stages = new Map();
const stack = [];
function wrap(cls, label) {
  const orig = cls.prototype.apply;
  cls.prototype.apply = function (...args) {
    const t0 = performance.now();
    stack.push(0);
    const out = orig.apply(this, args);
    const inner = stack.pop();
    const dt = performance.now() - t0;
    if (stack.length) stack[stack.length - 1] += dt;
    stages.set(label, (stages.get(label) ?? 0) + dt - inner);
    return out;
  };
}
wrap(VariableSelectionNetwork, 'variable selection (VSN: prescalers, single-variable GRNs, flattened GRN, softmax)');
wrap(GatedResidualNetwork, 'GRNs (inside VSNs, static context, enrichment, position-wise)');
wrap(LstmLayer, 'LSTM encoder + decoder');
wrap(InterpretableMultiHeadAttention, 'attention');
wrap(GateAddNorm, 'gate + add & norm');
wrap(AddNorm, 'add & norm');
wrap(GatedLinearUnit, 'GLUs');

stages.clear();
const fwdT0 = performance.now();
tf.tidy(() => model.forward(toModelInputs(batch, spec), { training: true, nextSeed: () => 1 }));
const forwardMs = performance.now() - fwdT0;
const stageMs = new Map(stages);

// tf.profile hands back the engine's one profile object: copy its kernels before profiling again.
// Kernels inside a custom-gradient op (dense, layerNorm, LSTM, ...) are timed as one 'unnamed scope'.
const prof = [...(await tf.profile(() => computeGradients(model, batch, new Random(7)))).kernels];
const fwdProf = [...(await tf.profile(() => tf.tidy(() => model.forward(toModelInputs(batch, spec), { training: true, nextSeed: () => 1 })))).kernels];
const byKind = (kernels) => {
  const m = new Map();
  for (const k of kernels) {
    const e = m.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    m.set(k.name, e);
  }
  return m;
};
const all = byKind(prof);
const fwd = byKind(fwdProf);
const stepT0 = performance.now();
computeGradients(model, batch, new Random(8));
const stepMs = performance.now() - stepT0;
const total = [...all.values()].reduce((a, e) => a + e.ms, 0);
const kinds = [...all.entries()]
  .map(([k, e]) => ({ kernel: k, ms: +e.ms.toFixed(1), calls: e.calls, share: +(e.ms / total).toFixed(3), forwardMs: +(fwd.get(k)?.ms ?? 0).toFixed(1) }))
  .sort((a, b) => b.ms - a.ms);
process.stdout.write(`${JSON.stringify({
  config: name,
  windows: B,
  trainingStepMs: +stepMs.toFixed(1),
  trainingStepSamplesPerSecond: Math.round(B / (stepMs / 1000)),
  forwardMs: +forwardMs.toFixed(1),
  kernelsPerStep: prof.length,
  forwardKernels: fwdProf.length,
  kernelTimeMs: +total.toFixed(1),
  forwardStagesMs: Object.fromEntries([...stageMs.entries()].map(([k, v]) => [k, +v.toFixed(1)]).sort((a, b) => b[1] - a[1])),
  kernelKinds: kinds.slice(0, 20),
}, null, 1)}\n`);
