import { test } from 'node:test';
import assert from 'node:assert/strict';
import { naiveQuantileLoss } from '../../src/backtest/naive-baseline.js';
import type { PredictionTable } from '../../src/core/prediction-table.js';

const table = (quantiles: number[]): PredictionTable => ({
  quantiles,
  horizon: 2,
  symbols: ['A', 'B'],
  timestamps: Float64Array.from([0, 0]),
  currentY: Float64Array.from([10, 20]),
  // A rises 3 then falls to 9; B's second step is not known yet
  y: Float64Array.from([13, 9, 19, NaN]),
  pred: new Float64Array(2 * 2 * quantiles.length),
});

test('naive quantile loss: hand-computed pinball losses of the last value, unknown outcomes skipped', () => {
  // errors +3, −1, −1; per quantile q the loss is 2·3q + 2·(1−q)·1 + 2·(1−q)·1 = 4 + 2q over 3 values
  // symmetric 0.3/0.5/0.7: mean of (4 + 2q)/3 = 5/3, the naive MAE (3 + 1 + 1)/3
  assert.ok(Math.abs(naiveQuantileLoss(table([0.3, 0.5, 0.7])) - 5 / 3) < 1e-12);
  // asymmetric 0.9 alone: (4 + 1.8)/3, not the MAE
  assert.ok(Math.abs(naiveQuantileLoss(table([0.9])) - 5.8 / 3) < 1e-12);
  assert.ok(Number.isNaN(naiveQuantileLoss({ ...table([0.5]), y: Float64Array.from([NaN, NaN, NaN, NaN]) })), 'no known outcome → NaN');
});
