import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NasdaqEarningsSource, weekdaysBetween } from '../../src/sources/nasdaq-earnings.js';
import {
  nasdaqRows,
  normalizeTicker,
  parseNasdaqEarningsDay,
  parseNasdaqMoney,
  parseNasdaqSurprise,
  rowSurprise,
} from '../../src/sources/nasdaq-parse.js';
import { reportedRow, startNasdaqFake, upcomingRow } from '../fakes/nasdaq-earnings-fake.js';

test('money strings: dollars, thousands, parentheses negative; missing markers are null, not zero', () => {
  const table: Array<[string | undefined | null, number | null]> = [
    ['$1,234.56', 1234.56],
    ['$4.74', 4.74],
    ['($0.12)', -0.12],
    ['($1,000.50)', -1000.5],
    ['$0', 0],
    ['$0.00', 0],
    [' $2.10 ', 2.1],
    ['-$0.05', -0.05],
    ['', null],
    ['N/A', null],
    ['n/a', null],
    ['NA', null],
    ['--', null],
    ['abc', null],
    [undefined, null],
    [null, null],
  ];
  for (const [text, want] of table) assert.equal(parseNasdaqMoney(text), want, `parseNasdaqMoney(${JSON.stringify(text)})`);
});

test('surprise strings are percentage points; N/A and empty are null', () => {
  const table: Array<[string | undefined, number | null]> = [
    ['12.59', 12.59],
    ['-12.96', -12.96],
    ['0', 0],
    ['3.5%', 3.5],
    ['(4.2)', -4.2],
    ['N/A', null],
    ['', null],
    [undefined, null],
  ];
  for (const [text, want] of table) assert.equal(parseNasdaqSurprise(text), want, `parseNasdaqSurprise(${JSON.stringify(text)})`);
});

test('row surprise: Nasdaq value first; derived over |forecast| only when the key is absent', () => {
  assert.equal(rowSurprise({ eps: '$4.74', epsForecast: '$4.21', surprise: '12.59' }), 12.59);
  assert.equal(rowSurprise({ eps: '$0', epsForecast: '($0.01)', surprise: 'N/A' }), null, 'an explicit N/A stays unknown');
  // (4.74 − 4.21) / 4.21 = 0.12589… → 12.59 %
  assert.equal(rowSurprise({ eps: '$4.74', epsForecast: '$4.21' }), 12.59);
  // beating a loss forecast: (−0.05 − (−0.10)) / 0.10 = +50 %
  assert.equal(rowSurprise({ eps: '($0.05)', epsForecast: '($0.10)' }), 50);
  assert.equal(rowSurprise({ eps: '', epsForecast: '$1.00' }), null);
  assert.equal(rowSurprise({ eps: '$1.00', epsForecast: '$0' }), null, 'no percentage against a zero forecast');
});

test('share classes compare after upper-casing and replacing - with .', () => {
  const table: Array<[string, string]> = [['BRK.B', 'BRK.B'], ['brk-b', 'BRK.B'], [' gef-b ', 'GEF.B'], ['AAPL', 'AAPL']];
  for (const [text, want] of table) assert.equal(normalizeTicker(text), want, text);
});

test('every empty day shape means no rows; a non-calendar answer is an error naming the date', () => {
  for (const body of [{ data: null }, { data: { headers: {}, rows: null } }, { data: { rows: [] } }, { data: { asOf: 'Sun, Oct 13, 2024' } }]) {
    assert.deepEqual(nasdaqRows(body, '2024-10-13'), [], JSON.stringify(body));
  }
  assert.throws(() => nasdaqRows('<html>', '2024-10-14'), /Nasdaq earnings answer for 2024-10-14 is not a JSON object/);
  assert.throws(() => nasdaqRows({ data: { rows: {} } }, '2024-10-14'), /2024-10-14: data\.rows is not an array/);
  assert.throws(() => nasdaqRows({ data: null, status: { rCode: 400, bCodeMessage: [{ errorMessage: 'Invalid date' }] } }, '2024-10-14'), /status 400.*Invalid date/);
});

test('a day keeps only wanted symbols, under the caller spelling, once each', () => {
  const body = { data: { rows: [reportedRow('BRK.B', '$6.18', '$7.10', '-12.96'), reportedRow('XYZQ', '$1', '$1', '0'), reportedRow('BRK.B', '$6.18', '$7.10', '-12.96')] } };
  assert.deepEqual(parseNasdaqEarningsDay(body, '2024-10-16', new Map([['BRK.B', ['BRK-B']]])), [{ symbol: 'BRK-B', date: '2024-10-16', surprise: -12.96 }]);
});

