import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import { isValidModelId, isValidSymbol, validateModelId, validateSymbols } from '../../src/core/identifiers.js';
import { pathInside, PathEscapeError } from '../../src/core/path-inside.js';

const MODEL_IDS: Array<[id: string, valid: boolean]> = [
  ['tiny', true],
  ['demo-synthetic', true],
  ['m1-medium-high-with-less-features-and-earnings-calendar-features', true],
  ['model_v2.1', true],
  ['A', true],
  ['x'.repeat(128), true],
  ['x'.repeat(129), false],
  ['', false],
  ['.', false],
  ['..', false],
  ['a..b', false],
  ['x/../../../victim/yarn', false],
  ['../escape', false],
  ['a/b', false],
  ['a\\b', false],
  ['/abs', false],
  ['-flag', false],
  ['.hidden', false],
  ['with space', false],
  ['nul\0byte', false],
  ['ümlaut', false],
  ['new\nline', false],
];

for (const [id, valid] of MODEL_IDS) {
  test(`model id ${JSON.stringify(id.length > 20 ? `${id.slice(0, 20)}…` : id)} is ${valid ? 'valid' : 'refused'}`, () => {
    assert.equal(isValidModelId(id), valid);
    if (valid) assert.equal(validateModelId(id, '--model-id'), id);
    else assert.throws(() => validateModelId(id, '--model-id'), /^InvalidNameError: --model-id: invalid value .*expected letters, digits/s);
  });
}

const SYMBOLS: Array<[symbol: string, valid: boolean]> = [
  ['AAPL', true],
  ['BRK.B', true],
  ['BF-B', true],
  ['SYN00', true],
  ['A', true],
  ['ABCDEFGHIJKL', true],
  ['ABCDEFGHIJKLM', false],
  ['..', false],
  ['A..B', false],
  ['.A', false],
  ['-A', false],
  ['A/B', false],
  ['../X', false],
  ['aapl', false],
  ['A B', false],
  ['', false],
];

for (const [symbol, valid] of SYMBOLS) {
  test(`symbol ${JSON.stringify(symbol)} is ${valid ? 'valid' : 'refused'}`, () => {
    assert.equal(isValidSymbol(symbol), valid);
  });
}

test('validateSymbols upper-cases, trims, drops duplicates in order, and names the flag and the bad tickers', () => {
  assert.deepEqual(validateSymbols([' aapl', 'MSFT', 'aapl ', '', 'brk.b']), ['AAPL', 'MSFT', 'BRK.B']);
  assert.throws(() => validateSymbols(['AAPL', '../../etc', 'A/B'], '--symbols'), (e: Error) => {
    assert.match(e.message, /^--symbols: invalid tickers "\.\.\/\.\.\/ETC", "A\/B": expected an upper-case ticker/);
    return true;
  });
});

test('pathInside joins under the root and refuses anything that resolves outside it', () => {
  const root = resolve('/tmp/sc-home');
  assert.equal(pathInside(root, 'locks', 'trade-tiny.lock'), join(root, 'locks', 'trade-tiny.lock'));
  assert.equal(pathInside(root, 'models/tiny/checkpoints'), join(root, 'models', 'tiny', 'checkpoints'));
  assert.equal(pathInside(`${root}${sep}`, 'a/../b'), join(root, 'b'), 'a .. that stays inside is fine');
  for (const escape of [['locks', 'trade-x/../../../victim/yarn.lock'], ['..'], ['../sc-home-other/x'], ['/etc/passwd'], ['.'], ['a', '..', '..', 'b'], ['nul\0']]) {
    assert.throws(() => pathInside(root, ...escape), PathEscapeError, `${escape.join(', ')} must be refused`);
  }
  assert.throws(() => pathInside(root, 'locks', 'trade-x/../../../victim/yarn.lock'), /refusing path \/tmp\/victim\/yarn\.lock: it lies outside \/tmp\/sc-home/);
});
