import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NasdaqEarningsSource } from '../../src/sources/nasdaq-earnings.js';
import { normalizeTicker, parseNasdaqEarningsDay, parseNasdaqMoney, parseNasdaqSurprise } from '../../src/sources/nasdaq-parse.js';
import { startNasdaqFake } from '../fakes/nasdaq-earnings-fake.js';

test('parses Nasdaq money and surprise strings; missing is null, not zero', () => {
  const money: Array<[string, number | null]> = [
    ['$1,234.56', 1234.56], ['($0.12)', -0.12], ['$0', 0], ['', null], ['N/A', null], ['NA', null], ['--', null],
  ];
  for (const [text, want] of money) assert.equal(parseNasdaqMoney(text), want, text);
  assert.equal(parseNasdaqSurprise('12.59'), 12.59);
  assert.equal(parseNasdaqSurprise('-12.96'), -12.96);
  assert.equal(parseNasdaqSurprise('N/A'), null);
  assert.equal(normalizeTicker('brk-b'), 'BRK.B');
});

test('every empty day shape means no rows', () => {
  const wanted = new Map([['AAPL', 'AAPL']]);
  assert.deepEqual(parseNasdaqEarningsDay({ data: null }, '2024-12-25', wanted), []);
  assert.deepEqual(parseNasdaqEarningsDay({ data: { rows: null } }, '2024-12-22', wanted), []);
  assert.deepEqual(parseNasdaqEarningsDay({ data: { rows: [] } }, '2024-12-23', wanted), []);
});

test('fetches every weekday, keeps wanted symbols, and reports a failing date', async () => {
  const fake = await startNasdaqFake({
    '2024-10-14': [
      { symbol: 'JPM', eps: '$4.37', epsForecast: '$4.02', surprise: '8.71' },
      { symbol: 'XYZQ', eps: '($0.05)', epsForecast: '', surprise: 'N/A' },
    ],
    '2024-10-15': 'data-null',
    '2024-10-16': [{ symbol: 'BRK.B', eps: '$6.18', epsForecast: '$7.10', surprise: '-12.96' }, { symbol: 'MSFT', eps: '', surprise: 'N/A' }],
    '2024-10-17': 'rows-null',
  });
  try {
    const sleeps: number[] = [];
    // the fifth request (Friday) keeps failing
    const source = new NasdaqEarningsSource({ baseUrl: fake.url, concurrency: 1, maxAttempts: 2, sleep: async (ms) => void sleeps.push(ms) });
    const result = await source.fetchEarnings(
      ['JPM', 'BRK-B', 'MSFT'],
      new Date('2024-10-14T04:00:00Z'),
      new Date('2024-10-20T04:00:00Z'),
      () => {
        if (fake.requests.length === 4) fake.faults.push({ status: 500 }, { status: 500 });
      },
    );
    assert.deepEqual(result.events, [
      { symbol: 'JPM', date: '2024-10-14', surprise: 8.71 },
      { symbol: 'BRK-B', date: '2024-10-16', surprise: -12.96 },
      { symbol: 'MSFT', date: '2024-10-16', surprise: null },
    ]);
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0]!.symbol, 'date:2024-10-18');
    assert.equal(result.failures[0]!.attempts, 2);
    assert.deepEqual(fake.requests.map((r) => r.query.get('date')), ['2024-10-14', '2024-10-15', '2024-10-16', '2024-10-17', '2024-10-18', '2024-10-18']);
  } finally {
    await fake.close();
  }
});