test('weekdays between two New-York midnights skip the weekend', () => {
  assert.deepEqual(weekdaysBetween(new Date('2024-10-11T04:00:00Z'), new Date('2024-10-15T04:00:00Z')), ['2024-10-11', '2024-10-14', '2024-10-15']);
});

test('fetches every weekday with browser headers, parses several days, reports a failed date', async () => {
  const fake = await startNasdaqFake({
    '2024-10-14': [reportedRow('JPM', '$4.37', '$4.02', '8.71'), reportedRow('XYZQ', '($0.05)', '', 'N/A')],
    '2024-10-15': 'data-null',
    '2024-10-16': [reportedRow('BRK.B', '$6.18', '$7.10', '-12.96'), reportedRow('MSFT', '$0', '($0.01)', 'N/A')],
    '2024-10-17': 'rows-empty',
    '2024-10-18': { alwaysStatus: 503 },
    '2024-10-21': [upcomingRow('JPM', '$4.10')],
    '2024-10-22': 'html',
  });
  try {
    const sleeps: number[] = [];
    const source = new NasdaqEarningsSource({ baseUrl: fake.url, concurrency: 4, maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms) });
    const progress: number[] = [];
    const result = await source.fetchEarnings(
      ['JPM', 'BRK-B', 'MSFT'],
      new Date('2024-10-14T04:00:00Z'),
      new Date('2024-10-22T04:00:00Z'),
      (done, total) => progress.push(total),
    );
    assert.deepEqual(result.events, [
      { symbol: 'JPM', date: '2024-10-14', surprise: 8.71 },
      { symbol: 'BRK-B', date: '2024-10-16', surprise: -12.96 },
      { symbol: 'MSFT', date: '2024-10-16', surprise: null },
      { symbol: 'JPM', date: '2024-10-21', surprise: null },
    ]);
    assert.deepEqual(result.failures.map((f) => [f.symbol, f.attempts]), [['date:2024-10-18', 3], ['date:2024-10-22', 1]]);
    assert.match(result.failures[0]!.reason, /\/api\/calendar\/earnings: HTTP 503 .*gave up after 3 attempts/);
    assert.match(result.failures[1]!.reason, /malformed JSON from http:\/\/127\.0\.0\.1:\d+\/api\/calendar\/earnings: .*text\/html/);
    assert.equal(sleeps.length, 2, 'two waits between three attempts');
    const dates = fake.requests.map((r) => r.query.get('date')!);
    assert.deepEqual([...new Set(dates)].sort(), ['2024-10-14', '2024-10-15', '2024-10-16', '2024-10-17', '2024-10-18', '2024-10-21', '2024-10-22']);
    assert.equal(dates.filter((d) => d === '2024-10-18').length, 3);
    assert.deepEqual(progress, [7, 7, 7, 7, 7, 7, 7]);
    const h = fake.requests[0]!.headers;
    assert.match(String(h['user-agent']), /^Mozilla\/5\.0 .*Chrome/);
    assert.equal(h.origin, 'https://www.nasdaq.com');
    assert.equal(h.referer, 'https://www.nasdaq.com/');
    assert.match(String(h.accept), /application\/json/);
  } finally {
    await fake.close();
  }
});

test('429 with Retry-After and a dropped connection are retried for that date', async () => {
  const fake = await startNasdaqFake({ '2024-10-14': [reportedRow('JPM', '$4.37', '$4.02', '8.71')] });
  try {
    fake.faults.push({ status: 429, retryAfter: '3' }, { drop: true });
    const sleeps: number[] = [];
    const source = new NasdaqEarningsSource({ baseUrl: fake.url, concurrency: 1, baseDelayMs: 200, random: () => 0, sleep: async (ms) => void sleeps.push(ms) });
    const result = await source.fetchEarnings(['JPM'], new Date('2024-10-14T04:00:00Z'), new Date('2024-10-14T04:00:00Z'));
    assert.deepEqual(result.events, [{ symbol: 'JPM', date: '2024-10-14', surprise: 8.71 }]);
    assert.deepEqual(result.failures, []);
    // Retry-After 3 s, then backoff after the second attempt: 200·2 = 400, half of it with zero jitter
    assert.deepEqual(sleeps, [3000, 200]);
  } finally {
    await fake.close();
  }
});
