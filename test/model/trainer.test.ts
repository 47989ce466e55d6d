import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/model/backend.js';
import { SyntheticMarket } from '../../src/sources/synthetic-market.js';
import { parseTimeFrame } from '../../src/core/time-frame.js';
import { barsToWideFrame } from '../../src/dataset/frame-from-bars.js';
import { TimeSeriesDataset, type DatasetConfig } from '../../src/dataset/time-series-dataset.js';
import { TemporalFusionTransformer } from '../../src/model/tft.js';
import { evaluateLoss, naiveLastValueLoss, train, type TrainOptions } from '../../src/model/trainer.js';
import { loadCheckpoint } from '../../src/model/checkpoint.js';

before(async () => {
  await initBackend('wasm');
});

const DAY = parseTimeFrame('1Day');
async function syntheticData(symbols: number, cfg: Partial<DatasetConfig> = {}) {
  const market = new SyntheticMarket({ seed: 5, symbols: Array.from({ length: symbols }, (_, i) => `S${i}`) });
  const { bars } = await market.fetchBars({ symbols: market.symbols, start: new Date('2018-01-01T05:00:00Z'), end: new Date('2021-12-31T05:00:00Z'), timeFrame: DAY });
  const frame = barsToWideFrame(bars, ['open', 'day_of_week'], DAY);
  const config: DatasetConfig = {
    features: ['open', 'day_of_week'],
    target: 'open',
    encoderLength: 10,
    decoderLength: 1,
    quantiles: [0.3, 0.5, 0.7],
    trainStart: '2018-01-01',
    trainEnd: '2020-07-01',
    valEnd: '2021-07-01',
    testEnd: '2022-01-01',
    ...cfg,
  };
  const dataset = TimeSeriesDataset.fit(frame, config);
  const data = dataset.prepare(frame);
  return { dataset, data, windows: { train: dataset.windows(data, 'train'), val: dataset.windows(data, 'val') } };
}
const HP = { hiddenSize: 8, attentionHeadSize: 1, dropout: 0.1, hiddenContinuousSize: 4, lstmLayers: 1 };
const options = (dir: string, over: Partial<TrainOptions> = {}): TrainOptions => ({
  maxEpochs: 2,
  batchSize: 64,
  learningRate: 0.005,
  gradientClipVal: 0.1,
  reduceOnPlateauPatience: 5,
  earlyStoppingPatience: 15,
  seed: 7,
  maxBatchesPerEpoch: 6,
  checkpointDir: dir,
  ...over,
});

test('resuming after an interruption reaches exactly the weights of an uninterrupted run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-train-'));
  try {
    const { dataset, data, windows } = await syntheticData(6);
    const straight = new TemporalFusionTransformer(dataset.spec(), HP, 3);
    await train(straight, dataset, data, windows, options(join(dir, 'a')));
    const interrupted = new TemporalFusionTransformer(dataset.spec(), HP, 3);
    let batches = 0;
    const first = await train(interrupted, dataset, data, windows, options(join(dir, 'b'), { shouldStop: () => ++batches === 9 }));
    assert.equal(first.stoppedBy, 'interrupted');
    const ckpt = await loadCheckpoint(join(dir, 'b', 'last.ckpt'));
    assert.equal(ckpt!.state.epoch, 1);
    assert.equal(ckpt!.state.batchInEpoch, 3);
    const resumed = new TemporalFusionTransformer(dataset.spec(), HP, 99);
    const second = await train(resumed, dataset, data, windows, options(join(dir, 'b'), { resume: true }));
    assert.equal(second.stoppedBy, 'max_epochs');
    assert.deepEqual(resumed.params.flatten(), straight.params.flatten());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('on the synthetic market training beats the naive last-value forecast; an untrained model does not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-train-'));
  try {
    const { dataset, data, windows } = await syntheticData(12);
    const naive = naiveLastValueLoss(dataset, data, windows.val);
    const untrained = new TemporalFusionTransformer(dataset.spec(), HP, 4);
    const before = evaluateLoss(untrained, dataset, data, windows.val, 512);
    const model = new TemporalFusionTransformer(dataset.spec(), HP, 4);
    const res = await train(model, dataset, data, windows, options(dir, { maxEpochs: 4, maxBatchesPerEpoch: undefined, batchSize: 128 }));
    model.params.load(res.bestWeights);
    const after = evaluateLoss(model, dataset, data, windows.val, 512);
    const margin = 0.99 * naive;
    assert.ok(after < margin, `trained ${after} vs naive ${naive}`);
    assert.ok(before > margin, `untrained ${before} vs naive ${naive}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a non-finite loss or gradient stops training with a clear error; nothing non-finite is applied or saved', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-train-'));
  try {
    const { dataset, data, windows } = await syntheticData(3);
    const model = new TemporalFusionTransformer(dataset.spec(), HP, 3);
    const n = model.params.count();
    // a scripted gradient source: zero gradients, then a NaN loss (or NaN gradients) at the chosen batch
    const scripted = (badAt: number, bad: 'loss' | 'grads') => {
      let calls = 0;
      return async () => {
        const grads = new Float32Array(n);
        if (++calls === badAt && bad === 'grads') grads[5] = NaN;
        return { loss: calls === badAt && bad === 'loss' ? NaN : 1, grads };
      };
    };
    await assert.rejects(
      train(model, dataset, data, windows, options(dir, { gradients: scripted(3, 'loss') })),
      new RegExp(`^Error: training diverged: the training loss of epoch 1, batch 3 is NaN\\. Nothing of it was applied or saved; ${dir}/last\\.ckpt \\(if present\\) holds the last good state\\. Lower learning_rate`),
    );
    assert.equal(await loadCheckpoint(join(dir, 'last.ckpt')), null, 'no checkpoint was written from the diverged epoch');
    // one good epoch (6 batches), then NaN gradients in the first batch of the second
    await assert.rejects(train(model, dataset, data, windows, options(dir, { gradients: scripted(7, 'grads') })), /the gradients of epoch 2, batch 1 are not finite \(index 5\)/);
    const last = await loadCheckpoint(join(dir, 'last.ckpt'));
    assert.equal(last!.state.epoch, 1, 'the last good epoch is kept');
    assert.ok(model.params.flatten().every(Number.isFinite), 'the weights stayed finite');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
