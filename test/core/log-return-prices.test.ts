import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logReturnQuantilesToPrices } from '../../src/core/log-return-prices.js';

const Q = [0.3, 0.5, 0.7];

function close(actual: number, expected: number, what: string, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

test('by hand: step 1 is exact; step 2 is the median path plus the per-step bands in quadrature', () => {
  // one row, P0 = 100; step 1 returns (p30, p50, p70) = (−1 %, +0.2 %, +1.2 %), step 2 = (−2 %, +0.1 %, +1.8 %)
  const pred = [-0.01, 0.002, 0.012, -0.02, 0.001, 0.018];
  const out = logReturnQuantilesToPrices(pred, [100], 2, Q);
  // step 1: 100·exp(q)
  close(out[0]!, 100 * Math.exp(-0.01), 'h1 p30');
  close(out[1]!, 100 * Math.exp(0.002), 'h1 p50');
  close(out[2]!, 100 * Math.exp(0.012), 'h1 p70');
  // step 2: median path 0.002 + 0.001 = 0.003
  // p30: deviations −0.012 and −0.021 → −√(0.000144 + 0.000441) = −0.0241868…
  // p70: deviations +0.010 and +0.017 → +√(0.000100 + 0.000289) = +0.0197231…
  close(out[3]!, 97.90361, 'h2 p30', 1e-5);
  close(out[4]!, 100.30045, 'h2 p50', 1e-5);
  close(out[5]!, 102.29832, 'h2 p70', 1e-5);
  // not the sum of quantiles (that would be 100·exp(−0.03) = 97.04 and 100·exp(0.03) = 103.05)
  assert.ok(out[3]! > 100 * Math.exp(-0.03) + 0.5 && out[5]! < 100 * Math.exp(0.03) - 0.5);
});

test('exact for independent normal steps: the quantiles of exp(sum) of N(μ_j, σ_j²)', () => {
  const z = 0.5244005127080407; // Φ⁻¹(0.7)
  const steps = [
    { mu: 0.001, sigma: 0.02 },
    { mu: -0.002, sigma: 0.01 },
    { mu: 0.0005, sigma: 0.03 },
  ];
  const pred = steps.flatMap(({ mu, sigma }) => [mu - z * sigma, mu, mu + z * sigma]);
  const out = logReturnQuantilesToPrices(pred, [50], 3, Q);
  let mu = 0;
  let variance = 0;
  steps.forEach((s, h) => {
    mu += s.mu;
    variance += s.sigma ** 2;
    close(out[h * 3]!, 50 * Math.exp(mu - z * Math.sqrt(variance)), `h${h + 1} p30`, 1e-9);
    close(out[h * 3 + 1]!, 50 * Math.exp(mu), `h${h + 1} p50`, 1e-9);
    close(out[h * 3 + 2]!, 50 * Math.exp(mu + z * Math.sqrt(variance)), `h${h + 1} p70`, 1e-9);
  });
});

test('rows are independent; a row without a positive price gives NaN; quantiles without 0.5 centre on the nearest', () => {
  const pred = [0, 0.01, 0.02, 0, 0.01, 0.02];
  const out = logReturnQuantilesToPrices(pred, [10, 0], 1, Q);
  close(out[1]!, 10 * Math.exp(0.01), 'row 0 median');
  assert.ok([3, 4, 5].every((i) => Number.isNaN(out[i]!)));
  // quantiles 0.25 / 0.45 / 0.75: the centre is 0.45's path; two equal steps add their deviations in quadrature
  const q = [0.25, 0.45, 0.75];
  const two = logReturnQuantilesToPrices([-0.01, 0, 0.02, -0.01, 0, 0.02], [1], 2, q);
  close(two[3]!, Math.exp(-0.01 * Math.SQRT2), 'h2 p25');
  close(two[4]!, 1, 'h2 p45');
  close(two[5]!, Math.exp(0.02 * Math.SQRT2), 'h2 p75');
});
