import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { choiceFlag, dateFlag, describeRange, intFlag, isoTimeFlag, modelIdFlag, numberFlag, numberListFlag, symbolListFlag, type FlagParser } from '../../src/cli/flags.js';

/** Parser, input, expected value or the error text (InvalidArgumentError). */
const TABLE: Array<[name: string, parse: FlagParser<unknown>, input: string, expected: unknown | { error: RegExp }]> = [
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '100', 100],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), ' 7 ', 7],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '100000', 100_000],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '0', { error: /^Expected an integer from 1 to 100000\.$/ }],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '100001', { error: /from 1 to 100000/ }],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), 'abc', { error: /from 1 to 100000/ }],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '', { error: /from 1 to 100000/ }],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '2.5', { error: /integer/ }],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '0x10', { error: /integer/ }],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), '1e3', 1000],
  ['int 1..100000', intFlag({ min: 1, max: 100_000 }), 'Infinity', { error: /integer/ }],
  ['int >= 1', intFlag({ min: 1 }), '-1', { error: /^Expected an integer >= 1\.$/ }],
  ['port', intFlag({ min: 0, max: 65_535 }), '0', 0],
  ['port', intFlag({ min: 0, max: 65_535 }), '70000', { error: /from 0 to 65535/ }],
  ['number > 0', numberFlag({ above: 0, max: 525_600 }), '0.5', 0.5],
  ['number > 0', numberFlag({ above: 0, max: 525_600 }), '0', { error: /^Expected a number > 0 and <= 525600\.$/ }],
  ['number > 0', numberFlag({ above: 0, max: 525_600 }), 'NaN', { error: /> 0/ }],
  ['bps', numberFlag({ min: 0, max: 10_000 }), '5', 5],
  ['bps', numberFlag({ min: 0, max: 10_000 }), '-5', { error: /^Expected a number from 0 to 10000\.$/ }],
  ['bps', numberFlag({ min: 0, max: 10_000 }), 'abc', { error: /from 0 to 10000/ }],
  ['int list', numberListFlag({ min: 1, max: 10_000 }, true), '1,2, 3', [1, 2, 3]],
  ['int list', numberListFlag({ min: 1, max: 10_000 }, true), '1,,2', { error: /^Expected a comma list, each an integer from 1 to 10000\.$/ }],
  ['int list', numberListFlag({ min: 1, max: 10_000 }, true), '0', { error: /each an integer from 1/ }],
  ['int list', numberListFlag({ min: 1, max: 10_000 }, true), '1.5', { error: /each an integer/ }],
  ['number list', numberListFlag({ min: 0, max: 1000 }), '0.1,0.25', [0.1, 0.25]],
  ['number list', numberListFlag({ min: 0, max: 1000 }), '0.1,x', { error: /each a number from 0 to 1000/ }],
  ['date', dateFlag(), '2024-02-29', '2024-02-29'],
  ['date', dateFlag(), '2023-02-29', { error: /^Expected a date YYYY-MM-DD\.$/ }],
  ['date', dateFlag(), '2024-1-2', { error: /YYYY-MM-DD/ }],
  ['iso time', isoTimeFlag(), '2025-01-06T15:00:00Z', new Date('2025-01-06T15:00:00Z')],
  ['iso time', isoTimeFlag(), '2025-01-06T10:00:00-05:00', new Date('2025-01-06T15:00:00Z')],
  ['iso time', isoTimeFlag(), '2025-01-06', new Date('2025-01-06T00:00:00Z')],
  ['iso time', isoTimeFlag(), 'tomorrow', { error: /ISO time/ }],
  ['iso time', isoTimeFlag(), '2025-13-40T00:00:00Z', { error: /ISO time/ }],
  ['iso time', isoTimeFlag(), '1', { error: /ISO time/ }],
  ['choice', choiceFlag(['alpaca', 'paper'] as const), 'paper', 'paper'],
  ['choice', choiceFlag(['alpaca', 'paper'] as const), 'Paper', { error: /^Expected one of alpaca, paper\.$/ }],
  ['model id', modelIdFlag(), 'm1-medium_v2.1', 'm1-medium_v2.1'],
  ['model id', modelIdFlag(), 'x/../../../victim/yarn', { error: /no "\/", "\\" or "\.\."/ }],
  ['model id', modelIdFlag(), '..', { error: /letters, digits/ }],
  ['symbols', symbolListFlag(), 'aapl, msft,AAPL', ['AAPL', 'MSFT']],
  ['symbols', symbolListFlag(), 'AAPL,../X', { error: /invalid ticker "\.\.\/X"/ }],
  ['symbols', symbolListFlag(), ',', { error: /none given/ }],
];

for (const [name, parse, input, expected] of TABLE) {
  test(`${name}: ${JSON.stringify(input)} → ${expected && typeof expected === 'object' && 'error' in expected ? 'refused' : JSON.stringify(expected)}`, () => {
    if (expected && typeof expected === 'object' && 'error' in expected) {
      assert.throws(() => parse(input), (e: unknown) => e instanceof InvalidArgumentError && (expected.error as RegExp).test((e as Error).message));
    } else {
      assert.deepEqual(parse(input), expected);
    }
  });
}

test('describeRange says what a reader expects', () => {
  assert.equal(describeRange({ min: 1, max: 5 }, true), 'an integer from 1 to 5');
  assert.equal(describeRange({ above: 0 }, false), 'a number > 0');
  assert.equal(describeRange({ min: 0 }, false), 'a number >= 0');
  assert.equal(describeRange({ max: 3 }, true), 'an integer <= 3');
  assert.equal(describeRange({}, false), 'a number');
});
