import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineForecasts, empiricalQuantile, fitResidualOffsets, pointForecast } from '../../src/backtest/baselines.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('point forecasts of each baseline from an encoder window, by hand', () => {
  const enc = [1, 2, 3, 4, 5, 6];
  assert.deepEqual(pointForecast('naive', enc, 2), [6, 6]);
  // slope over the window: (6 − 1) / 5 = 1 per step
  assert.deepEqual(pointForecast('drift', enc, 2), [7, 8]);
  // a season of 5: step 1 repeats the value 4 steps back (2), step 2 the value 3 back (3)
  assert.deepEqual(pointForecast('seasonal-naive', enc, 2), [2, 3]);
  assert.deepEqual(pointForecast('seasonal-naive', enc, 6), [2, 3, 4, 5, 6, 2]);
  // mean of the last 5 values
  assert.deepEqual(pointForecast('moving-average', enc, 2), [4, 4]);
  assert.deepEqual(pointForecast('moving-average', [3, 5], 1, { season: 5, window: 5 }), [4], 'a short window averages what there is');
});

test('empirical quantiles interpolate between order statistics', () => {
  close(empiricalQuantile([1, 2, 3, 4], 0.3), 1.9);
  close(empiricalQuantile([1, 2, 3, 4], 0.5), 2.5);
  assert.ok(Number.isNaN(empiricalQuantile([], 0.5)));
});

test('quantiles from the relative residuals on the training windows, centred on the baseline itself', () => {
  // one series 100, 110, 121, 110, 121; encoder 1, decoder 1: naive residuals 0.1, 0.1, −1/11, 0.1
  const data = { target: Float32Array.of(100, 110, 121, 110, 121, 200, 210), seriesOffset: [0], seriesFirstIdx: [0] };
  const shape = { encoderLength: 1, decoderLength: 1, quantiles: [0.3, 0.5, 0.7] };
  const offsets = fitResidualOffsets('naive', data, { series: [0, 0, 0, 0], start: [0, 1, 2, 3], length: 4 }, shape);
  // sorted −1/11, 0.1, 0.1, 0.1: q30 = −1/11 + 0.9·(0.1 + 1/11) = 0.09 − 0.1/11, median 0.1, q70 0.1
  close(offsets[0]![0]!, 0.09 - 0.1 / 11 - 0.1, 1e-6);
  close(offsets[0]![1]!, 0);
  close(offsets[0]![2]!, 0, 1e-6);
  // a test window deciding at 200 (row 5), outcome 210
  const f = baselineForecasts('naive', data, { series: [0], start: [5], length: 1 }, shape, offsets);
  close(f.current[0]!, 200);
  close(f.actual[0]!, 210);
  assert.equal(f.decisionIdx[0], 5);
  close(f.pred[0]!, 200 * (1 + 0.09 - 0.1 / 11 - 0.1), 1e-3);
  close(f.pred[1]!, 200);
  close(f.pred[2]!, 200, 1e-3);
});

test('a window with a missing encoder value gets no forecast (NaN), never a made-up one', () => {
  const data = { target: Float32Array.of(100, NaN, 120, 130), seriesOffset: [0], seriesFirstIdx: [0] };
  const shape = { encoderLength: 2, decoderLength: 1, quantiles: [0.3, 0.5, 0.7] };
  const f = baselineForecasts('drift', data, { series: [0, 0], start: [0, 1], length: 2 }, shape, [[0, 0, 0]]);
  assert.ok(Number.isNaN(f.pred[0]!));
  assert.ok(Number.isNaN(f.pred[3]!), 'window 1 sees NaN too');
  assert.throws(() => fitResidualOffsets('drift', data, { series: [0], start: [0], length: 1 }, shape), /baseline drift: no training windows with a known outcome at step 1/);
});
