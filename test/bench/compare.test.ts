import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assembleComparison, bestReference, ratio, RECORDED_REFERENCE, stockcastFigures, type HarnessResult } from '../../src/bench/compare.js';
import { assertHarnessReady, parseLastJson, sharedReferenceDir } from '../../src/bench/compare-bench.js';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
/** A real harness run (bench.py --config small --mode throughput --batches 3) on a busy machine. */
const harnessSmall = fixture<HarnessResult>('harness-small-throughput-smoke.json');
/** A real `stockcast bench tft --config small --batches 2 --repeats 1` run on the same machine. */
const stockcastSmall = fixture<Record<string, unknown>>('stockcast-small-throughput-smoke.json');

const machine = { cpus: 2 };

test('bestReference takes the higher throughput and the lower loss, and says which', () => {
  assert.deepEqual(bestReference(900, 1051, true), { value: 1051, source: 'recorded', measured: 900, recorded: 1051 });
  assert.deepEqual(bestReference(1200, 1051, true), { value: 1200, source: 'measured', measured: 1200, recorded: 1051 });
  assert.deepEqual(bestReference(1.3, 1.458, false), { value: 1.3, source: 'measured', measured: 1.3, recorded: 1.458 });
  assert.deepEqual(bestReference(1.6, 1.458, false), { value: 1.458, source: 'recorded', measured: 1.6, recorded: 1.458 });
  assert.deepEqual(bestReference(null, 388, true), { value: 388, source: 'recorded', measured: null, recorded: 388 });
  assert.deepEqual(bestReference(Number.NaN, null, true), null);
  assert.equal(bestReference(1051, 1051, true)!.source, 'measured', 'a tie keeps today\'s run');
});

test('ratio is stockcast ÷ reference to two decimals, null when a side is missing', () => {
  assert.equal(ratio(776, bestReference(null, 388, true)), 2);
  assert.equal(ratio(532, bestReference(300, 388, true)), 1.37);
  assert.equal(ratio(null, bestReference(300, 388, true)), null);
  assert.equal(ratio(500, null), null);
});

test('stockcastFigures reads a bench tft run for one config', () => {
  const s = stockcastFigures('small', stockcastSmall, null);
  assert.equal(s.backend, 'wasm');
  assert.equal(s.threads, 2);
  assert.equal(s.parameters, 6133);
  assert.equal(s.samplesPerEpoch, 263135);
  assert.deepEqual([s.fetchSps, s.stepSps, s.trainSps, s.inferSps, s.forwardSps, s.peakRssMB], [84972, 267, 267, 1172, 1369, 1093]);
  assert.equal(s.budget, null);
});

test('a slow measured reference is replaced by the higher recorded figure, and the choice is recorded', () => {
  const out = assembleComparison({ config: 'small', date: '2026-11-28T09:00:00Z', machine, budgetMinutes: null, reference: { throughput: harnessSmall, budget: null }, stockcast: stockcastFigures('small', stockcastSmall, null) });
  const used = (out.reference as { used: Record<string, { value: number; source: string } | null> }).used;
  // measured today on a busy machine: train 146, infer 290, forward 916 samples/s; recorded: 1,051, 1,846, 5,192
  assert.deepEqual(used.training, { value: 1051, source: 'recorded', measured: harnessSmall.train_sps, recorded: 1051 });
  assert.equal(used.inference!.source, 'recorded');
  assert.equal(used.forward!.source, 'recorded');
  // memory: lower is the reference's best; today's 1,508 MB is below the recorded 1.7 GB
  assert.deepEqual(used.peakRssMB, { value: harnessSmall.peak_rss_mb, source: 'measured', measured: harnessSmall.peak_rss_mb, recorded: 1.7 * 1024 });
  assert.deepEqual(out.ratios, {
    training: 0.25, // 267 / 1051
    inference: 0.63, // 1172 / 1846
    forward: 0.26, // 1369 / 5192
    batchFetch: 31.65, // 84972 / 2685
    step: 0.15, // 267 / 1726
    peakRss: 0.72, // 1093 / 1508.15
    validationLoss: null,
  });
  assert.deepEqual(out.ratiosSameRun, { training: 1.83, inference: 4.04, forward: 1.5, validationLoss: null }, 'beside them, the like-for-like ratios to today\'s run (267/145.5, 1172/290.1, 1369/915.6)');
  assert.equal(out.shortened, true, 'a --batches run is flagged: its figures are not the protocol\'s');
  assert.equal((out.reference as { throughput: Record<string, number> }).throughput.trainSps, 146);
});

