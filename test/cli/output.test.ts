import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonText, printResult } from '../../src/cli/output.js';
import { registerSecret } from '../../src/core/redact.js';

/** What `fn` wrote to stdout. */
function captureStdout(fn: () => void): string {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('jsonText: NaN and infinities become null, typed arrays arrays, Maps objects, Dates ISO, undefined keys dropped', () => {
  const value = { a: NaN, b: [Infinity, -Infinity, 1.5], c: new Float64Array([1, NaN]), d: new Map([['x', 1]]), e: new Date(Date.UTC(2025, 0, 2)), f: undefined };
  assert.deepEqual(JSON.parse(jsonText(value)), { a: null, b: [null, null, 1.5], c: [1, null], d: { x: 1 }, e: '2025-01-02T00:00:00.000Z' });
});

test('printResult prints only JSON with --json and the human text otherwise; both masked', () => {
  registerSecret('out-secret-123');
  const value = { symbol: 'out-secret-123', n: 2 };
  const json = captureStdout(() => printResult({ json: true }, value, (v) => `human ${v.symbol} ${v.n}`));
  assert.deepEqual(JSON.parse(json), { symbol: '****', n: 2 });
  assert.ok(json.endsWith('}\n'));
  const human = captureStdout(() => printResult({}, value, (v) => `human ${v.symbol} ${v.n}`));
  assert.equal(human, 'human **** 2\n');
});