test('a measured reference above the recorded figure is the one divided by', () => {
  const fast = { ...harnessSmall, forward_sps: 6000, train_sps: 1100, shortened: false };
  const out = assembleComparison({ config: 'small', date: 'd', machine, budgetMinutes: null, reference: { throughput: fast, budget: null }, stockcast: stockcastFigures('small', stockcastSmall, null) });
  const used = (out.reference as { used: Record<string, { value: number; source: string }> }).used;
  assert.deepEqual([used.forward!.source, used.forward!.value], ['measured', 6000]);
  assert.deepEqual([used.training!.source, used.training!.value], ['measured', 1100]);
  assert.equal((out.ratios as Record<string, number>).forward, 0.23); // 1369 / 6000
  assert.equal((out.ratios as Record<string, number>).training, 0.24); // 267 / 1100
  assert.equal(out.shortened, false);
});

test('the budget loss ratio takes the lower reference loss, and the recorded one only for the same 15-minute budget', () => {
  const refBudget: HarnessResult = { config: 'favourite', mode: 'budget', val_loss: 1.31, naive_val_loss: 1.09, epochs: 1, train_sps: 350, peak_rss_mb: 3500, infer_sps: 1200 };
  const ours = (minutes: number) => ({
    backend: 'wasm',
    threads: 2,
    samplesPerEpoch: 263135,
    validationSamples: 58871,
    peakRssMB: 2900,
    favourite: { parameters: 65143, budget: { minutes, epochs: 2, validationLoss: 1.0905, naiveValidationLoss: 1.0907, trainSps: 600, perEpoch: [], midEpoch: { batchesInPartialEpoch: 12, validationLoss: 1.0901 } } },
  });
  const at = (minutes: number, ref: HarnessResult) =>
    assembleComparison({ config: 'favourite', date: 'd', machine, budgetMinutes: minutes, reference: { throughput: null, budget: ref }, stockcast: stockcastFigures('favourite', null, ours(minutes)) });

  const fifteen = at(15, refBudget);
  const usedLoss = (fifteen.reference as { used: { validationLoss: { value: number; source: string } } }).used.validationLoss;
  assert.deepEqual([usedLoss.source, usedLoss.value], ['recorded', RECORDED_REFERENCE.favourite!.valLossAfterBudget]); // 1.199 < 1.31
  assert.equal((fifteen.ratios as Record<string, number>).validationLoss, 0.91); // 1.0905 / 1.199
  assert.equal((fifteen.ratiosSameRun as Record<string, number>).validationLoss, 0.83); // 1.0905 / 1.31, today's run alone
  assert.deepEqual((fifteen.stockcast as { budget: unknown }).budget, { minutes: 15, epochs: 2, validationLoss: 1.0905, naiveValidationLoss: 1.0907, midEpochValidationLoss: 1.0901, trainSps: 600, peakRssMB: 2900 });
  assert.equal((fifteen.ratios as Record<string, number | null>).training, null, 'no throughput run: our side is missing, so no ratio');

  const better = at(15, { ...refBudget, val_loss: 1.1 });
  assert.equal((better.ratios as Record<string, number>).validationLoss, 0.99); // 1.0905 / 1.1 (measured beats recorded)

  const short = at(2, refBudget);
  const shortLoss = (short.reference as { used: { validationLoss: { source: string; recorded: number | null } } }).used.validationLoss;
  assert.deepEqual([shortLoss.source, shortLoss.recorded], ['measured', null], 'a 2-minute run is not compared with the 15-minute record');
  assert.equal((short.ratios as Record<string, number>).validationLoss, 0.83); // 1.0905 / 1.31
});

test('an unknown config has no recorded reference', () => {
  assert.throws(
    () => assembleComparison({ config: 'huge', date: 'd', machine, budgetMinutes: null, reference: { throughput: null, budget: null }, stockcast: stockcastFigures('small', stockcastSmall, null) }),
    /no recorded reference figures for config "huge"/,
  );
});

test('parseLastJson reads a pretty-printed object or the last line after other output', () => {
  assert.deepEqual(parseLastJson('{\n  "a": 1\n}\n'), { a: 1 });
  assert.deepEqual(parseLastJson('warning: something\n{"train_sps": 12.5}\n'), { train_sps: 12.5 });
  assert.throws(() => parseLastJson('no json here'), SyntaxError);
});

test('compare refuses to run without a set-up harness and says how to set it up', () => {
  assert.throws(
    () => assertHarnessReady('/nonexistent/.bench-ref'),
    (err: Error) =>
      err.message.includes('the reference harness is not set up in /nonexistent/.bench-ref') &&
      err.message.includes('/nonexistent/.bench-ref/vendor/site/pytorch_forecasting') &&
      err.message.includes(`cp -r ${sharedReferenceDir()} .bench-ref`) &&
      err.message.includes('.bench-ref/setup.sh --mirror <dir>'),
  );
});
